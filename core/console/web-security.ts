// The web console's guards: who may call it and what the browser may do with its pages.
//
// - A token, when set, is required on every request: `Authorization: Bearer T` on the AdminApi;
//   `?token=T` also on the event stream (EventSource cannot send headers) and on opening the page,
//   which then sets an HttpOnly, SameSite=Strict cookie so the page's own files load. The cookie
//   opens only the static files: the AdminApi never accepts it, so no other site can ride it.
// - Without a token the console binds only loopback; its Host header must then name loopback,
//   so a page on another site cannot reach it by DNS rebinding.
// - A POST from a browser must come from the console's own origin.
// - Headers: a strict Content-Security-Policy (scripts only from the console itself, no inline
//   script, no eval, connections only to itself), no framing, no sniffing, no referrer.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { contentSecurityPolicy } from '../admin/content-security-policy.js';

export { contentSecurityPolicy };

export const tokenCookie = 'dynamo_console_token';

export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
};

const loopbackHosts: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether binding `host` keeps the console on this machine. */
export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host.toLowerCase()) || /^127(\.[0-9]{1,3}){3}$/.test(host);
}

/** Compares a presented token with the expected one in constant time. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The bearer token of an Authorization header, if any. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  return header.slice('Bearer '.length);
}

export function queryToken(request: FastifyRequest): string | undefined {
  const token = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

export function cookieToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === tokenCookie) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Sets the cookie that lets the page's own files load after it was opened with ?token=. */
export function setTokenCookie(reply: FastifyReply, token: string): void {
  reply.header('set-cookie', `${tokenCookie}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
}

/** Whether the Host header names the console on loopback (checked when it has no token). */
export function hostIsLoopback(request: FastifyRequest): boolean {
  const host = request.headers.host;
  if (typeof host !== 'string') return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return isLoopbackHost(name);
}

/** Whether a request's Origin (when a browser sent one) is the console's own. */
export function originAllowed(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
