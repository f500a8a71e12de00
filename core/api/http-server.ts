// The HTTP API of one node (CONTRACT.md): data under /v1/kv, administration under /v1/admin,
// status, ring and metrics. Every request is validated here, at the edge: a malformed one gets
// a JSON error with a stable code and never reaches the store.

import type { Socket } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bucketBytesMax, keyBytesMax, valueBytesMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { CodedError, errorText } from '../common/coded-error.js';
import type { Log } from '../common/log.js';
import { MembershipRefused } from '../node/cluster-membership.js';
import type { DynamoNode, PutRequest } from '../node/dynamo-node.js';
import { overloadedRetryAfterSeconds } from '../node/limits.js';
import { liveSiblings } from '../version/sibling-set.js';
import type { SiblingSet } from '../version/sibling-set.js';
import { contextAfterWrite } from '../version/causal-context.js';
import type { CausalContext } from '../version/causal-context.js';
import { contextScope } from '../version/context.js';
import type { ContextCodec } from '../version/context.js';
import { parseAddress } from '../net/address.js';
import { historyJson, siblingEnvelope } from './envelope.js';
import { ApiError, type ApiErrorCode } from './errors.js';
import { NodeEventStream } from './event-stream.js';
import { NodeMetrics, type Operation } from './metrics.js';
import { sendTraceId, traceRequested } from './trace-routes.js';

export interface HttpServerOptions {
  node: DynamoNode;
  contexts: ContextCodec;
  /** host:port of this node's HTTP and peer listeners, as reported by /v1/status. */
  httpAddress: () => string;
  peerAddress: string;
  /** Seeds the node was started with (the default of a join). */
  seeds: readonly string[];
  token?: string;
  /** Where unexpected failures (500 internal) are logged. */
  log: Log;
}

const contextHeader = 'x-dynamo-context';
const defaultContentType = 'application/octet-stream';

interface KvParams {
  bucket: string;
  key: string;
}

