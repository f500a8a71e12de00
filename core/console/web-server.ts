// The web console (`dynamo console`): one Fastify server that serves the built renderer
// (dist/renderer, with index.html for every page path), AdminApi as JSON over HTTP and the
// console's events as Server-Sent Events, in the wire format of core/admin/http-wire.ts:
//
//   POST /api/admin/{method}  {"args": [...]}  →  200 {"result": …} | 4xx/5xx {"error", "message"}
//   GET  /api/events          one ConsoleEvent as JSON per `data:` line
//
// Method names and arguments are checked at the edge (admin-dispatch.ts). Who may call it and the
// headers every answer carries are in web-security.ts.

import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { AdminApi } from '../admin/admin-api.js';
import { adminRequestPath, adminRequestPrefix, consoleEventsPath, type AdminErrorBody } from '../admin/http-wire.js';
import { invokeAdmin } from './admin-dispatch.js';
import { statusOfFailure, toAdminFailure } from './errors.js';
import { webBodyBytesMax, webKeepAliveMs, webSubscriberBufferBytesMax, webSubscribersMax, webWriteBodyBytesMax } from './limits.js';
import {
  bearerOf,
  cookieToken,
  hostIsLoopback,
  isLoopbackHost,
  originAllowed,
  queryToken,
  securityHeaders,
  setTokenCookie,
  tokenMatches,
} from './web-security.js';

export interface WebConsoleOptions {
  api: AdminApi;
  /** Interface to bind: 127.0.0.1 by default; anything but loopback needs a token. */
  host?: string;
  /** 3000 by default; 0 picks a free port. */
  port?: number;
  token?: string;
  /** The built renderer (index.html and its assets); dist/renderer by default. */
  rendererDir?: string;
}

export interface WebConsole {
  /** http://host:port, as printed. */
  url: string;
  host: string;
  port: number;
  server: FastifyInstance;
  /** Subscribers of the event stream dropped for reading too slowly. */
  readonly droppedSubscribers: number;
  close(): Promise<void>;
}

/**
 * Where `npm run build:renderer` (Vite) puts the renderer: dist/renderer, found from this module
 * in the build (dist/core/console) or in the sources (core/console, under vitest).
 */
export const defaultRendererDir = fileURLToPath(
  new URL(import.meta.url.includes('/dist/core/console/') ? '../../renderer/' : '../../dist/renderer/', import.meta.url),
);

/** Refused: `--host` beyond loopback without a token. */
export class WebConsoleExposedError extends Error {
  override name = 'WebConsoleExposedError';
}

/** Starts the web console; resolves once it serves. */
export async function startWebConsole(options: WebConsoleOptions): Promise<WebConsole> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && (options.token === undefined || options.token === '')) {
    throw new WebConsoleExposedError(`--host ${host} would expose the console beyond this machine: give --token too`);
  }
  const { server, events } = buildServer({ ...options, host });
  await server.listen({ host, port: options.port ?? 3000 });
  const address = server.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : (options.port ?? 3000);
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    host,
    port,
    server,
    get droppedSubscribers() {
      return events.dropped;
    },
    close: () => server.close(),
  };
}

/** The server without listening (tests inject requests into it). */
export function createWebConsoleServer(options: WebConsoleOptions): FastifyInstance {
  return buildServer({ ...options, host: options.host ?? '127.0.0.1' }).server;
}

