// Proves the console's keys (core/console/key-reader.ts) against fake nodes that answer in
// CONTRACT.md's shapes (Fastify on loopback, recording every request): buckets and key pages are
// read from the source node with the query passed through, and a key outside the query is never
// shown; a node without the endpoints gives an `unavailable` sentence saying so; a key's detail
// percent-encodes bucket and key, reads the sibling envelope, the preference list and every
// preference-list node's own copy, marks the copy that differs, shows why a copy could not be
// read (a node that does not answer, a process that is not running), names the hint holders it
// cannot read, and leaves the history empty with a note when the node has none; a deleted key is
// not found but keeps its tombstone's context; a write sends the context and content type and
// reports a race when more than one version remains.

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceReading } from '../../core/console/cluster-reader.js';
import { hintNotes, keyDetail, keysQueryString, listBuckets, listKeys, type KeyContext, writeKey } from '../../core/console/key-reader.js';
import { NodeHttp } from '../../core/console/node-http.js';
import { freePorts } from '../support/cluster.js';

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body?: Buffer;
}

const sibling = (value: string, node: string, counter: number, clock: Record<string, number>, past?: Record<string, number>) => ({
  value: Buffer.from(value).toString('base64'),
  contentType: 'text/plain',
  clock,
  dot: { node, counter },
  ...(past === undefined ? {} : { past }),
  lastModified: '2026-11-22T10:00:00.000Z',
});

// The first as an older node gives it (no `past`), the second with its past.
const both = [sibling('red', 'n1', 2, { n1: 2, n3: 1 }), sibling('blue', 'n2', 1, { n2: 1, n3: 1 }, { n3: 1 })];

/** What the fake nodes answer, changed by each test. */
const state = {
  keysRoute: true,
  kv: { status: 200, body: { context: 'ctx-both', siblings: both } as unknown, headers: {} as Record<string, string> },
  afterPut: { context: 'ctx-after', siblings: both },
};

let n1: FastifyInstance;
let n2: FastifyInstance;
let ports: number[];
const requests: Recorded[] = [];
const http = new NodeHttp();

function fakeNode(id: string, local: unknown[]): FastifyInstance {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addHook('onRequest', async (request) => {
    requests.push({ method: request.method, url: `${id} ${request.url}`, headers: request.headers });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }));
  app.get('/v1/admin/buckets', async () => ({ buckets: [{ bucket: 'carts', keys: 12, keysWithSiblings: 2 }, { bucket: 'users', keys: 3, keysWithSiblings: 0 }] }));
  app.get('/v1/admin/keys', async (_request, reply) => {
    if (!state.keysRoute) return reply.code(404).send({ error: 'not_found', message: 'no route for GET /v1/admin/keys' });
    return {
      keys: [
        { bucket: 'carts', key: 'cart-1', siblings: 2, lastModified: 1_700_000_000_000 },
        { bucket: 'carts', key: 'other', siblings: 2 },
        { bucket: 'carts', key: 'cart-2', siblings: 1 },
      ],
      cursor: 'next-page',
      progress: { partitionsDone: 14, partitions: 64 },
    };
  });
  app.get('/v1/kv/:bucket/:key', async (_request, reply) => reply.code(state.kv.status).headers(state.kv.headers).send(state.kv.body));
  app.put('/v1/kv/:bucket/:key', async (request, reply) => {
    requests[requests.length - 1].body = request.body as Buffer;
    state.kv = { status: 200, body: state.afterPut, headers: {} };
    return reply.code(204).header('x-dynamo-context', 'ctx-new').send();
  });
  app.get('/v1/admin/preference/:bucket/:key', async () => ({ partition: 7, preference: ['n1', 'n2', 'n3'] }));
  app.get('/v1/admin/local/:bucket/:key', async () => ({ context: `ctx-${id}`, siblings: local }));
  app.get('/v1/admin/hints', async () => ({ pending: id === 'n2' ? 2 : 0, byTarget: id === 'n2' ? { n3: 2, n9: 0 } : {} }));
  return app;
}