interface KvQuery {
  r?: string;
  w?: string;
  dw?: string;
  format?: string;
  trace?: string;
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const { node, contexts, log } = options;
  const admin = node.admin;
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 8192 },
    bodyLimit: valueBytesMax,
    return503OnClosing: true,
    clientErrorHandler,
    // A path segment that is not valid percent-encoding, or one past maxParamLength, is refused
    // by the router before any route runs; Fastify's own answer would carry the code
    // "Bad Request" (and 414), outside CONTRACT.md (found by test/fuzz/http-api.fuzz.test.ts).
    frameworkErrors: (error, _request, reply) => {
      const apiError =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new ApiError('bad_key', `a bucket is at most ${bucketBytesMax} bytes and a key at most ${keyBytesMax}`)
          : new ApiError('bad_request', error.message);
      void (reply as unknown as FastifyReply).code(apiError.status).send(apiError.body());
    },
  });

  // Values are bytes whatever their type; admin bodies are parsed as JSON by their routes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: unknown, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.code === 'internal') log.error({ method: request.method, url: request.url, error: apiError.message }, 'request failed unexpectedly');
    if (apiError.code === 'overloaded') reply.header('retry-after', String(overloadedRetryAfterSeconds));
    reply.code(apiError.status).send(apiError.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`);
    reply.code(404).send(error.body());
  });

  const metrics = new NodeMetrics(admin);
  const events = new NodeEventStream(admin);
  // Synchronous, and without request.routeOptions (a getter that builds an object per call):
  // this runs once for every request.
  app.addHook('onResponse', (request, reply, done) => {
    const op = operationOf(request.method, request.url, request.params as Partial<KvParams> | undefined);
    const elapsedMs = reply.elapsedTime;
    metrics.observe(op, reply.statusCode, elapsedMs / 1000);
    events.observe(op, elapsedMs);
    done();
  });
  // Before the server waits for its connections to end: the event streams never would.
  app.addHook('preClose', async () => events.close());

  if (options.token !== undefined) {
    const expected = `Bearer ${options.token}`;
    app.addHook('onRequest', async (request) => {
      if (request.headers.authorization !== expected) throw new ApiError('unauthorized', 'missing or wrong bearer token');
    });
  }

  app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.text()));

  // ── Data ──────────────────────────────────────────────────────────────────────────────────

  app.get<{ Params: KvParams; Querystring: KvQuery }>('/v1/kv/:bucket/:key', async (request, reply) => {
    const { bucket, key } = validateKey(request.params);
    const r = quorumParam(request.query.r, 'r', node.r, node.n);
    const outcome = await node.get(bucket, key, r, traceRequested(request));
    sendTraceId(reply, outcome);
    if (outcome.kind === 'quorum') throw quorumError(outcome.replies, outcome.required, 'replies');
    return sendState(reply, bucket, key, outcome.state, request.query.format === 'json');
  });

  app.put<{ Params: KvParams; Querystring: KvQuery }>('/v1/kv/:bucket/:key', async (request, reply) => {
    const { bucket, key } = validateKey(request.params);
    const w = quorumParam(request.query.w, 'w', node.w, node.n);
    const dw = durableParam(request.query.dw, w);
    const context = readContext(request, bucket, key);
    const value = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
    const contentType = request.headers['content-type'] ?? defaultContentType;
    return write(reply, bucket, key, { context, value, contentType, deleted: false, w, dw, trace: traceRequested(request) });
  });

  app.delete<{ Params: KvParams; Querystring: KvQuery }>('/v1/kv/:bucket/:key', async (request, reply) => {
    const { bucket, key } = validateKey(request.params);
    const w = quorumParam(request.query.w, 'w', node.w, node.n);
    const dw = durableParam(request.query.dw, w);
    const context = readContext(request, bucket, key);
    return write(reply, bucket, key, { context, value: new Uint8Array(0), contentType: defaultContentType, deleted: true, w, dw, trace: traceRequested(request) });
  });

  for (const path of ['/v1/kv/:bucket/', '/v1/kv/:bucket']) {
    app.all(path, async () => {
      throw new ApiError('bad_key', 'the key is empty');
    });
  }

  async function write(
    reply: FastifyReply,
    bucket: string,
    key: string,
    request: PutRequest,
  ): Promise<FastifyReply> {
    const outcome = await node.put(bucket, key, request);
    sendTraceId(reply, outcome);
    if (outcome.kind === 'quorum') throw writeQuorumError(outcome);
    if (outcome.kind === 'error') throw new ApiError(errorCodeOf(outcome.code), outcome.message);
    // The client has now seen what its context covered plus its own write, and nothing else:
    // returning the coordinator's whole vector would let its next write supersede siblings it
    // never read (causal-context.ts).
    const seen = contextAfterWrite(request.context, outcome.dot);
    return reply.code(204).header(contextHeader, contexts.encodeContext(seen, contextScope(bucket, key))).send();
  }

  function readContext(request: FastifyRequest, bucket: string, key: string): CausalContext {
    const header = request.headers[contextHeader];
    if (header === undefined || header === '') return { vv: {}, dots: [] };
    if (typeof header !== 'string') throw new ApiError('bad_context', 'one X-Dynamo-Context header at most');
    const context = contexts.decodeContext(header, contextScope(bucket, key));
    if (context === undefined) throw new ApiError('bad_context', 'the context is malformed, truncated or forged');
    return context;
  }

  function sendState(
    reply: FastifyReply,
    bucket: string,
    key: string,
    state: SiblingSet | undefined,
    asJson: boolean,
  ): FastifyReply {
    const context = state === undefined ? undefined : contexts.encode(state.vv, contextScope(bucket, key));
    const live = state === undefined ? [] : liveSiblings(state);
    if (live.length === 0) {
      if (context !== undefined && state!.siblings.length > 0) reply.header(contextHeader, context);
      return reply.code(404).send(new ApiError('not_found', 'no such key').body());
    }
    if (live.length === 1 && !asJson) {
      const only = live[0];
      return reply
        .code(200)
        .header(contextHeader, context!)
        .header('content-type', only.contentType)
        .header('last-modified', new Date(only.lastModified).toUTCString())
        .send(Buffer.from(only.value.buffer, only.value.byteOffset, only.value.byteLength));
    }
    return reply
      .code(asJson ? 200 : 300)
      .header(contextHeader, context!)
      .header('content-type', 'application/json')
      .send(siblingEnvelope(context!, state!));
  }

  // ── Administration ────────────────────────────────────────────────────────────────────────

  app.get('/v1/status', async () => {
    const status = admin.status();
    return {
      id: status.id,
      http: options.httpAddress(),
      peer: options.peerAddress,
      pid: process.pid,
      ringSize: status.ringSize,
      n: status.n,
      r: status.r,
      w: status.w,
      members: status.members.map((member) => ({ id: member.id, http: member.http, peer: member.peer, state: member.state })),
      hintsPending: status.hintsPending,
      transfersPending: status.transfersPending,
    };
  });

  app.get('/v1/admin/transfers', async () => admin.transfers());

  app.get('/v1/admin/events', async (request, reply) => {
    if (!events.hasRoom()) throw new ApiError('overloaded', 'too many event subscribers on this node');
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`: events of ${admin.id}\n\n`);
    events.add(response);
    request.raw.on('close', () => response.end());
  });

  app.post('/v1/admin/join', async (request, reply) => {
    const body = parseJsonBody(request.body);
    const seed = body.seed ?? options.seeds[0];
    if (typeof seed !== 'string' || parseAddress(seed) === undefined) {
      throw new ApiError('bad_request', 'expected {"seed": "host:peerport"} (or a node started with --seeds)');
    }
    await admin.join(seed).catch(membershipError);
    return reply.code(202).send({ joining: seed });
  });

  app.post('/v1/admin/leave', async (_request, reply) => {
    await admin.leave().catch(membershipError);
    return reply.code(202).send({ leaving: node.id });
  });

  app.get('/v1/admin/hints', async () => admin.hints());

  app.get('/v1/ring', async () => admin.ring());

  app.get<{ Params: KvParams }>('/v1/admin/preference/:bucket/:key', async (request) => {
    const { bucket, key } = validateKey(request.params);
    return admin.locate(bucket, key);
  });

  app.get<{ Params: KvParams; Querystring: KvQuery }>('/v1/admin/history/:bucket/:key', async (request) => {
    const { bucket, key } = validateKey(request.params);
    const r = quorumParam(request.query.r, 'r', node.r, node.n);
    const outcome = await node.get(bucket, key, r);
    if (outcome.kind === 'quorum') throw quorumError(outcome.replies, outcome.required, 'replies');
    return historyJson(outcome.state);
  });

  app.get<{ Params: KvParams }>('/v1/admin/local/:bucket/:key', async (request, reply) => {
    const { bucket, key } = validateKey(request.params);
    return sendState(reply, bucket, key, await admin.localReplica(bucket, key), true);
  });

  app.get('/v1/admin/faults', async () => ({ isolated: admin.isolated(), enabled: admin.faultInjectionEnabled }));

  // For the console's join plan: members as gossip records them, where partitions are headed,
  // and how many keys this node holds per partition.
  app.get('/v1/admin/membership', async () => admin.membership());

  app.get('/v1/admin/partitions', async () => admin.keyCounts());

  app.post('/v1/admin/faults', async (request) => {
    const body = parseJsonBody(request.body);
    const isolate = body.isolate;
    if (!Array.isArray(isolate) || !isolate.every((id) => typeof id === 'string')) {
      throw new ApiError('bad_request', 'expected {"isolate": [node ids]}');
    }
    admin.isolate(isolate as NodeId[]);
    return { isolate };
  });

  void app.register(import('./key-routes.js'), { admin });
  void app.register(import('./trace-routes.js'), { admin });
  void app.register(import('./anti-entropy-routes.js'), { admin });
  return app;
}

/**
 * Answers a request Node's HTTP parser refused before any route ran (a bad chunk, a body short of
 * its Content-Length, a malformed request line, oversized headers) with the contract's JSON error,
 * where Fastify's default would answer {"error": "Bad Request"}, a code outside CONTRACT.md
 * (found by test/fuzz/http-api.fuzz.test.ts). The status stays HTTP's: 431 for oversized
 * headers and 408 for a request that timed out, 400 otherwise; the code is always bad_request.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nothing left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, text] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request did not arrive in time']
        : [400, 'Bad Request', 'the request is not well-formed HTTP'];
  const body = JSON.stringify(new ApiError('bad_request', text).body());
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

/** The operation of a request: a data one only on the route /v1/kv/:bucket/:key (which alone has a key among /v1/kv/'s). */
function operationOf(method: string, url: string, params: Partial<KvParams> | undefined): Operation {
  if (!url.startsWith('/v1/kv/') || params?.key === undefined) return 'admin';
  return method === 'GET' ? 'get' : method === 'PUT' ? 'put' : method === 'DELETE' ? 'delete' : 'admin';
}

function validateKey(params: KvParams): KvParams {
  const { bucket, key } = params;
  if (typeof bucket !== 'string' || bucket.length === 0 || Buffer.byteLength(bucket) > bucketBytesMax) {
    throw new ApiError('bad_key', `a bucket is 1 to ${bucketBytesMax} bytes of UTF-8`);
  }
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > keyBytesMax) {
    throw new ApiError('bad_key', `a key is 1 to ${keyBytesMax} bytes of UTF-8`);
  }
  return params;
}

function quorumParam(raw: string | undefined, name: string, fallback: number, n: number): number {
  if (raw === undefined) return fallback;
  const value = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= n)) throw new ApiError('bad_quorum', `${name} must be an integer from 1 to ${n}`);
  return value;
}

/**
 * A write's `dw` (query): how many of the W acks must be durable (the replica synced the write
 * to disk before acking), 0…w where w is the request's own W; absent: 0, no write is synced.
 */
function durableParam(raw: string | undefined, w: number): number {
  if (raw === undefined) return 0;
  const value = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= w)) throw new ApiError('bad_quorum', `dw must be an integer from 0 to w (${w} for this request)`);
  return value;
}

function quorumError(got: number, required: number, noun: 'acks' | 'replies'): ApiError {
  return new ApiError('quorum', `only ${got} of ${required} required replicas answered`, { acks: got, required, [noun]: got });
}

/** A write's quorum failure; one that asked for durable acks also says how many were durable. */
function writeQuorumError(outcome: { acks: number; required: number; durable?: number; requiredDurable?: number }): ApiError {
  const { acks, required, durable, requiredDurable } = outcome;
  if (requiredDurable === undefined) return quorumError(acks, required, 'acks');
  const message =
    acks < required
      ? `only ${acks} of ${required} required replicas answered (${durable} of ${requiredDurable} required durably)`
      : `${acks} replicas answered but only ${durable} of ${requiredDurable} required made the write durable`;
  return new ApiError('quorum', message, { acks, required, durable, requiredDurable });
}

/** A put's error code as an API code: the operating errors keep theirs, anything else is `internal`. */
function errorCodeOf(code: string): ApiErrorCode {
  return code === 'too_many_siblings' || code === 'too_many_clock_entries' || code === 'overloaded' || code === 'unavailable' ? code : 'internal';
}

/** The operating errors the node's parts raise (CodedError), as API errors. */
const apiCodeOf: Record<string, ApiErrorCode | undefined> = {
  unavailable: 'unavailable',
  overloaded: 'overloaded',
  faults_disabled: 'faults_disabled',
  bad_request: 'bad_request',
};

/** A join or leave the membership refused (already a member, last member, …): 409 with its code. */
function membershipError(error: unknown): never {
  if (error instanceof MembershipRefused) throw new ApiError('membership', `${error.code}: ${error.message}`, { reason: error.code });
  throw error;
}

export function parseJsonBody(body: unknown): Record<string, unknown> {
  if (!(body instanceof Uint8Array) || body.byteLength === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new ApiError('bad_request', 'the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError('bad_request', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Maps anything thrown in a route (ours, Fastify's, a bug) to an API error. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof CodedError) {
    const code = apiCodeOf[error.code];
    if (code !== undefined) return new ApiError(code, error.message);
  }
  const fastifyError = error as { code?: string; statusCode?: number; message?: string };
  if (fastifyError?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fastifyError?.statusCode === 413) {
    return new ApiError('too_large', `a value is at most ${valueBytesMax} bytes`);
  }
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError('bad_request', fastifyError.message ?? 'bad request');
  }
  return new ApiError('internal', errorText(error));
}
