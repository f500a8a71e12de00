// Proves request traces over HTTP (CONTRACT.md: X-Dynamo-Trace, GET /v1/admin/traces) on a real
// 4-node cluster of processes (N = 3, R = W = 2) whose nodes sample no requests
// (--trace-sample 0), so every trace here was asked for: a traced GET names its trace, which
// shows the three replica reads, exactly two of them marked as making R, the machine's states
// in order and the answer; a PUT while a primary is isolated from its coordinator shows the
// fallback's write and the primary it holds the hint for; a forwarded PUT names its coordinator's
// own trace; the list filters by op and key and orders by duration; a request that does not ask
// leaves no trace; and bad parameters answer 400 bad_request. Four nodes, so that a key has a
// node outside its preference list (a fallback, a forwarder).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { httpCall } from '../support/http-call.js';
import { waitUntil } from '../support/wait.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 4, ringSize: 16, traceSample: 0 });
});
afterAll(async () => {
  await cluster?.stop();
});

async function call(on: string, method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}) {
  const answer = await httpCall(cluster.endpoints.get(on)! + path, method, options);
  return { ...answer, traceId: answer.headers['x-dynamo-trace-id'] as string | undefined };
}

const traced = { 'x-dynamo-trace': '1' };

async function trace(on: string, id: string) {
  const answer = await call(on, 'GET', `/v1/admin/traces/${encodeURIComponent(id)}`);
  expect(answer.status).toBe(200);
  return answer.json;
}

/** A key whose preference list starts with `first` (and so leaves one node out). */
async function keyLedBy(first: string, prefix: string): Promise<{ key: string; preference: string[] }> {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    const { json } = await call(first, 'GET', `/v1/admin/preference/t/${key}`);
    if (json.preference[0] === first) return { key, preference: json.preference };
  }
}

describe('a traced GET', () => {
  it('names its trace, which shows three reads, the two that made R, the states in order and the answer', async () => {
    // w=3: every replica holds the value before the read, so each read answers with it.
    expect((await call('n1', 'PUT', '/v1/kv/t/read-me?w=3', { body: 'v' })).status).toBe(204);
    const get = await call('n1', 'GET', '/v1/kv/t/read-me?r=2', { headers: traced });
    expect(get.status).toBe(200);
    expect(get.traceId).toMatch(/^n1-/);
    // The answer goes out at R = 2; the actor is done once the third read is answered.
    await waitUntil('the trace reaches done', async () => (await trace('n1', get.traceId!)).states.at(-1)?.state === 'done');
    const whole = await trace('n1', get.traceId!);
    expect(whole).toMatchObject({ id: get.traceId, op: 'get', bucket: 't', key: 'read-me', coordinator: 'n1', r: 2, reason: 'requested' });
    expect(typeof whole.partition).toBe('number');
    expect(whole.states.map((s: any) => s.state)).toEqual(['waitingForReplicas', 'readRepairing', 'done']);
    const reads = whole.messages.filter((m: any) => m.kind === 'read');
    expect(reads).toHaveLength(3);
    expect(reads.filter((m: any) => m.quorum)).toHaveLength(2);
    for (const read of reads) expect(read).toMatchObject({ role: 'primary', reply: { kind: 'version', siblings: 1 } });
    expect(whole.answer).toMatchObject({ status: 'ok', summary: expect.stringMatching(/^1 version /) });
    expect(whole.durationMs).toBe(whole.answer.atMs);
  });

  it('is traced when it asks with ?trace=1 too', async () => {
    const get = await call('n2', 'GET', '/v1/kv/t/read-me?trace=1');
    expect(get.status).toBe(200);
    expect((await trace('n2', get.traceId!)).op).toBe('get');
  });
});

