// Proves the trace recorder's rules with plain objects and a hand-moved clock: the sampling
// decision, the bounds (a ring of tracesKeptMax traces, and per trace at most traceMessagesMax
// messages, traceEventsMax events and traceStatesMax states, the rest counted as dropped), the
// list's filters and orders, and which replies a trace marks as having made the quorum, fed the
// same inspection events XState emits for a request's actor.

import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/common/clock.js';
import { SeededRandom } from '../../core/common/random.js';
import { TransportError } from '../../core/net/transport.js';
import { traceEventsMax, traceMessagesMax, tracesKeptMax, traceStatesMax } from '../../core/node/limits.js';
import { ackReply, errorReply, stateReply, TraceRecorder, type RequestTrace, type TraceHead } from '../../core/node/tracing.js';

function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return {
    now: () => now,
    setTimeout: () => undefined,
    clearTimeout: () => undefined,
    advance: (ms) => (now += ms),
  };
}

function recorder(sampleRate = 0, clock = manualClock()) {
  return new TraceRecorder({ self: 'n1', clock, random: new SeededRandom(3), sampleRate });
}

const getHead: TraceHead = { op: 'get', bucket: 'b', key: 'k', partition: 4, r: 2, requested: true };
const putHead: TraceHead = { op: 'put', bucket: 'b', key: 'k', partition: 4, w: 2, requested: true };

/** The inspection events XState emits for an event the actor receives and the state it leads to. */
function receive(trace: RequestTrace, event: Record<string, unknown> & { type: string }, state?: string): void {
  const actorRef = {} as InspectionEvent['actorRef'];
  trace.inspect({ type: '@xstate.event', rootId: 'x', actorRef, sourceRef: undefined, event });
  if (state !== undefined) trace.inspect({ type: '@xstate.snapshot', rootId: 'x', actorRef, event, snapshot: { value: state } as never });
}

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('sampling', () => {
  it('traces every request that asks, none other at rate 0, all at rate 1, about the rate between', () => {
    const off = recorder(0);
    const all = recorder(1);
    const some = recorder(0.1);
    const counts = { asked: 0, off: 0, all: 0, some: 0 };
    for (let i = 0; i < 10_000; i++) {
      if (off.sampled(true)) counts.asked++;
      if (off.sampled(false)) counts.off++;
      if (all.sampled(false)) counts.all++;
      if (some.sampled(false)) counts.some++;
    }
    expect({ asked: counts.asked, off: counts.off, all: counts.all }).toEqual({ asked: 10_000, off: 0, all: 10_000 });
    const sampled = counts.some;
    // A seeded generator: the count is fixed; the bounds only say it is the rate asked for.
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1200);
  });

  it('refuses a rate outside 0 to 1', () => {
    expect(() => recorder(1.5)).toThrow();
    expect(() => recorder(-0.1)).toThrow();
    expect(() => recorder(Number.NaN)).toThrow();
  });
});

