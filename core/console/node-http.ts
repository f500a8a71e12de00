// How the console reaches a node: its HTTP API (CONTRACT.md) over undici, with the node's bearer
// token, a time bound on every call and a byte bound on every answer. A node that does not answer
// or answers with an error becomes a NodeRequestError here and a ConsoleError (an AdminFailure
// with a sentence naming the node) at the AdminApi surface.

import { Agent, request, type Dispatcher } from 'undici';
import { CodedError } from '../common/coded-error.js';
import { ConsoleError } from './errors.js';
import { eventStreamIdleMs, nodeActionTimeoutMs, nodeAnswerBytesMax, nodeReadTimeoutMs } from './limits.js';

/** A node call that failed: `unreachable` (no connection, no answer in time) or `answered` (an error status). */
export class NodeRequestError extends CodedError<'unreachable' | 'answered'> {
  override name = 'NodeRequestError';
  constructor(
    code: 'unreachable' | 'answered',
    message: string,
    /** The HTTP status and the API's error code, when the node answered. */
    readonly status?: number,
    readonly apiCode?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** "http://host:port" of a node from what the API reports ("host:port", or a URL already). */
export function nodeBaseUrl(address: string): string {
  const trimmed = address.replace(/\/+$/, '');
  return /^https?:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
}

export class NodeHttp {
  private readonly agent = new Agent({ connections: 16, keepAliveTimeout: 10_000, pipelining: 1 });
  private readonly headers: Record<string, string>;

  constructor(token?: string) {
    this.headers = token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` };
  }

  /** GET of a JSON path; rejects with NodeRequestError. */
  get<T>(base: string, path: string, timeoutMs = nodeReadTimeoutMs): Promise<T> {
    return this.call<T>('GET', base, path, undefined, timeoutMs);
  }

  /** POST of a JSON body; rejects with NodeRequestError. */
  post<T>(base: string, path: string, body: unknown, timeoutMs = nodeActionTimeoutMs): Promise<T> {
    return this.call<T>('POST', base, path, body, timeoutMs);
  }

  /** Opens a node's event stream (the caller reads and closes the body; `signal` aborts it). */
  async events(base: string, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${base}/v1/admin/events`, {
        method: 'GET',
        headers: { ...this.headers, accept: 'text/event-stream' },
        dispatcher: this.agent,
        signal,
        headersTimeout: nodeReadTimeoutMs,
        bodyTimeout: eventStreamIdleMs,
      });
    } catch (error) {
      throw new NodeRequestError('unreachable', `cannot reach ${base}: ${messageOf(error)}`, undefined, undefined, { cause: error });
    }
    if (response.statusCode !== 200) {
      const answer = await readAnswer(response, nodeAnswerBytesMax).catch(() => undefined);
      throw answeredError(base, response.statusCode, answer);
    }
    return response;
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  /**
   * A request whose every status is an answer, for the data API (its 404 and 300 are answers, not
   * failures): the status, the headers and the body as JSON ({} when empty). Rejects with
   * NodeRequestError only when the node cannot be reached or its answer is too large.
   */
  async send(method: 'GET' | 'PUT' | 'POST' | 'DELETE', base: string, path: string, options: SendOptions = {}): Promise<NodeAnswer> {
    const timeoutMs = options.timeoutMs ?? nodeReadTimeoutMs;
    try {
      const response = await request(`${base}${path}`, {
        method,
        headers: { ...this.headers, ...options.headers },
        body: options.body,
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await readAnswer(response, options.bytesMax ?? nodeAnswerBytesMax);
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      throw new NodeRequestError('unreachable', `cannot reach ${base}: ${messageOf(error)}`, undefined, undefined, { cause: error });
    }
  }

  private async call<T>(method: 'GET' | 'POST', base: string, path: string, body: unknown, timeoutMs: number): Promise<T> {
    const options: SendOptions =
      method === 'POST' ? { timeoutMs, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) } : { timeoutMs };
    const answer = await this.send(method, base, path, options);
    if (answer.status >= 300) throw answeredError(base, answer.status, answer.body);
    return answer.body as T;
  }
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  /** Bytes of the answer read at most (nodeAnswerBytesMax by default). */
  bytesMax?: number;
}

/** A node's answer to `send`. */
export interface NodeAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A failed node call as the AdminApi's failure, naming the node (`who`: "n3", or its URL). */
export function nodeFailure(who: string, error: unknown): ConsoleError {
  if (error instanceof ConsoleError) return error;
  if (!(error instanceof NodeRequestError)) return new ConsoleError('internal', `${who}: ${messageOf(error)}`, { cause: error });
  if (error.code === 'unreachable') return new ConsoleError('unavailable', `${who} does not answer: ${error.message}`, { cause: error });
  const status = error.status ?? 500;
  if (error.apiCode === 'faults_disabled') {
    return new ConsoleError('unavailable', `fault injection is not enabled on ${who}`, { cause: error });
  }
  if (status === 401) return new ConsoleError('unavailable', `${who} refused the console's token`, { cause: error });
  const code = status === 404 ? 'not_found' : status === 409 ? 'conflict' : status === 503 ? 'unavailable' : status < 500 ? 'bad_request' : 'internal';
  return new ConsoleError(code, `${who}: ${error.message}`, { cause: error });
}

/** A node's error answer (any status the caller does not accept) as a NodeRequestError. */
export function answeredError(base: string, status: number, answer: unknown): NodeRequestError {
  const body = (typeof answer === 'object' && answer !== null ? answer : {}) as { error?: unknown; message?: unknown };
  const apiCode = typeof body.error === 'string' ? body.error : undefined;
  const text = typeof body.message === 'string' ? body.message : `answered ${status}`;
  return new NodeRequestError('answered', text, status, apiCode, { cause: `${base} answered ${status}` });
}

/** The answer's JSON ({} when empty), read up to `bytesMax`. */
async function readAnswer(response: Dispatcher.ResponseData, bytesMax: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += (chunk as Buffer).byteLength;
    if (bytes > bytesMax) {
      response.body.destroy();
      throw new Error(`the answer is larger than ${bytesMax} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  if (bytes === 0) return {};
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: an error page from something that is not a node (a proxy, a wrong port).
    return { message: text.slice(0, 200) };
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error && cause.message !== error.message ? ` (${cause.message})` : '';
    return error.message + detail;
  }
  return String(error);
}
