// Proves the console's request traces (core/console/trace-reader.ts) against a real 4-node
// cluster of processes (N = 3, R = W = 2, ring of 16) whose nodes sample nothing, so every trace
// here was asked for. A traced PUT and GET come back with the node's status, a summary and the
// trace the answer named: the GET's shows three replica reads, exactly two of them marked as
// making R = 2. A PUT while a primary is isolated from its coordinator shows the fallback's
// hinted write for that primary; a PUT through a node outside the preference list comes back
// with the coordinator's own trace as well. Error answers (404, 400) are results, not failures.
// Listings merge every member's traces, filter by node, op and key, and order them newest or
// slowest first. A node that is not a member, a trace that no node keeps, and a member that does
// not answer each give a clear sentence. Four nodes, so that a key has a node outside its
// preference list (a fallback, a forwarder). Pure parts (the summary of an answer, the merge
// order) are checked on fixed values at the end.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceListing, TraceRequest, TraceView } from '../../core/admin/admin-api.js';
import { readSource } from '../../core/console/cluster-reader.js';
import { ConsoleError } from '../../core/console/errors.js';
import type { KeyContext } from '../../core/console/key-reader.js';
import { NodeHttp } from '../../core/console/node-http.js';
import { answerSummary, dataRequest, listTraces, mergeListings, trace, traceRequest } from '../../core/console/trace-reader.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { httpCall } from '../support/http-call.js';
import { waitUntil } from '../support/wait.js';

let cluster: TestCluster;
const http = new NodeHttp();
/** Members the tests say are not running (as a local console's supervisor would). */
const notRunning = new Set<string>();
let context: KeyContext;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 4, ringSize: 16, traceSample: 0 });
  const source = await readSource(
    http,
    cluster.ids.map((id) => ({ id, url: cluster.endpoints.get(id)! })),
  );
  context = { http, source, notRunning: (id) => (notRunning.has(id) ? `${id} is not running (its process is stopped)` : undefined) };
});
afterAll(async () => {
  await http.close();
  await cluster?.stop();
});

const bucket = 'traced';

function request(node: string, op: TraceRequest['op'], key: string, extra: Partial<TraceRequest> = {}): TraceRequest {
  return { node, op, bucket, key, ...(op === 'put' ? { value: 'v' } : {}), ...extra };
}

/** A key whose preference list starts with `first` (and so leaves one node out). */
async function keyLedBy(first: string, prefix: string): Promise<{ key: string; preference: string[] }> {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    const { json } = await httpCall(`${cluster.endpoints.get(first)}/v1/admin/preference/${bucket}/${key}`, 'GET');
    if (json.preference[0] === first) return { key, preference: json.preference };
  }
}

async function isolate(on: string, peers: string[]): Promise<void> {
  const answer = await httpCall(`${cluster.endpoints.get(on)}/v1/admin/faults`, 'POST', {
    body: JSON.stringify({ isolate: peers }),
    headers: { 'content-type': 'application/json' },
  });
  expect(answer.status).toBe(200);
}

async function rejection(promise: Promise<unknown>): Promise<ConsoleError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConsoleError);
  return error as ConsoleError;
}

