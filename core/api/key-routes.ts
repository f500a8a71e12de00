// Finding keys over HTTP (CONTRACT.md): GET /v1/admin/keys, one page of keys across the cluster,
// and GET /v1/admin/buckets, every bucket with its counts. A Fastify plugin the HTTP server
// registers; the query is checked here, at the edge (`400 bad_request`), and the node checks the
// cursor, which is opaque to clients, and answers through its admin facade.

import type { FastifyPluginAsync } from 'fastify';
import type { NodeAdmin } from '../node/admin.js';
import type { KeyQuery } from '../node/key-listing.js';
import { keyPageLimitMax } from '../node/limits.js';
import { ApiError } from './errors.js';

type RawQuery = Record<string, string | string[] | undefined>;

const keyRoutes: FastifyPluginAsync<{ admin: NodeAdmin }> = async (app, { admin }) => {
  app.get<{ Querystring: RawQuery }>('/v1/admin/keys', async (request) => admin.listKeys(keyQuery(request.query)));
  app.get('/v1/admin/buckets', async () => admin.buckets());
};

export default keyRoutes;

/** `bucket`, `prefix`, `siblings=only`, `limit` and `cursor` as a KeyQuery; ApiError('bad_request') when malformed. */
export function keyQuery(raw: RawQuery): KeyQuery {
  const bucket = single(raw, 'bucket');
  const prefix = single(raw, 'prefix');
  const siblings = single(raw, 'siblings');
  const limit = single(raw, 'limit');
  const cursor = single(raw, 'cursor');
  if (siblings !== undefined && siblings !== 'only') throw new ApiError('bad_request', 'siblings must be "only" when given');
  const query: KeyQuery = { siblingsOnly: siblings === 'only' };
  if (bucket !== undefined) query.bucket = bucket;
  if (prefix !== undefined && prefix !== '') query.prefix = prefix;
  if (cursor !== undefined && cursor !== '') query.cursor = cursor;
  if (limit !== undefined) {
    if (!/^[0-9]{1,4}$/.test(limit)) throw new ApiError('bad_request', `limit must be an integer from 1 to ${keyPageLimitMax}`);
    query.limit = Number(limit);
  }
  return query;
}

function single(raw: RawQuery, name: string): string | undefined {
  const value = raw[name];
  if (Array.isArray(value)) throw new ApiError('bad_request', `${name} may be given once`);
  return value;
}