function source(): SourceReading {
  const member = (id: string, port: number) => ({ id, http: `127.0.0.1:${port}`, peer: `127.0.0.1:${port + 1}`, state: 'up' as const });
  return {
    id: 'n1',
    url: `http://127.0.0.1:${ports[0]}`,
    status: {
      id: 'n1',
      http: `127.0.0.1:${ports[0]}`,
      peer: '',
      pid: 1,
      ringSize: 64,
      n: 3,
      r: 2,
      w: 2,
      // n3 answers nothing (no server on its port); n4 is a member whose process is stopped.
      members: [member('n1', ports[0]), member('n2', ports[1]), member('n3', ports[2]), member('n4', ports[3])],
      hintsPending: 0,
      transfersPending: 0,
    },
    ring: undefined,
    membership: undefined,
  };
}

function context(): KeyContext {
  return { http, source: source(), notRunning: (id) => (id === 'n4' ? 'n4 is not running (its process is stopped)' : undefined) };
}

beforeAll(async () => {
  ports = await freePorts(4);
  n1 = fakeNode('n1', both);
  n2 = fakeNode('n2', [both[0]]);
  await n1.listen({ host: '127.0.0.1', port: ports[0] });
  await n2.listen({ host: '127.0.0.1', port: ports[1] });
});

afterAll(async () => {
  await n1?.close();
  await n2?.close();
  await http.close();
});

describe('listing', () => {
  it('reads the buckets with their counts', async () => {
    expect(await listBuckets(context())).toEqual([
      { bucket: 'carts', keys: 12, keysWithSiblings: 2 },
      { bucket: 'users', keys: 3, keysWithSiblings: 0 },
    ]);
  });

  it('passes the query through and keeps the cursor and progress; a key outside the query is not shown', async () => {
    const page = await listKeys(context(), { bucket: 'carts', prefix: 'cart-', siblingsOnly: true, limit: 2, cursor: 'c/1' });
    expect(requests.at(-1)?.url).toBe('n1 /v1/admin/keys?bucket=carts&prefix=cart-&siblings=only&limit=2&cursor=c%2F1');
    expect(page).toEqual({
      keys: [{ bucket: 'carts', key: 'cart-1', siblings: 2, lastModified: 1_700_000_000_000 }],
      cursor: 'next-page',
      progress: { partitionsDone: 14, partitions: 64 },
    });
    expect(keysQueryString({})).toBe('');
    expect(keysQueryString({ prefix: '', siblingsOnly: false })).toBe('');
  });

  it('says plainly when the node has no key listing', async () => {
    state.keysRoute = false;
    try {
      await expect(listKeys(context(), {})).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('n1 cannot list keys: its API has no such endpoint') });
    } finally {
      state.keysRoute = true;
    }
  });
});