describe('a traced request', () => {
  it('PUT answers 204 with its new context and the trace its answer named', async () => {
    const result = await traceRequest(context, request('n1', 'put', 'read-me', { value: 'hello' }));
    expect(result).toMatchObject({ status: 204, summary: '204 stored', context: expect.any(String) });
    expect(result.trace).toMatchObject({ node: 'n1', op: 'put', bucket, key: 'read-me', coordinator: 'n1', reason: 'requested', answer: { status: 'ok' } });
    expect(result.trace!.id).toMatch(/^n1-/);
    expect(result.coordinatorTrace).toBeUndefined();
  });

  it('PUT with dw = 2 shows at least two durable acks among the writes', async () => {
    const { key } = await keyLedBy('n1', 'durable');
    const result = await traceRequest(context, request('n1', 'put', key, { value: 'kept', dw: 2 }));
    expect(result).toMatchObject({ status: 204, summary: '204 stored' });
    const acks = result.trace!.messages.filter((message) => message.kind === 'write' && message.reply?.kind === 'ack');
    expect(acks.filter((message) => message.reply?.kind === 'ack' && message.reply.durable === true).length).toBeGreaterThanOrEqual(1);
    // The coordinator's own write counts too: its stored version and one durable replica ack make dw = 2.
    expect(result.trace!.answer).toMatchObject({ status: 'ok' });
    const refused = await traceRequest(context, request('n1', 'put', key, { value: 'x', w: 1, dw: 2 }));
    expect(refused).toMatchObject({ status: 400, summary: expect.stringMatching(/^400 bad_quorum/) });
  });

  it('GET at R = 2 shows three replica reads, exactly two of them marked as the quorum', async () => {
    const result = await traceRequest(context, request('n1', 'get', 'read-me', { r: 2 }));
    expect(result).toMatchObject({ status: 200, summary: '200 · 1 version', context: expect.any(String) });
    const shown = result.trace!;
    expect(shown).toMatchObject({ node: 'n1', op: 'get', key: 'read-me', r: 2, answer: { status: 'ok', summary: expect.stringMatching(/^1 version /) } });
    const reads = shown.messages.filter((message) => message.kind === 'read');
    expect(reads).toHaveLength(3);
    expect(new Set(reads.map((read) => read.node)).size).toBe(3);
    const quorum = reads.filter((read) => read.quorum);
    expect(quorum).toHaveLength(2);
    // The answer went out on the reply that completed R: both quorum replies came before it.
    for (const read of quorum) {
      expect(read.reply).toMatchObject({ kind: 'version', siblings: 1 });
      expect(read.answeredAtMs).not.toBeNull();
      expect(read.answeredAtMs!).toBeLessThanOrEqual(shown.answer!.atMs);
    }
    expect(shown.states[0]).toMatchObject({ state: 'waitingForReplicas' });
  });

  it('GET of a key that does not exist is a 404 result with its trace, not a failure', async () => {
    const result = await traceRequest(context, request('n2', 'get', 'never-written'));
    expect(result).toMatchObject({ status: 404, summary: '404 not found', trace: { node: 'n2', answer: { status: 'not_found' } } });
  });

  it('a request the node refuses is a result with the error code and sentence', async () => {
    const badQuorum = await traceRequest(context, request('n1', 'get', 'read-me', { r: 4 }));
    expect(badQuorum.status).toBe(400);
    expect(badQuorum.summary).toMatch(/^400 bad_quorum: /);
    // Refused before it was coordinated: the node kept no trace of it.
    expect(badQuorum.trace).toBeUndefined();
    const badContext = await traceRequest(context, request('n1', 'put', 'read-me', { context: 'forged' }));
    expect(badContext.status).toBe(400);
    expect(badContext.summary).toMatch(/^400 bad_context: /);
  });

  it('DELETE with the context of a read answers 204 deleted, and a later GET 404 (deleted)', async () => {
    const read = await traceRequest(context, request('n3', 'get', 'read-me'));
    const deleted = await traceRequest(context, request('n3', 'delete', 'read-me', { context: read.context }));
    expect(deleted).toMatchObject({ status: 204, summary: '204 deleted', trace: { op: 'delete', node: 'n3' } });
    const after = await traceRequest(context, request('n3', 'get', 'read-me'));
    expect(after).toMatchObject({ status: 404, summary: '404 not found (deleted)', trace: { answer: { status: 'not_found', summary: 'deleted' } } });
  });

  it("PUT while a primary is isolated from its coordinator shows the fallback's write with the primary it keeps the hint for", async () => {
    const { key, preference } = await keyLedBy('n1', 'hinted');
    const cut = preference[1];
    await isolate('n1', [cut]);
    try {
      const result = await traceRequest(context, request('n1', 'put', key));
      expect(result.status).toBe(204);
      const id = result.trace!.id;
      const fallbackWrite = (shown: TraceView) =>
        shown.messages.find((message) => message.kind === 'write' && message.role === 'fallback' && message.hintFor === cut && message.reply !== null);
      // The fallback is written once the primary's write failed, possibly after the answer.
      let shown = result.trace!;
      await waitUntil('the fallback write is answered', async () => fallbackWrite((shown = await trace(context, 'n1', id))) !== undefined);
      const write = fallbackWrite(shown)!;
      expect(preference).not.toContain(write.node);
      expect(write.reply).toEqual({ kind: 'ack' });
      expect(shown.messages.filter((message) => message.quorum)).toHaveLength(2);
    } finally {
      await isolate('n1', []);
    }
  });

  it("PUT through a node outside the preference list comes back with the coordinator's own trace", async () => {
    const { key, preference } = await keyLedBy('n2', 'forwarded');
    const outsider = cluster.ids.find((id) => !preference.includes(id))!;
    const result = await traceRequest(context, request(outsider, 'put', key));
    expect(result).toMatchObject({ status: 204, summary: '204 stored' });
    const forwarding = result.trace!;
    expect(forwarding.node).toBe(outsider);
    expect(preference).toContain(forwarding.forwardedTo);
    expect(forwarding.messages).toEqual([expect.objectContaining({ kind: 'forward', node: forwarding.forwardedTo, reply: expect.objectContaining({ kind: 'answer', status: 'ok' }) })]);
    expect(result.coordinatorTrace).toMatchObject({
      id: forwarding.coordinatorTraceId,
      node: forwarding.forwardedTo,
      coordinator: forwarding.forwardedTo,
      op: 'put',
      key,
      answer: { status: 'ok' },
    });
    expect(result.coordinatorTrace!.messages.filter((message) => message.kind === 'write').length).toBeGreaterThanOrEqual(3);
  });
});

