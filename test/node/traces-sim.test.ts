// Proves what a node's traces record about its real coordination: real DynamoNode instances in
// the simulator (virtual clock, simulated network), with sampling off so that only requests
// that ask are traced. A traced GET shows its actor's states, three reads and the two replies
// that made R = 2; a read of a stale replica shows the read repair sent after the answer; a put
// whose primary is cut off shows the fallback's hinted write; a forwarded put names the node that
// coordinated it and that node's own trace; and a node at sample rate 1 traces every request.

import { describe, expect, it } from 'vitest';
import type { DynamoNode } from '../../core/node/dynamo-node.js';
import type { TraceJson } from '../../core/node/tracing.js';
import { simNodes } from '../support/sim-nodes.js';

const write = (text: string) => ({ context: { vv: {}, dots: [] }, value: new TextEncoder().encode(text), contentType: 'text/plain', deleted: false });

function idOf(node: DynamoNode): string {
  return node.admin.status().id;
}

describe('traces of requests in the simulator', () => {
  it('show a GET: its states in order, three reads, the two that made R, and the answer', async () => {
    const { nodes, clock, settle, stop } = await simNodes({ traceSample: 0 });
    const [n1] = nodes;
    await settle(n1.put('b', 'k', write('v1')));
    expect(n1.admin.traces({ slowest: false, limit: 50 })).toEqual([]);

    const outcome = await settle(n1.get('b', 'k', 2, true));
    expect(outcome.kind).toBe('ok');
    const id = outcome.traceId!;
    expect(id).toMatch(/^n1-/);
    await clock.runUntil(() => n1.admin.trace(id)!.states.at(-1)?.state === 'done', 5_000);
    const trace = n1.admin.trace(id)!;
    expect(trace).toMatchObject({ op: 'get', bucket: 'b', key: 'k', coordinator: 'n1', r: 2, reason: 'requested', forwardedTo: null });
    expect(trace.states.map((s) => s.state)).toEqual(['waitingForReplicas', 'readRepairing', 'done']);
    expect(trace.events.map((e) => e.type)).toEqual(['xstate.init', 'REPLY', 'REPLY', 'REPLY']);
    const reads = trace.messages.filter((m) => m.kind === 'read');
    expect(reads.map((m) => m.node).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(reads.filter((m) => m.quorum)).toHaveLength(2);
    for (const read of reads) expect(read.reply).toMatchObject({ kind: 'version', siblings: 1, dots: [expect.stringMatching(/^n1:/)] });
    expect(trace.answer).toMatchObject({ status: 'ok', summary: expect.stringMatching(/^1 version n1:/) });
    // The answer went out when the second reply came in, before the third.
    const answeredAt = reads.map((m) => m.answeredAtMs!).sort((a, b) => a - b);
    expect(trace.answer!.atMs).toBe(answeredAt[1]);
    expect(n1.admin.traces({ slowest: false, limit: 50 }).map((s) => s.id)).toEqual([id]);
    await stop();
  });

  it('show the read repair a stale replica was sent after the answer', async () => {
    const { nodes, network, clock, settle, stop } = await simNodes({ traceSample: 0, requestTimeoutMs: 200 });
    const [n1, n2] = nodes;
    // n3 misses the write: cut off from n1 (the coordinator) while it is made.
    network.partition(['n1'], ['n3']);
    await settle(n1.put('b', 'k', write('v1')));
    network.heal();
    // n2 reads, so that n1's own view of n3's liveness does not matter.
    const outcome = await settle(n2.get('b', 'k', 3, true));
    const id = outcome.traceId!;
    const repairDone = (trace: TraceJson) => trace.messages.some((m) => m.kind === 'repair' && m.answeredAtMs !== null);
    await clock.runUntil(() => repairDone(n2.admin.trace(id)!), 5_000);
    const trace = n2.admin.trace(id)!;
    expect(trace.messages.find((m) => m.kind === 'read' && m.node === 'n3')?.reply).toEqual({ kind: 'not_found' });
    const repair = trace.messages.find((m) => m.kind === 'repair')!;
    expect(repair).toMatchObject({ node: 'n3', role: 'primary', reply: { kind: 'ack' }, quorum: false });
    expect(repair.sentAtMs).toBeGreaterThanOrEqual(trace.answer!.atMs);
    await stop();
  });

  it("show a fallback's hinted write for a primary the coordinator cannot reach", async () => {
    const { nodes, network, clock, settle, stop } = await simNodes({ ids: ['n1', 'n2', 'n3', 'n4'], traceSample: 0, requestTimeoutMs: 200 });
    const n1 = nodes[0];
    let key = '';
    let preference: readonly string[] = [];
    for (let i = 0; ; i++) {
      preference = n1.admin.locate('b', `k${i}`).preference;
      if (preference[0] === 'n1') {
        key = `k${i}`;
        break;
      }
    }
    const cutOff = preference[1];
    network.partition(['n1'], [cutOff]);
    const outcome = await settle(n1.put('b', key, { ...write('v'), trace: true }));
    expect(outcome.kind).toBe('ok');
    const id = outcome.traceId!;
    const hinted = (trace: TraceJson) => trace.messages.find((m) => m.role === 'fallback' && m.hintFor === cutOff && m.answeredAtMs !== null);
    await clock.runUntil(() => hinted(n1.admin.trace(id)!) !== undefined, 5_000);
    const trace = n1.admin.trace(id)!;
    const fallback = hinted(trace)!;
    expect(fallback).toMatchObject({ kind: 'write', reply: { kind: 'ack' } });
    expect(preference).not.toContain(fallback.node);
    expect(trace.messages.find((m) => m.node === cutOff)?.reply?.kind).toMatch(/^(timeout|error)$/);
    expect(trace.messages.filter((m) => m.quorum)).toHaveLength(2);
    expect(trace.states.map((s) => s.state)).toEqual(['coordinating', 'waitingForReplicas', 'done']);
    await stop();
  });

  it('show a forwarded put with the node that coordinated it and its own trace', async () => {
    const { nodes, settle, stop } = await simNodes({ ids: ['n1', 'n2', 'n3', 'n4'], traceSample: 0 });
    let key = '';
    let outsider: DynamoNode | undefined;
    for (let i = 0; outsider === undefined; i++) {
      const { preference } = nodes[0].admin.locate('b', `k${i}`);
      outsider = nodes.find((node) => !preference.includes(idOf(node)));
      key = `k${i}`;
    }
    const outcome = await settle(outsider.put('b', key, { ...write('v'), trace: true }));
    expect(outcome.kind).toBe('ok');
    const trace = outsider.admin.trace(outcome.traceId!)!;
    expect(trace.forwardedTo).not.toBeNull();
    expect(trace.messages).toEqual([expect.objectContaining({ kind: 'forward', node: trace.forwardedTo, reply: expect.objectContaining({ kind: 'answer', status: 'ok' }) })]);
    const coordinator = nodes.find((node) => idOf(node) === trace.forwardedTo)!;
    const remote = coordinator.admin.trace(trace.coordinatorTraceId!)!;
    expect(remote).toMatchObject({ op: 'put', key, coordinator: trace.forwardedTo, reason: 'requested', answer: { status: 'ok' } });
    expect(remote.messages.filter((m) => m.kind === 'write').length).toBeGreaterThanOrEqual(3);
    await stop();
  });

  it('are kept for every request at sample rate 1 and for none at 0', async () => {
    const all = await simNodes({ traceSample: 1 });
    for (let i = 0; i < 5; i++) await all.settle(all.nodes[0].put('b', `k${i}`, write('v')));
    await all.settle(all.nodes[0].get('b', 'k0'));
    expect(all.nodes[0].admin.traces({ slowest: false, limit: 50 }).map((s) => s.op)).toEqual(['get', 'put', 'put', 'put', 'put', 'put']);
    expect(all.nodes[0].admin.traces({ slowest: false, limit: 50 }).every((s) => s.durationMs !== null)).toBe(true);
    await all.stop();

    const none = await simNodes({ traceSample: 0 });
    for (let i = 0; i < 5; i++) expect((await none.settle(none.nodes[0].put('b', `k${i}`, write('v')))).traceId).toBeUndefined();
    for (const node of none.nodes) expect(node.admin.traces({ slowest: false, limit: 50 })).toEqual([]);
    await none.stop();
  });
});
