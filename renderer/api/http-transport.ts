// AdminApi over `dynamo console`'s HTTP wire (core/admin/http-wire.ts): one POST per call, and
// one EventSource for the console's event stream, opened for the first listener and closed
// after the last. The stream reconnects by itself after a network error; after a refusal (the
// server closes it for good) this client reopens it with a growing delay. Losing and regaining
// the stream is reported as a `connection` event of the node "console", so the page can say so
// and refetch what it may have missed.

import type { AdminMethod, ConsoleEvent } from '../../core/admin/admin-api.js';
import { adminRequestPath, consoleEventsPath } from '../../core/admin/http-wire.js';
import { AdminError } from './admin-error.js';
import type { AdminTransport } from './transport.js';

/** The parts of fetch and EventSource used here (so tests can pass fakes). */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
) => Promise<{ ok: boolean; status: number; statusText: string; json(): Promise<unknown> }>;

export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(): void;
}

export interface HttpTransportOptions {
  /** Where the console serves, e.g. "http://127.0.0.1:3000". */
  origin: string;
  token: string | undefined;
  fetch: FetchLike;
  openEventSource: (url: string) => EventSourceLike;
  /** Clock for `connection` events and the reconnect delay (the browser's by default). */
  now: () => number;
  setTimer: (run: () => void, ms: number) => unknown;
  clearTimer: (timer: unknown) => void;
}

/** EventSource.CLOSED: the browser gave up on the stream and will not retry by itself. */
const closedState = 2;
const reconnectDelayMs = { first: 1000, max: 30_000 };

export function httpTransport(options: HttpTransportOptions): AdminTransport {
  const listeners = new Set<(event: ConsoleEvent) => void>();
  let source: EventSourceLike | undefined;
  let reconnectTimer: unknown;
  let delayMs = reconnectDelayMs.first;
  let connected: boolean | undefined;

  const emit = (event: ConsoleEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  const report = (isConnected: boolean, message?: string) => {
    if (connected === isConnected) return;
    connected = isConnected;
    emit({ type: 'connection', node: 'console', at: options.now(), connected: isConnected, ...(message === undefined ? {} : { message }) });
  };

  const open = () => {
    const query = options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`;
    const stream = options.openEventSource(`${options.origin}${consoleEventsPath}${query}`);
    source = stream;
    stream.onopen = () => {
      delayMs = reconnectDelayMs.first;
      report(true);
    };
    stream.onmessage = (message) => {
      let event: ConsoleEvent;
      try {
        event = JSON.parse(message.data) as ConsoleEvent;
      } catch {
        return; // Not an event of ours (a comment or keep-alive the browser passed on).
      }
      emit(event);
    };
    stream.onerror = () => {
      if (stream.readyState !== closedState) {
        report(false, 'the connection to the console dropped; reconnecting');
        return;
      }
      report(false, `the console refused the event stream; retrying in ${Math.round(delayMs / 1000)} s`);
      stream.close();
      source = undefined;
      reconnectTimer = options.setTimer(() => {
        reconnectTimer = undefined;
        if (listeners.size > 0) open();
      }, delayMs);
      delayMs = Math.min(delayMs * 2, reconnectDelayMs.max);
    };
  };

  const close = () => {
    source?.close();
    source = undefined;
    if (reconnectTimer !== undefined) options.clearTimer(reconnectTimer);
    reconnectTimer = undefined;
    connected = undefined;
  };

  return {
    async call(method: AdminMethod, args: unknown[]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      let response: Awaited<ReturnType<FetchLike>>;
      try {
        response = await options.fetch(`${options.origin}${adminRequestPath(method)}`, { method: 'POST', headers, body: JSON.stringify({ args }) });
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new AdminError('unavailable', `the console at ${options.origin} cannot be reached (${reason})`, method);
      }
      const body = (await response.json().catch(() => undefined)) as { result?: unknown; error?: unknown; message?: unknown } | undefined;
      if (response.ok && body !== undefined && 'result' in body) return body.result;
      if (response.ok) throw new AdminError('internal', `the console answered ${method} without a result`, method);
      if (response.status === 401) {
        throw new AdminError('unauthorized', 'the console wants a token: open it with the address it printed, which ends in #token=…', method);
      }
      const code = typeof body?.error === 'string' ? body.error : 'internal';
      const message = typeof body?.message === 'string' ? body.message : `HTTP ${response.status} ${response.statusText}`.trim();
      throw new AdminError(code, message, method);
    },

    subscribe(listener) {
      listeners.add(listener);
      if (source === undefined && reconnectTimer === undefined) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) close();
      };
    },
  };
}