describe('the list of traces', () => {
  const ids: Record<string, Array<{ node: string; id: string }>> = { put: [], get: [] };

  beforeAll(async () => {
    for (const node of ['n2', 'n3']) ids.put.push({ node, id: (await traceRequest(context, request(node, 'put', 'listed'))).trace!.id });
    for (const node of ['n2', 'n3', 'n4']) ids.get.push({ node, id: (await traceRequest(context, request(node, 'get', 'listed'))).trace!.id });
    await traceRequest(context, request('n2', 'get', 'other-key'));
  });

  const named = (listings: TraceListing[]) => listings.map(({ node, id }) => ({ node, id }));

  it("merges every member's traces of the key, each with its node, newest first", async () => {
    const page = await listTraces(context, { key: 'listed' });
    expect(page.unreachable).toEqual([]);
    expect(new Set(named(page.traces).map((entry) => entry.id))).toEqual(new Set([...ids.put, ...ids.get].map((entry) => entry.id)));
    for (const listing of page.traces) expect(listing.id.startsWith(`${listing.node}-`)).toBe(true);
    const started = page.traces.map((listing) => listing.startedAt);
    expect(started).toEqual([...started].sort((a, b) => b - a));
    // The last request: a GET through n4, which found the siblings the two blind PUTs made.
    expect(page.traces[0]).toMatchObject({ ...ids.get[2], op: 'get', bucket, key: 'listed', status: 'siblings', durationMs: expect.any(Number) });
    // Three reads, and read repairs where a replica had missed one of the PUTs.
    expect(page.traces[0].messages).toBeGreaterThanOrEqual(3);
  });

  it('filters by op and by node, and cuts to the limit', async () => {
    const gets = await listTraces(context, { key: 'listed', op: 'get' });
    expect(new Set(named(gets.traces).map((entry) => entry.id))).toEqual(new Set(ids.get.map((entry) => entry.id)));
    expect(gets.traces.every((listing) => listing.op === 'get')).toBe(true);
    const onN3 = await listTraces(context, { key: 'listed', node: 'n3' });
    expect(new Set(named(onN3.traces))).toEqual(new Set([ids.put[1], ids.get[1]]));
    const all = await listTraces(context, { key: 'listed' });
    const two = await listTraces(context, { key: 'listed', limit: 2 });
    expect(named(two.traces)).toEqual(named(all.traces).slice(0, 2));
    const inBucket = await listTraces(context, { bucket, op: 'get' });
    expect(inBucket.traces.map((listing) => listing.key)).toContain('other-key');
  });

  it('orders slowest first', async () => {
    const slowest = await listTraces(context, { key: 'listed', slowest: true });
    expect(slowest.traces).toHaveLength(5);
    const durations = slowest.traces.map((listing) => listing.durationMs!);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
  });
});

