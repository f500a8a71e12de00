// Request traces over HTTP (CONTRACT.md): GET /v1/admin/traces, summaries of the traces this node
// keeps, and GET /v1/admin/traces/{id}, one whole trace (core/node/tracing.ts records them). A
// Fastify plugin the HTTP server registers; every query parameter is checked here, at the edge
// (`400 bad_request`). Also the two helpers the data routes use: whether a request asks to be
// traced (`X-Dynamo-Trace: 1` or `?trace=1`), and the `X-Dynamo-Trace-Id` of its answer.

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { bucketBytesMax, keyBytesMax } from '../common/limits.js';
import type { NodeAdmin } from '../node/admin.js';
import { traceListLimitDefault, tracesKeptMax } from '../node/limits.js';
import type { TraceOp, TraceQuery } from '../node/tracing.js';
import { ApiError } from './errors.js';

type RawQuery = Record<string, string | string[] | undefined>;

const traceHeader = 'x-dynamo-trace';
const traceIdHeader = 'x-dynamo-trace-id';
const ops: readonly TraceOp[] = ['get', 'put', 'delete'];
const queryNames = new Set(['op', 'bucket', 'key', 'slowest', 'limit']);
/** Trace ids are `<node>-<boot>-<n>` (node ids are letters, digits, _ . -). */
const traceIdPattern = /^[A-Za-z0-9_.-]{1,128}$/;

const traceRoutes: FastifyPluginAsync<{ admin: NodeAdmin }> = async (app, { admin }) => {
  app.get<{ Querystring: RawQuery }>('/v1/admin/traces', async (request) => ({ traces: admin.traces(traceQuery(request.query)) }));
  app.get<{ Params: { id: string } }>('/v1/admin/traces/:id', async (request) => {
    const id = request.params.id;
    if (!traceIdPattern.test(id)) throw new ApiError('bad_request', 'a trace id is 1 to 128 letters, digits, _ . or -');
    const trace = admin.trace(id);
    if (trace === undefined) throw new ApiError('not_found', `no trace ${id} on this node (it keeps its last ${tracesKeptMax})`);
    return trace;
  });
};

export default traceRoutes;

/** `op`, `bucket`, `key`, `slowest` and `limit` as a TraceQuery; ApiError('bad_request') for anything else or malformed. */
export function traceQuery(raw: RawQuery): TraceQuery {
  for (const name of Object.keys(raw)) {
    if (!queryNames.has(name)) throw new ApiError('bad_request', `unknown parameter ${name} (expected op, bucket, key, slowest, limit)`);
  }
  const op = single(raw, 'op');
  const bucket = single(raw, 'bucket');
  const key = single(raw, 'key');
  const slowest = single(raw, 'slowest');
  const limit = single(raw, 'limit');
  const query: TraceQuery = { slowest: flag(slowest, 'slowest'), limit: traceListLimitDefault };
  if (op !== undefined) {
    if (!(ops as readonly string[]).includes(op)) throw new ApiError('bad_request', 'op must be get, put or delete');
    query.op = op as TraceOp;
  }
  if (bucket !== undefined) {
    if (bucket === '' || Buffer.byteLength(bucket) > bucketBytesMax) throw new ApiError('bad_request', `bucket must be 1 to ${bucketBytesMax} bytes`);
    query.bucket = bucket;
  }
  if (key !== undefined) {
    if (key === '' || Buffer.byteLength(key) > keyBytesMax) throw new ApiError('bad_request', `key must be 1 to ${keyBytesMax} bytes`);
    query.key = key;
  }
  if (limit !== undefined) {
    const value = /^[0-9]{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(value >= 1 && value <= tracesKeptMax)) throw new ApiError('bad_request', `limit must be an integer from 1 to ${tracesKeptMax}`);
    query.limit = value;
  }
  return query;
}

/** Whether a data request asks to be traced: `X-Dynamo-Trace: 1` or `?trace=1` (0 or absent: no). */
export function traceRequested(request: FastifyRequest<{ Querystring: { trace?: string | string[] } }>): boolean {
  const header = request.headers[traceHeader];
  if (Array.isArray(header)) throw new ApiError('bad_request', 'one X-Dynamo-Trace header at most');
  const query = request.query.trace;
  if (Array.isArray(query)) throw new ApiError('bad_request', 'trace may be given once');
  return flag(header, 'X-Dynamo-Trace') || flag(query, 'trace');
}

/** Names the request's trace in its answer, when the node kept one. */
export function sendTraceId(reply: FastifyReply, outcome: { traceId?: string }): void {
  if (outcome.traceId !== undefined) reply.header(traceIdHeader, outcome.traceId);
}

function flag(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw === '0') return false;
  if (raw === '1') return true;
  throw new ApiError('bad_request', `${name} must be 1 or 0`);
}

function single(raw: RawQuery, name: string): string | undefined {
  const value = raw[name];
  if (Array.isArray(value)) throw new ApiError('bad_request', `${name} may be given once`);
  return value;
}
