// A small TypeScript client for the HTTP API (CONTRACT.md), used by the CLI and the tests.
// Answers are typed results; only an unreachable endpoint throws (ClientError 'unreachable').

import { Agent, request } from 'undici';
import type { BucketView, KeyPage, KeyQuery } from '../admin/admin-api.js';
import { CodedError } from '../common/coded-error.js';

/**
 * The request could not be made: `unreachable` (no connection, or no answer in time; `cause`
 * holds undici's error) or `protocol` (the answer was not what the API promises).
 */
export class ClientError extends CodedError<'unreachable' | 'protocol'> {
  override name = 'ClientError';
}

export interface SiblingView {
  value: Uint8Array;
  contentType: string;
  /** The version's own clock: the context it was written with plus its dot. */
  clock: Record<string, number>;
  /** The write that made it. */
  dot: { node: string; counter: number };
  lastModified: string;
}

export type GetResult =
  | { status: 200; value: Uint8Array; contentType: string; context: string }
  | { status: 300; siblings: SiblingView[]; context: string }
  | { status: 404; context?: string }
  | { status: number; error: string; message: string; body: Record<string, unknown> };

export type WriteResult =
  | { status: 204; context: string }
  | { status: number; error: string; message: string; body: Record<string, unknown> };

/** A JSON answer of the API: the body on success, the contract's error otherwise. */
export type JsonResult<T> =
  | { status: 200; body: T }
  | { status: number; error: string; message: string; body: Record<string, unknown> };

/** What a PUT or DELETE may say beyond its value: the context it replaces, its W and its DW. */
export interface WriteOptions {
  context?: string;
  w?: number;
  /** Acks that must be durable (the replica synced the write to disk), 0…w. */
  dw?: number;
}

export interface ClientOptions {
  token?: string;
  /** Per-request time-out; default 10 s. */
  timeoutMs?: number;
  dispatcher?: Agent;
}

export class DynamoClient {
  readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly dispatcher: Agent;
  private readonly ownsDispatcher: boolean;

  constructor(endpoint: string, options: ClientOptions = {}) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.headers = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? new Agent({ connections: 64, pipelining: 1 });
  }

  kvPath(bucket: string, key: string): string {
    return `/v1/kv/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`;
  }

  /** Writes a value; `w` and `dw` (durable acks, at most `w`) default to the node's W and 0. */
  async put(bucket: string, key: string, value: Uint8Array | string, options: WriteOptions & { contentType?: string } = {}): Promise<WriteResult> {
    const headers: Record<string, string> = { ...this.headers, 'content-type': options.contentType ?? 'application/octet-stream' };
    if (options.context) headers['x-dynamo-context'] = options.context;
    const response = await this.send('PUT', this.kvPath(bucket, key) + writeQuery(options), headers, value);
    return this.writeResult(response);
  }

  async delete(bucket: string, key: string, options: WriteOptions = {}): Promise<WriteResult> {
    const headers: Record<string, string> = { ...this.headers };
    if (options.context) headers['x-dynamo-context'] = options.context;
    return this.writeResult(await this.send('DELETE', this.kvPath(bucket, key) + writeQuery(options), headers));
  }

  /** Reads a key; always asks for the JSON envelope when `json` is set. */
  async get(bucket: string, key: string, options: { r?: number; json?: boolean } = {}): Promise<GetResult> {
    const params = new URLSearchParams();
    if (options.r !== undefined) params.set('r', String(options.r));
    if (options.json) params.set('format', 'json');
    const query = params.size > 0 ? `?${params}` : '';
    const response = await this.send('GET', this.kvPath(bucket, key) + query, this.headers);
    const context = header(response.headers['x-dynamo-context']);
    const body = new Uint8Array(await response.body.arrayBuffer());
    if (response.statusCode === 200 && !options.json) {
      return { status: 200, value: body, contentType: header(response.headers['content-type']) ?? '', context: context ?? '' };
    }
    if (response.statusCode === 300 || (response.statusCode === 200 && options.json)) {
      const envelope = parseJson(body) as { context: string; siblings: Array<SiblingView & { value: string }> };
      const siblings = envelope.siblings.map((s) => ({ ...s, value: new Uint8Array(Buffer.from(s.value, 'base64')) }));
      return { status: 300, siblings, context: envelope.context };
    }
    if (response.statusCode === 404) return { status: 404, context };
    return errorResult(response.statusCode, body);
  }

  /** GET of an API path returning JSON; non-2xx answers are returned as errors. */
  async json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { ...this.headers };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await this.send(method, path, headers, payload);
    const bytes = new Uint8Array(await response.body.arrayBuffer());
    return { status: response.statusCode, body: bytes.byteLength === 0 ? {} : parseJson(bytes) };
  }

  /** One page of keys across the cluster (GET /v1/admin/keys). */
  async listKeys(query: KeyQuery = {}): Promise<JsonResult<KeyPage>> {
    const params = new URLSearchParams();
    if (query.bucket !== undefined) params.set('bucket', query.bucket);
    if (query.prefix !== undefined) params.set('prefix', query.prefix);
    if (query.siblingsOnly) params.set('siblings', 'only');
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const search = params.size > 0 ? `?${params}` : '';
    return this.jsonResult<KeyPage>(await this.send('GET', `/v1/admin/keys${search}`, this.headers));
  }

  /** Every bucket with its counts (GET /v1/admin/buckets). */
  async buckets(): Promise<JsonResult<{ buckets: BucketView[] }>> {
    return this.jsonResult<{ buckets: BucketView[] }>(await this.send('GET', '/v1/admin/buckets', this.headers));
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async send(method: string, path: string, headers: Record<string, string>, body?: Uint8Array | string) {
    try {
      return await request(this.endpoint + path, {
        method: method as 'GET',
        headers,
        body,
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (error) {
      throw new ClientError('unreachable', `cannot reach ${this.endpoint}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async jsonResult<T>(response: Awaited<ReturnType<DynamoClient['send']>>): Promise<JsonResult<T>> {
    const body = new Uint8Array(await response.body.arrayBuffer());
    if (response.statusCode === 200) return { status: 200, body: parseJson(body) as T };
    return errorResult(response.statusCode, body);
  }

  private async writeResult(response: Awaited<ReturnType<DynamoClient['send']>>): Promise<WriteResult> {
    const body = new Uint8Array(await response.body.arrayBuffer());
    if (response.statusCode === 204) return { status: 204, context: header(response.headers['x-dynamo-context']) ?? '' };
    return errorResult(response.statusCode, body);
  }
}

/** The query of a write: none for the node's defaults (the common case builds nothing). */
function writeQuery(options: WriteOptions): string {
  const { w, dw } = options;
  if (dw === undefined) return w === undefined ? '' : `?w=${w}`;
  return w === undefined ? `?dw=${dw}` : `?w=${w}&dw=${dw}`;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new ClientError('protocol', 'the server answered with malformed JSON', { cause: error });
  }
}

function errorResult(status: number, bytes: Uint8Array) {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    body = {};
  }
  return { status, error: String(body.error ?? 'unknown'), message: String(body.message ?? ''), body };
}