describe('what cannot be read', () => {
  it('says so plainly: a node that is no member, a trace no node keeps', async () => {
    const stranger = await rejection(trace(context, 'n9', 'n9-abcd-1'));
    expect(stranger.code).toBe('not_found');
    expect(stranger.message).toBe('n9 is not a member of the cluster (its members are n1, n2, n3, n4)');
    const forgotten = await rejection(trace(context, 'n1', 'n1-zzzz-999999'));
    expect(forgotten.code).toBe('not_found');
    expect(forgotten.message).toMatch(/^n1 keeps no trace n1-zzzz-999999: a node keeps only its most recent traces/);
    expect((await rejection(traceRequest(context, request('n9', 'get', 'x')))).code).toBe('not_found');
    expect((await rejection(listTraces(context, { node: 'n9' }))).code).toBe('not_found');
  });

  it('lists a member whose process is not running as unreachable, and refuses to send it a request', async () => {
    notRunning.add('n4');
    try {
      const page = await listTraces(context, { key: 'listed' });
      expect(page.unreachable).toEqual([{ node: 'n4', message: 'n4 is not running (its process is stopped)' }]);
      expect(page.traces.some((listing) => listing.node === 'n4')).toBe(false);
      expect(page.traces.length).toBeGreaterThan(0);
      const refused = await rejection(traceRequest(context, request('n4', 'get', 'listed')));
      expect(refused).toMatchObject({ code: 'unavailable', message: 'n4 is not running (its process is stopped)' });
    } finally {
      notRunning.delete('n4');
    }
  });

  it('names a member that does not answer, and a request to it is an unavailable failure', async () => {
    await cluster.supervisor.stop('n4');
    const page = await listTraces(context, {});
    expect(page.unreachable).toHaveLength(1);
    expect(page.unreachable[0].node).toBe('n4');
    expect(page.unreachable[0].message).toMatch(/^n4 does not answer: cannot reach http:\/\/127\.0\.0\.1:\d+/);
    const failed = await rejection(traceRequest(context, request('n4', 'get', 'listed')));
    expect(failed.code).toBe('unavailable');
    expect(failed.message).toMatch(/^n4 does not answer/);
  });
});

describe('pure parts', () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, body, headers });

  it('summarises each kind of answer in a few words after its status', () => {
    expect(answerSummary('get', answer(200, { context: 'c', siblings: [{}, {}] }))).toBe('200 · 2 siblings');
    expect(answerSummary('get', answer(404, { error: 'not_found', message: 'no such key' }))).toBe('404 not found');
    expect(answerSummary('get', answer(404, { error: 'not_found' }, { 'x-dynamo-context': 'c' }))).toBe('404 not found (deleted)');
    expect(answerSummary('put', answer(503, { error: 'quorum', message: 'only 1 of 2 required replicas answered', acks: 1, required: 2 }))).toBe('503 quorum: 1 of 2 acks');
    expect(answerSummary('get', answer(503, { error: 'quorum', acks: 1, replies: 1, required: 2 }))).toBe('503 quorum: 1 of 2 replies');
    expect(answerSummary('put', answer(503, { error: 'overloaded', message: '64 requests are in flight already' }))).toBe('503 overloaded: 64 requests are in flight already');
    expect(answerSummary('delete', answer(204, {}))).toBe('204 deleted');
    expect(answerSummary('put', answer(502, { message: 'Bad gateway' }))).toBe('502: Bad gateway');
  });

  it('sends GETs for the sibling envelope with R, writes with W, the context and the value as UTF-8', () => {
    const get = dataRequest({ node: 'n1', op: 'get', bucket: 'b/1', key: 'k?', r: 3, w: 1 });
    expect(get).toMatchObject({ method: 'GET', path: '/v1/kv/b%2F1/k%3F?format=json&r=3', options: { headers: { 'x-dynamo-trace': '1' } } });
    const put = dataRequest({ node: 'n1', op: 'put', bucket: 'b', key: 'k', value: 'é', context: 'ctx', w: 1, r: 3 });
    expect(put).toMatchObject({ method: 'PUT', path: '/v1/kv/b/k?w=1', options: { headers: { 'x-dynamo-trace': '1', 'x-dynamo-context': 'ctx', 'content-type': 'text/plain; charset=utf-8' } } });
    expect(Buffer.from(put.options.body as Uint8Array)).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(dataRequest({ node: 'n1', op: 'put', bucket: 'b', key: 'k', value: '', w: 2, dw: 1 }).path).toBe('/v1/kv/b/k?w=2&dw=1');
    const del = dataRequest({ node: 'n1', op: 'delete', bucket: 'b', key: 'k' });
    expect(del).toMatchObject({ method: 'DELETE', path: '/v1/kv/b/k' });
    expect(del.options.body).toBeUndefined();
  });

  it('merges newest first, or slowest first with unanswered traces last', () => {
    const listing = (node: string, id: string, startedAt: number, durationMs: number | null): TraceListing => ({
      node,
      id,
      op: 'get',
      bucket: 'b',
      key: 'k',
      startedAt,
      durationMs,
      status: durationMs === null ? null : 'ok',
      messages: 3,
    });
    const all = [listing('n1', 'a', 100, 5), listing('n2', 'b', 300, null), listing('n3', 'c', 200, 9), listing('n1', 'd', 400, 5)];
    expect(mergeListings(all, false).map((entry) => entry.id)).toEqual(['d', 'b', 'c', 'a']);
    expect(mergeListings(all, true).map((entry) => entry.id)).toEqual(['c', 'd', 'a', 'b']);
  });
});