describe('keyDetail', () => {
  it('reads the key, its placement and each copy, percent-encoded, marking what differs and why a copy is missing', async () => {
    const detail = await keyDetail(context(), 'b/ü', 'k ?#%');
    const paths = requests.map((r) => r.url);
    expect(paths).toContain('n1 /v1/kv/b%2F%C3%BC/k%20%3F%23%25?format=json');
    expect(paths).toContain('n1 /v1/admin/preference/b%2F%C3%BC/k%20%3F%23%25');
    expect(paths).toContain('n2 /v1/admin/local/b%2F%C3%BC/k%20%3F%23%25');
    expect(detail.read).toMatchObject({ bucket: 'b/ü', key: 'k ?#%', found: true, context: 'ctx-both' });
    expect(detail.read.versions.map((v) => [v.index, Buffer.from(v.value, 'base64').toString(), v.dot.node, v.deleted])).toEqual([
      [1, 'red', 'n1', false],
      [2, 'blue', 'n2', false],
    ]);
    // A past the node gives is kept; without one it is the clock less the version's own dot.
    expect(detail.read.versions.map((v) => v.past)).toEqual([{ n1: 1, n3: 1 }, { n3: 1 }]);
    expect(detail.partition).toBe(7);
    expect(detail.preference).toEqual(['n1', 'n2', 'n3']);
    const [one, two, three] = detail.replicas;
    expect(one).toMatchObject({ node: 'n1', role: 'primary', differs: false });
    expect(one.versions).toHaveLength(2);
    expect(two).toMatchObject({ node: 'n2', role: 'primary', differs: true });
    expect(two.versions.map((v) => v.dot)).toEqual([{ node: 'n1', counter: 2 }]);
    expect(three).toMatchObject({ node: 'n3', role: 'primary', differs: false, versions: [] });
    expect(three.error).toMatch(/^n3 does not answer/);
    expect(detail.history).toEqual([]);
    expect(detail.notes).toEqual([
      'n2 holds 2 hints for n3, possibly a copy of this key; a hinted copy cannot be read (no node endpoint gives one), so only the preference list’s own copies are shown.',
      'n1 does not serve version histories (GET /v1/admin/history answered 404).',
    ]);
  });

  it('does not ask a node whose process is not running', async () => {
    const before = requests.length;
    const detail = await keyDetail({ ...context(), notRunning: (id) => (id === 'n2' ? 'n2 is not running (its process is stopped)' : undefined) }, 'b', 'k');
    expect(detail.replicas[1]).toMatchObject({ node: 'n2', error: 'n2 is not running (its process is stopped)', versions: [], differs: false });
    expect(requests.slice(before).some((r) => r.url.startsWith('n2 '))).toBe(false);
  });

  it('reads a deleted key as not found, with its tombstone context', async () => {
    state.kv = { status: 404, body: { error: 'not_found', message: 'no such key' }, headers: { 'x-dynamo-context': 'ctx-tomb' } };
    const detail = await keyDetail(context(), 'b', 'gone');
    expect(detail.read).toEqual({ bucket: 'b', key: 'gone', found: false, context: 'ctx-tomb', versions: [] });
    // Every copy that still holds versions now differs from the (empty) read.
    expect(detail.replicas.filter((r) => r.differs).map((r) => r.node)).toEqual(['n1', 'n2']);
  });

  it('refuses an envelope of the wrong shape as internal, naming the node', async () => {
    state.kv = { status: 200, body: { context: 'x', siblings: [{ value: 1 }] }, headers: {} };
    await expect(keyDetail(context(), 'b', 'k')).rejects.toMatchObject({ code: 'internal', message: 'n1 answered a sibling envelope of an unexpected shape' });
  });

  it('names only holders of hints for the preference list, never a node for itself', () => {
    const held: Array<{ node: string; byTarget: Record<string, number> }> = [
      { node: 'n4', byTarget: { n1: 1, n7: 3 } },
      { node: 'n1', byTarget: { n1: 2 } },
    ];
    expect(hintNotes(held, ['n1', 'n2', 'n3'])).toEqual([expect.stringMatching(/^n4 holds 1 hint for n1,/)]);
  });
});

describe('writeKey', () => {
  it('puts with the context and content type, then reports what remains', async () => {
    state.kv = { status: 200, body: { context: 'ctx-both', siblings: both }, headers: {} };
    const result = await writeKey(context(), { bucket: 'b', key: 'k/1', value: Buffer.from('green').toString('base64'), contentType: 'text/plain', context: 'ctx-both' });
    const put = requests.find((r) => r.method === 'PUT');
    expect(put?.url).toBe('n1 /v1/kv/b/k%2F1');
    expect(put?.headers['x-dynamo-context']).toBe('ctx-both');
    expect(put?.headers['content-type']).toBe('text/plain');
    expect(put?.body?.toString()).toBe('green');
    // Both versions are still there afterwards: another write raced this one.
    expect(result.raced).toBe(true);
    expect(result.after.versions).toHaveLength(2);
  });
});