function buildServer(options: WebConsoleOptions & { host: string }): { server: FastifyInstance; events: EventStreams } {
  const { api, token } = options;
  const guarded = token !== undefined && token !== '';
  const server = Fastify({ logger: false, bodyLimit: webBodyBytesMax, return503OnClosing: true });
  const events = new EventStreams(api);
  // JSON only: a form or text/plain POST (what another site could send without a preflight) is 415.
  server.removeContentTypeParser('text/plain');
  server.addHook('preClose', async () => events.close());

  server.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(securityHeaders);
    return payload;
  });

  server.addHook('onRequest', async (request, reply) => {
    // Without a token only loopback may reach it, so another site cannot by DNS rebinding.
    if (!guarded && !hostIsLoopback(request)) return refuse(reply, 403, 'bad_request', 'the console answers only to 127.0.0.1 and localhost');
    if (request.method === 'POST' && !originAllowed(request)) return refuse(reply, 403, 'bad_request', 'cross-origin requests are refused');
    if (!guarded) return;
    const url = request.url.split('?')[0];
    if (tokenMatches(bearerOf(request), token)) return;
    if (url === consoleEventsPath && tokenMatches(queryToken(request), token)) return;
    if (!url.startsWith('/api/')) {
      // Opening the page with ?token=T sets the cookie its own files then load with.
      if (tokenMatches(queryToken(request), token)) return void setTokenCookie(reply, token);
      if (tokenMatches(cookieToken(request), token)) return;
    }
    return refuse(reply, 401, 'unauthorized', 'missing or wrong token: send Authorization: Bearer <token> (open the page as /?token=<token>)');
  });

  server.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    // Fastify's own refusals (malformed JSON, a body too large, a wrong content type).
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const body: AdminErrorBody = { error: status < 500 ? 'bad_request' : 'internal', message: error.message ?? 'bad request' };
    reply.code(status).send(body);
  });

  const answerAdmin = async (method: string, body: unknown, reply: FastifyReply) => {
    let args: unknown = [];
    if (body !== undefined && body !== null) {
      if (typeof body !== 'object' || Array.isArray(body) || !('args' in body)) {
        return reply.code(400).send(errorBody('bad_request', 'expected {"args": [...]}'));
      }
      args = body.args;
    }
    try {
      const result = await invokeAdmin(api, method, args);
      return reply.code(200).send({ result: result ?? null });
    } catch (error) {
      const failure = toAdminFailure(error);
      return reply.code(statusOfFailure[failure.code]).send(errorBody(failure.code, failure.message));
    }
  };
  server.post<{ Params: { method: string } }>(`${adminRequestPrefix}:method`, async (request, reply) =>
    answerAdmin(request.params.method, request.body, reply),
  );
  // A write carries a value (up to 1 MiB, as base64; a traced put's as text): only these methods may send a body that large.
  for (const method of ['writeKey', 'traceRequest'] as const) {
    server.post(adminRequestPath(method), { bodyLimit: webWriteBodyBytesMax }, async (request, reply) => answerAdmin(method, request.body, reply));
  }

  server.get(consoleEventsPath, async (request, reply) => {
    if (!events.hasRoom()) return reply.code(503).send(errorBody('unavailable', 'too many event subscribers'));
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      ...securityHeaders,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(': console events\n\n');
    events.add(response);
    request.raw.on('close', () => response.end());
  });

  server.all('/api/*', async (request, reply) =>
    reply.code(404).send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );

  const rendererDir = options.rendererDir ?? defaultRendererDir;
  if (existsSync(path.join(rendererDir, 'index.html'))) {
    void server.register(fastifyStatic, {
      root: rendererDir,
      prefix: '/',
      index: ['index.html'],
      setHeaders: (reply, file) => {
        // Vite names its assets by content hash: they never change; index.html always may.
        reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    server.setNotFoundHandler((request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(404).send(errorBody('not_found', 'no such page'));
      // A page path of the single-page app (/keys, /cluster/n3): the app routes it.
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  } else {
    server.setNotFoundHandler((_request, reply) => reply.code(503).type('text/html; charset=utf-8').send(notBuiltPage(rendererDir)));
  }
  return { server, events };
}

function errorBody(code: AdminErrorBody['error'], message: string): AdminErrorBody {
  return { error: code, message };
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: code, message });
}

function notBuiltPage(dir: string): string {
  const escaped = dir.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dynamo-desk console: not built</title></head>
<body><h1>The console's page is not built yet</h1>
<p>There is no <code>index.html</code> in <code>${escaped}</code>. Run <code>npm run build</code> (which builds the renderer with
<code>npm run build:renderer</code>) in the repository, or <code>npm start</code>, then reload this page.</p>
<p>The AdminApi is served meanwhile at <code>/api/admin/&lt;method&gt;</code> and the events at <code>/api/events</code>.</p>
</body></html>
`;
}

/**
 * The open event streams. Each subscriber follows the console on its own (so it first learns
 * which node streams are connected) and is bounded by its unsent bytes: one that falls behind is
 * dropped, never a cause of unbounded memory.
 */
class EventStreams {
  private readonly subscribers = new Map<ServerResponse, () => void>();
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  dropped = 0;

  constructor(private readonly api: AdminApi) {}

  hasRoom(): boolean {
    return this.subscribers.size < webSubscribersMax;
  }

  add(response: ServerResponse): void {
    const unsubscribe = this.api.subscribe((event) => this.write(response, `data: ${JSON.stringify(event)}\n\n`));
    this.subscribers.set(response, unsubscribe);
    response.on('close', () => this.remove(response));
    if (this.keepAlive === undefined) {
      this.keepAlive = setInterval(() => {
        for (const subscriber of this.subscribers.keys()) this.write(subscriber, ': keep-alive\n\n');
      }, webKeepAliveMs);
      this.keepAlive.unref();
    }
  }

  close(): void {
    for (const response of [...this.subscribers.keys()]) {
      this.remove(response);
      response.end();
    }
  }

  private remove(response: ServerResponse): void {
    const unsubscribe = this.subscribers.get(response);
    if (unsubscribe === undefined) return;
    unsubscribe();
    this.subscribers.delete(response);
    if (this.subscribers.size === 0) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }

  private write(response: ServerResponse, text: string): void {
    if (!this.subscribers.has(response)) return;
    if (response.writableLength > webSubscriberBufferBytesMax) {
      this.dropped++;
      this.remove(response);
      response.destroy();
      return;
    }
    response.write(text);
  }
}