describe('a traced PUT', () => {
  it("shows the fallback's write, and the primary it holds the hint for, while that primary is isolated", async () => {
    const { key, preference } = await keyLedBy('n1', 'hinted');
    const isolated = preference[1];
    expect((await call('n1', 'POST', '/v1/admin/faults', { body: JSON.stringify({ isolate: [isolated] }), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    try {
      const put = await call('n1', 'PUT', `/v1/kv/t/${key}`, { body: 'v', headers: traced });
      expect(put.status).toBe(204);
      const hinted = (t: any) => t.messages.find((m: any) => m.kind === 'write' && m.role === 'fallback' && m.hintFor === isolated && m.reply !== null);
      await waitUntil('the fallback write is answered', async () => hinted(await trace('n1', put.traceId!)) !== undefined);
      const whole = await trace('n1', put.traceId!);
      expect(preference).not.toContain(hinted(whole).node);
      expect(hinted(whole).reply).toEqual({ kind: 'ack' });
      expect(whole).toMatchObject({ op: 'put', key, w: 2, answer: { status: 'ok' } });
      expect(whole.messages.filter((m: any) => m.quorum)).toHaveLength(2);
    } finally {
      await call('n1', 'POST', '/v1/admin/faults', { body: JSON.stringify({ isolate: [] }), headers: { 'content-type': 'application/json' } });
    }
  });

  it("forwarded by a node outside the preference list, names its coordinator's own trace", async () => {
    const { key, preference } = await keyLedBy('n2', 'forwarded');
    const outsider = cluster.ids.find((id) => !preference.includes(id))!;
    const put = await call(outsider, 'PUT', `/v1/kv/t/${key}`, { body: 'v', headers: traced });
    expect(put.status).toBe(204);
    const whole = await trace(outsider, put.traceId!);
    expect(preference).toContain(whole.forwardedTo);
    expect(whole.messages).toEqual([expect.objectContaining({ kind: 'forward', node: whole.forwardedTo, reply: expect.objectContaining({ kind: 'answer', status: 'ok' }) })]);
    const remote = await trace(whole.forwardedTo, whole.coordinatorTraceId);
    expect(remote).toMatchObject({ op: 'put', key, coordinator: whole.forwardedTo, states: expect.arrayContaining([expect.objectContaining({ state: 'coordinating' })]) });
  });
});

describe('the list of traces', () => {
  it('filters by op and key, and orders newest first or slowest first', async () => {
    const ids: Record<string, string[]> = { get: [], put: [], delete: [] };
    for (let i = 0; i < 3; i++) ids.put.push((await call('n3', 'PUT', '/v1/kv/t/listed', { body: `v${i}`, headers: traced })).traceId!);
    for (let i = 0; i < 3; i++) ids.get.push((await call('n3', 'GET', '/v1/kv/t/listed', { headers: traced })).traceId!);
    ids.delete.push((await call('n3', 'DELETE', '/v1/kv/t/listed', { headers: traced })).traceId!);
    await call('n3', 'GET', '/v1/kv/t/other', { headers: traced });

    const list = async (query: string) => {
      const answer = await call('n3', 'GET', `/v1/admin/traces?${query}`);
      expect(answer.status).toBe(200);
      return answer.json.traces as any[];
    };
    expect((await list('op=get&key=listed')).map((s) => s.id)).toEqual([...ids.get].reverse());
    expect((await list('op=put&key=listed')).map((s) => s.id)).toEqual([...ids.put].reverse());
    const deleted = await list('op=delete&key=listed&limit=5');
    expect(deleted).toEqual([{ id: ids.delete[0], op: 'delete', bucket: 't', key: 'listed', startedAt: expect.any(Number), durationMs: expect.any(Number), status: 'ok', messages: expect.any(Number) }]);
    expect((await list('key=listed')).length).toBe(7);
    expect((await list('key=listed&limit=2')).length).toBe(2);
    const slowest = await list('key=listed&slowest=1');
    expect(new Set(slowest.map((s) => s.id))).toEqual(new Set([...ids.get, ...ids.put, ...ids.delete]));
    const durations = slowest.map((s) => s.durationMs);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
  });

  it('has no trace of a request that did not ask, with sampling off', async () => {
    const get = await call('n4', 'GET', '/v1/kv/t/unasked');
    expect(get.status).toBe(404);
    expect(get.traceId).toBeUndefined();
    const put = await call('n4', 'PUT', '/v1/kv/t/unasked', { body: 'v', headers: { 'x-dynamo-trace': '0' } });
    expect(put.status).toBe(204);
    expect(put.traceId).toBeUndefined();
    for (const id of cluster.ids) expect((await call(id, 'GET', '/v1/admin/traces?key=unasked')).json).toEqual({ traces: [] });
  });
});

describe('bad parameters', () => {
  it('answer 400 bad_request, and an unknown trace 404 not_found', async () => {
    for (const query of ['op=post', 'op=get&op=put', 'limit=0', 'limit=501', 'limit=ten', 'slowest=yes', 'key=', 'bucket=', 'since=1']) {
      const answer = await call('n1', 'GET', `/v1/admin/traces?${query}`);
      expect({ query, status: answer.status, error: answer.json?.error }).toEqual({ query, status: 400, error: 'bad_request' });
    }
    expect((await call('n1', 'GET', '/v1/admin/traces/n1-zzzz-999999')).json).toMatchObject({ error: 'not_found' });
    expect((await call('n1', 'GET', '/v1/admin/traces/n1-zzzz-999999')).status).toBe(404);
    expect((await call('n1', 'GET', `/v1/admin/traces/${'x'.repeat(200)}`)).status).toBe(400);
    expect((await call('n1', 'GET', '/v1/kv/t/read-me?trace=yes')).json).toMatchObject({ error: 'bad_request' });
    expect((await call('n1', 'GET', '/v1/kv/t/read-me', { headers: { 'x-dynamo-trace': 'on' } })).status).toBe(400);
  });
});