describe('bounds', () => {
  it(`keeps the last ${tracesKeptMax} traces and forgets older ones`, () => {
    const traces = recorder();
    const ids: string[] = [];
    for (let i = 0; i < tracesKeptMax + 10; i++) ids.push(traces.begin({ ...getHead, key: `k${i}` }).id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(traces.size).toBe(tracesKeptMax);
    for (const id of ids.slice(0, 10)) expect(traces.get(id)).toBeUndefined();
    expect(traces.get(ids[10])?.key).toBe('k10');
    expect(traces.list({ slowest: false, limit: tracesKeptMax }).map((s) => s.id)).toEqual(ids.slice(10).reverse());
  });

  it('records at most the bounded messages, events and states per trace and counts the rest', () => {
    const trace = recorder().begin(getHead);
    for (let i = 0; i < traceMessagesMax + 5; i++) trace.sent('read', { node: `n${i}`, role: 'primary' });
    for (let i = 0; i < traceEventsMax + 7; i++) receive(trace, { type: 'FAILED', node: 'n2' });
    for (let i = 0; i < traceStatesMax + 3; i++) receive(trace, { type: 'X' }, `s${i}`);
    const json = trace.toJSON();
    expect(json.messages).toHaveLength(traceMessagesMax);
    expect(json.events).toHaveLength(traceEventsMax);
    expect(json.states).toHaveLength(traceStatesMax);
    expect(json.dropped).toEqual({ messages: 5, events: 7 + traceStatesMax + 3, states: 3 });
  });
});

describe('a traced GET', () => {
  it('records the path, the replies, the answer, and marks the R replies that made the quorum', async () => {
    const clock = manualClock();
    const trace = recorder(0, clock).begin(getHead);
    receive(trace, { type: 'xstate.init' }, 'waitingForReplicas');
    const replies = new Map<string, (value: unknown) => void>();
    for (const node of ['n1', 'n2', 'n3']) {
      void trace.observe(trace.sent('read', { node, role: 'primary' }), new Promise((resolve) => replies.set(node, resolve)), stateReply as (v: unknown) => ReturnType<typeof stateReply>);
    }
    const version = { vv: { n2: 1 }, siblings: [{ node: 'n2', counter: 1, value: new Uint8Array(1), contentType: 'x', lastModified: 0, deleted: false }] };
    clock.advance(3);
    replies.get('n3')!(version);
    await settled();
    receive(trace, { type: 'REPLY', node: 'n3' }, 'waitingForReplicas');
    clock.advance(2);
    replies.get('n1')!(null);
    await settled();
    receive(trace, { type: 'REPLY', node: 'n1' });
    trace.answerGet({ kind: 'ok', state: version });
    receive(trace, { type: 'REPLY', node: 'n1' }, 'readRepairing');
    clock.advance(4);
    replies.get('n2')!(version);
    await settled();
    receive(trace, { type: 'REPLY', node: 'n2' }, 'done');

    const json = trace.toJSON();
    expect(json.states.map((s) => s.state)).toEqual(['waitingForReplicas', 'readRepairing', 'done']);
    expect(json.states.map((s) => s.atMs)).toEqual([0, 5, 9]);
    expect(json.messages.map((m) => [m.node, m.quorum, m.reply?.kind, m.answeredAtMs])).toEqual([
      ['n1', true, 'not_found', 5],
      ['n2', false, 'version', 9],
      ['n3', true, 'version', 3],
    ]);
    expect(json.messages[2].reply).toEqual({ kind: 'version', siblings: 1, deleted: 0, dots: ['n2:1'] });
    expect(json.answer).toEqual({ status: 'ok', summary: '1 version n2:1', atMs: 5 });
    expect(json.durationMs).toBe(5);
  });

  it('marks nothing when the quorum was not met', () => {
    const trace = recorder().begin(getHead);
    const message = trace.sent('read', { node: 'n1', role: 'primary' });
    void trace.observe(message, Promise.resolve(null), stateReply);
    receive(trace, { type: 'REPLY', node: 'n1' });
    trace.answerGet({ kind: 'quorum', replies: 1, required: 2 });
    expect(trace.toJSON().messages.every((m) => !m.quorum)).toBe(true);
    expect(trace.toJSON().answer?.status).toBe('quorum');
  });
});

describe('a traced PUT', () => {
  it("counts a fallback's ack for the primary whose write failed, and never a future replica's", async () => {
    const trace = recorder().begin({ ...putHead, w: 3 });
    void trace.observe(trace.sent('write', { node: 'n1', role: 'primary' }), Promise.resolve(), ackReply);
    await settled();
    receive(trace, { type: 'STORED' }, 'waitingForReplicas');
    void trace.observe(trace.sent('write', { node: 'n5', role: 'primary' }, true), Promise.resolve(), ackReply);
    await settled();
    receive(trace, { type: 'ACK', node: 'n5' });
    const failed = trace.observe(trace.sent('write', { node: 'n2', role: 'primary' }), Promise.reject(new TransportError('unreachable', 'peer n2 is isolated')), ackReply);
    await failed.catch(() => undefined);
    void trace.observe(trace.sent('write', { node: 'n4', role: 'fallback', hintFor: 'n2' }), Promise.resolve(), ackReply);
    await settled();
    receive(trace, { type: 'ACK', node: 'n2' });
    void trace.observe(trace.sent('write', { node: 'n3', role: 'primary' }), Promise.resolve(), ackReply);
    await settled();
    receive(trace, { type: 'ACK', node: 'n3' });
    trace.answerPut({ kind: 'ok', dot: ['n1', 7] });

    const messages = trace.toJSON().messages;
    expect(messages.map((m) => [m.node, m.role, m.hintFor ?? null, m.future ?? false, m.reply?.kind, m.quorum])).toEqual([
      ['n1', 'primary', null, false, 'ack', true],
      ['n5', 'primary', null, true, 'ack', false],
      ['n2', 'primary', null, false, 'error', false],
      ['n4', 'fallback', 'n2', false, 'ack', true],
      ['n3', 'primary', null, false, 'ack', true],
    ]);
    expect(messages[2].reply).toEqual({ kind: 'error', code: 'unreachable', message: 'peer n2 is isolated' });
    expect(trace.toJSON().answer).toMatchObject({ status: 'ok', summary: 'stored as n1:7' });
  });

  it('describes a time-out and a peer error by their codes', () => {
    expect(errorReply(new TransportError('timeout', 'no answer'))).toEqual({ kind: 'timeout' });
    expect(errorReply(new TransportError('remote', 'refused', { remoteCode: 'overloaded' }))).toMatchObject({ kind: 'error', code: 'overloaded' });
    expect(errorReply(new Error('boom'))).toEqual({ kind: 'error', code: 'internal', message: 'boom' });
  });
});

describe('the list', () => {
  it('filters by op, bucket and key, newest first or slowest first with unanswered last', () => {
    const clock = manualClock();
    const traces = recorder(0, clock);
    const made: Array<{ id: string; duration: number | null }> = [];
    const specs: Array<[TraceHead['op'], string, number | null]> = [
      ['get', 'a', 5],
      ['put', 'a', 9],
      ['get', 'b', 1],
      ['get', 'a', null],
      ['delete', 'a', 2],
      ['get', 'a', 7],
    ];
    for (const [op, key, duration] of specs) {
      const trace = traces.begin({ ...getHead, op, key, w: 2 });
      if (duration !== null) {
        clock.advance(duration);
        if (op === 'get') trace.answerGet({ kind: 'quorum', replies: 0, required: 2 });
        else trace.answerPut({ kind: 'quorum', acks: 0, required: 2 });
      }
      made.push({ id: trace.id, duration });
    }
    const ids = (query: Parameters<TraceRecorder['list']>[0]) => traces.list(query).map((s) => s.id);
    expect(ids({ slowest: false, limit: 50 })).toEqual(made.map((m) => m.id).reverse());
    expect(ids({ op: 'get', key: 'a', slowest: false, limit: 50 })).toEqual([made[5].id, made[3].id, made[0].id]);
    expect(ids({ op: 'get', key: 'a', slowest: true, limit: 50 })).toEqual([made[5].id, made[0].id, made[3].id]);
    expect(ids({ slowest: true, limit: 2 })).toEqual([made[1].id, made[5].id]);
    expect(ids({ bucket: 'other', slowest: false, limit: 50 })).toEqual([]);
    const summary = traces.list({ op: 'delete', slowest: false, limit: 1 })[0];
    expect(summary).toEqual({ id: made[4].id, op: 'delete', bucket: 'b', key: 'a', startedAt: summary.startedAt, durationMs: 2, status: 'quorum', messages: 0 });
  });
});
