// Proves the HTTP API keeps CONTRACT.md: the data path (single values, siblings, merges,
// deletes), the error codes for malformed requests, and the administration endpoints, against
// a real 3-node cluster of processes.

import { spawnSync } from 'node:child_process';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { httpCall } from '../support/http-call.js';
import { waitUntil } from '../support/wait.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool) console.log('promtool not found: the promtool lint of /metrics is skipped (apt-get install prometheus)');

let cluster: TestCluster;
let base: string;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3, ringSize: 16 });
  base = cluster.endpoints.get('n1')!;
});
afterAll(async () => {
  await cluster?.stop();
});

async function call(method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string>; on?: string } = {}) {
  const endpoint = options.on === undefined ? base : cluster.endpoints.get(options.on)!;
  return httpCall(endpoint + path, method, options);
}

describe('data', () => {
  it('stores and returns a value with its content type and a context', async () => {
    const put = await call('PUT', '/v1/kv/users/alice', { body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(204);
    expect(put.context).toMatch(/^[A-Za-z0-9_-]+$/);
    const get = await call('GET', '/v1/kv/users/alice', { on: 'n2' });
    expect(get.status).toBe(200);
    expect(get.text).toBe('hello');
    expect(get.headers['content-type']).toBe('text/plain');
    expect(get.context).toBeTruthy();
  });

  it('keeps two blind writes as siblings and merges them with the read context', async () => {
    expect((await call('PUT', '/v1/kv/users/bob', { body: 'one', on: 'n2' })).status).toBe(204);
    expect((await call('PUT', '/v1/kv/users/bob', { body: 'two', on: 'n3' })).status).toBe(204);
    const siblings = await call('GET', '/v1/kv/users/bob');
    expect(siblings.status).toBe(300);
    const values = siblings.json.siblings.map((s: any) => Buffer.from(s.value, 'base64').toString()).sort();
    expect(values).toEqual(['one', 'two']);
    for (const sibling of siblings.json.siblings) {
      expect(Object.values(sibling.clock).every((c) => typeof c === 'number')).toBe(true);
      expect(Number.isNaN(Date.parse(sibling.lastModified))).toBe(false);
    }
    expect(siblings.json.context).toBe(siblings.context);
    const merged = await call('PUT', '/v1/kv/users/bob', {
      body: 'merged',
      headers: { 'x-dynamo-context': siblings.context! },
      on: 'n3',
    });
    expect(merged.status).toBe(204);
    const after = await call('GET', '/v1/kv/users/bob', { on: 'n2' });
    expect(after.status).toBe(200);
    expect(after.text).toBe('merged');
  });

  it("gives each sibling its own clock, sharing their ancestor, and serves the key's history", async () => {
    // The paper's Figure 3: one version written through n1, then two writes from a read of it,
    // through n2 and n3 (every node is in every preference list here, so each coordinates).
    const first = await call('PUT', '/v1/kv/carts/fig3', { body: 'd1', headers: { 'content-type': 'text/plain' } });
    expect(first.status).toBe(204);
    for (const [node, body] of [['n2', 'd2a'], ['n3', 'd2b']]) {
      const put = await call('PUT', '/v1/kv/carts/fig3', { body, headers: { 'x-dynamo-context': first.context!, 'content-type': 'text/plain' }, on: node });
      expect(put.status).toBe(204);
    }
    const read = await call('GET', '/v1/kv/carts/fig3');
    expect(read.status).toBe(300);
    const clocks = read.json.siblings.map((s: any) => [Buffer.from(s.value, 'base64').toString(), s.clock, s.dot]);
    expect(clocks.sort()).toEqual([
      ['d2a', { n1: 1, n2: 1 }, { node: 'n2', counter: 1 }],
      ['d2b', { n1: 1, n3: 1 }, { node: 'n3', counter: 1 }],
    ]);
    const history = await call('GET', '/v1/admin/history/carts/fig3', { on: 'n2' });
    expect(history.status).toBe(200);
    const versions = history.json.versions.map((v: any) => [`${v.dot.node}:${v.dot.counter}`, v.current, v.clock, v.size, v.deleted]);
    expect(versions.sort()).toEqual([
      ['n1:1', false, { n1: 1 }, 2, false],
      ['n2:1', true, { n1: 1, n2: 1 }, 3, false],
      ['n3:1', true, { n1: 1, n3: 1 }, 3, false],
    ]);
    for (const version of history.json.versions) expect(version.hash).toMatch(/^[0-9a-f]{8}$/);
    expect((await call('GET', '/v1/admin/history/carts/never-written')).json).toEqual({ versions: [] });
  });

  it('a writer reusing its own context never overwrites a concurrent value it did not see', async () => {
    const first = await call('PUT', '/v1/kv/users/carol', { body: 'from-a' });
    const second = await call('PUT', '/v1/kv/users/carol', { body: 'from-b', on: 'n2' });
    // B writes again with the context its own write returned: A's value must survive.
    const again = await call('PUT', '/v1/kv/users/carol', {
      body: 'from-b-2',
      headers: { 'x-dynamo-context': second.context! },
      on: 'n2',
    });
    expect([first.status, second.status, again.status]).toEqual([204, 204, 204]);
    const read = await call('GET', '/v1/kv/users/carol?format=json');
    const values = read.json.siblings.map((s: any) => Buffer.from(s.value, 'base64').toString()).sort();
    expect(values).toEqual(['from-a', 'from-b-2']);
  });

  it('deletes with a tombstone: 404 with a context, and the key can be written again', async () => {
    const put = await call('PUT', '/v1/kv/users/dave', { body: 'x' });
    const deleted = await call('DELETE', '/v1/kv/users/dave', { headers: { 'x-dynamo-context': put.context! } });
    expect(deleted.status).toBe(204);
    const gone = await call('GET', '/v1/kv/users/dave', { on: 'n3' });
    expect(gone.status).toBe(404);
    expect(gone.json.error).toBe('not_found');
    expect(gone.context).toBeTruthy();
    const again = await call('PUT', '/v1/kv/users/dave', { body: 'back', headers: { 'x-dynamo-context': gone.context! } });
    expect(again.status).toBe(204);
    expect((await call('GET', '/v1/kv/users/dave')).text).toBe('back');
  });

  it('answers format=json with the envelope even for one version, and 404 for a missing key', async () => {
    await call('PUT', '/v1/kv/users/erin', { body: 'solo', headers: { 'content-type': 'text/plain' } });
    const json = await call('GET', '/v1/kv/users/erin?format=json');
    expect(json.status).toBe(200);
    expect(json.json.siblings).toHaveLength(1);
    expect(Buffer.from(json.json.siblings[0].value, 'base64').toString()).toBe('solo');
    expect(json.json.siblings[0].contentType).toBe('text/plain');
    expect((await call('GET', '/v1/kv/users/nobody')).status).toBe(404);
  });

  it('round-trips keys with slashes, spaces and unicode, and binary values', async () => {
    const key = encodeURIComponent('a/b c/ключ/🔑');
    const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
    expect((await call('PUT', `/v1/kv/b%2Fx/${key}`, { body: bytes })).status).toBe(204);
    const response = await request(`${base}/v1/kv/b%2Fx/${key}`);
    expect(response.statusCode).toBe(200);
    expect(Buffer.from(await response.body.arrayBuffer())).toEqual(bytes);
  });
});

describe('errors', () => {
  it('rejects empty, long and malformed keys and buckets with bad_key', async () => {
    for (const path of [
      `/v1/kv/b/${'k'.repeat(1025)}`,
      `/v1/kv/${'b'.repeat(256)}/k`,
      '/v1/kv/b/',
      `/v1/kv/b/${'é'.repeat(513)}`,
    ]) {
      const answer = await call('PUT', path, { body: 'x' });
      expect(answer.status, path).toBe(400);
      expect(answer.json.error, path).toBe('bad_key');
    }
    const longest = await call('PUT', `/v1/kv/${'b'.repeat(255)}/${'k'.repeat(1024)}`, { body: 'x' });
    expect(longest.status).toBe(204);
  });

  it('rejects a value over 1 MiB with too_large and accepts exactly 1 MiB', async () => {
    const over = await call('PUT', '/v1/kv/b/big', { body: Buffer.alloc(1024 * 1024 + 1) });
    expect(over.status).toBe(413);
    expect(over.json.error).toBe('too_large');
    expect((await call('PUT', '/v1/kv/b/big', { body: Buffer.alloc(1024 * 1024) })).status).toBe(204);
  });

  it('rejects r and w outside 1..n with bad_quorum', async () => {
    for (const query of ['r=0', 'r=4', 'r=abc', 'r=-1', 'r=1.5']) {
      const answer = await call('GET', `/v1/kv/b/k?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.json.error, query).toBe('bad_quorum');
    }
    const put = await call('PUT', '/v1/kv/b/k?w=9', { body: 'x' });
    expect(put.json.error).toBe('bad_quorum');
    expect((await call('PUT', '/v1/kv/b/k?w=3', { body: 'x' })).status).toBe(204);
  });

  it('rejects dw outside 0..w (the request’s own w) with bad_quorum, on PUT and DELETE', async () => {
    // W is 2 here unless the request says otherwise.
    for (const query of ['dw=3', 'w=1&dw=2', 'dw=-1', 'dw=abc', 'dw=1.5', 'dw=']) {
      const put = await call('PUT', `/v1/kv/b/dw?${query}`, { body: 'x' });
      expect(put.status, query).toBe(400);
      expect(put.json.error, query).toBe('bad_quorum');
      expect(put.json.message, query).toMatch(/^dw must be an integer from 0 to/);
      const del = await call('DELETE', `/v1/kv/b/dw?${query}`);
      expect(del.status, query).toBe(400);
      expect(del.json.error, query).toBe('bad_quorum');
    }
    // Nothing was written by the refused requests.
    expect((await call('GET', '/v1/kv/b/dw')).status).toBe(404);
    for (const query of ['dw=0', 'dw=1', 'dw=2', 'w=3&dw=3', 'w=1&dw=1']) {
      expect((await call('PUT', `/v1/kv/b/dw?${query}`, { body: 'x' })).status, query).toBe(204);
    }
    expect((await call('DELETE', '/v1/kv/b/dw?dw=2')).status).toBe(204);
  });

  it('rejects forged, truncated and foreign contexts with bad_context', async () => {
    const put = await call('PUT', '/v1/kv/b/ctx', { body: 'x' });
    const other = await call('PUT', '/v1/kv/b/other', { body: 'y' });
    const context = put.context!;
    const forged = context.slice(0, -1) + (context.endsWith('A') ? 'B' : 'A');
    for (const bad of [forged, context.slice(0, 10), 'not a context!', other.context!]) {
      const answer = await call('PUT', '/v1/kv/b/ctx', { body: 'z', headers: { 'x-dynamo-context': bad } });
      expect(answer.status, bad).toBe(400);
      expect(answer.json.error, bad).toBe('bad_context');
    }
    // Nothing was changed by the refused writes.
    expect((await call('GET', '/v1/kv/b/ctx')).text).toBe('x');
  });

  it('answers malformed admin bodies with bad_request and unknown routes with JSON 404', async () => {
    const notJson = await call('POST', '/v1/admin/faults', { body: '{nope', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toBe('bad_request');
    const wrongShape = await call('POST', '/v1/admin/faults', { body: '{"isolate":"n2"}', headers: { 'content-type': 'application/json' } });
    expect(wrongShape.json.error).toBe('bad_request');
    const missing = await call('GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(typeof missing.json.message).toBe('string');
  });
});

describe('administration', () => {
  it('reports status, the ring and where a key lives', async () => {
    const status = await call('GET', '/v1/status');
    expect(status.json).toMatchObject({ id: 'n1', ringSize: 16, n: 3, r: 2, w: 2, hintsPending: 0, transfersPending: 0 });
    expect(status.json.members.map((m: any) => m.id)).toEqual(['n1', 'n2', 'n3']);
    for (const member of status.json.members) expect(['joining', 'up', 'down', 'leaving']).toContain(member.state);

    const ring = await call('GET', '/v1/ring');
    expect(ring.json.ringSize).toBe(16);
    expect(ring.json.partitions).toHaveLength(16);
    for (const partition of ring.json.partitions) expect(new Set(partition.preference).size).toBe(3);

    const where = await call('GET', '/v1/admin/preference/users/alice');
    expect(where.json.preference).toEqual(ring.json.partitions[where.json.partition].preference);
  });

  it('shows each replica through admin/local', async () => {
    await call('PUT', '/v1/kv/users/local', { body: 'here', headers: { 'content-type': 'text/plain' } });
    const where = await call('GET', '/v1/admin/preference/users/local');
    let copies = 0;
    for (const id of where.json.preference) {
      const local = await call('GET', '/v1/admin/local/users/local', { on: id });
      if (local.status === 200) copies++;
    }
    expect(copies).toBeGreaterThanOrEqual(2); // W = 2; the third copy may still be in flight
  });

  it('isolates a node through admin/faults: writes still reach W, and healing restores traffic', async () => {
    const isolate = await call('POST', '/v1/admin/faults', {
      body: JSON.stringify({ isolate: ['n2'] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(isolate.status).toBe(200);
    // With n2 cut off from n1 and no fallback in a 3-node cluster, R = 3 cannot be met.
    const read = await call('GET', '/v1/kv/users/alice?r=3');
    expect(read.status).toBe(503);
    expect(read.json).toMatchObject({ error: 'quorum', required: 3 });
    const write = await call('PUT', '/v1/kv/users/isolated', { body: 'still writable' });
    expect(write.status).toBe(204);
    const status = await call('GET', '/v1/status');
    expect(status.json.members.find((m: any) => m.id === 'n2').state).toBe('down');
    const heal = await call('POST', '/v1/admin/faults', { body: '{"isolate":[]}', headers: { 'content-type': 'application/json' } });
    expect(heal.status).toBe(200);
    // n1's failure detector probes n2 and brings it back.
    await waitUntil('n1 sees n2 up again', async () => {
      const again = await call('GET', '/v1/status');
      return again.json.members.every((m: any) => m.state === 'up');
    });
    expect((await call('GET', '/v1/kv/users/alice?r=3')).status).toBe(200);
  });
});

describe('metrics', () => {
  it('serves Prometheus text with request counts and latency per operation', async () => {
    await call('PUT', '/v1/kv/m/k', { body: 'x' });
    await call('GET', '/v1/kv/m/k');
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/dynamo_http_requests_total\{[^}]*op="put"[^}]*status="204"[^}]*\} [1-9]/);
    expect(metrics.text).toMatch(/dynamo_http_request_duration_seconds_bucket\{[^}]*op="get"/);
    for (const name of ['dynamo_hints_pending', 'dynamo_transfers_pending', 'dynamo_anti_entropy_exchanges_total', 'dynamo_peer_frames_rejected_total']) {
      expect(metrics.text).toContain(name);
    }
  });

  it('exposes every _total family as a counter and every counter as a _total family', async () => {
    const metrics = await call('GET', '/metrics');
    const types = new Map([...metrics.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]));
    expect(types.size).toBeGreaterThan(20);
    for (const [name, type] of types) {
      expect(type === 'counter', `${name} is a ${type}`).toBe(name.endsWith('_total'));
    }
    expect(metrics.text).toMatch(/^dynamo_background_failures_total\{task="read-repair",node="n1"\} \d+$/m);
  });

  // promtool is Prometheus' own lint (Debian's prometheus package, which .ci/run installs).
  it.skipIf(!hasPromtool)('passes promtool check metrics without a word', async () => {
    const metrics = await call('GET', '/metrics');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics.text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
