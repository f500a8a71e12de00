// Proves the console's pure and in-process parts by tables of cases: a join plan is exactly the
// re-claim the gossip core makes when the node joins (membership-state.ts `reclaim`), for several
// cluster shapes and weights; the event hub delivers in order, first the listener's initial
// events, drops the oldest past its bound for a listener that falls behind, and survives a
// listener that throws; the SSE reader joins blocks split across chunks; and the AdminApi edge
// refuses unknown methods (prototype names included) and malformed arguments before any call.

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AdminApi, ConsoleEvent } from '../../core/admin/admin-api.js';
import { invokeAdmin } from '../../core/console/admin-dispatch.js';
import { EventHub } from '../../core/console/event-hub.js';
import { planJoinMoves } from '../../core/console/join-plan.js';
import { readServerSentEvents } from '../../core/console/node-event-feed.js';
import { claim } from '../../core/ring/claim.js';
import { reclaim, type MemberRecord, type MembershipState } from '../../core/membership/membership-state.js';
import { waitUntil } from '../support/wait.js';

function record(id: string, status: MemberRecord['status'], weight = 1): MemberRecord {
  return { id, http: `h-${id}`, peer: `p-${id}`, weight, status, version: 1 };
}

describe('planJoinMoves', () => {
  const shapes = [
    { ringSize: 32, n: 3, members: ['n1', 'n2', 'n3', 'n4', 'n5'], weights: {} as Record<string, number> },
    { ringSize: 64, n: 3, members: ['n1', 'n2', 'n3'], weights: { n2: 2 } },
    { ringSize: 16, n: 2, members: ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9'], weights: {} },
    { ringSize: 128, n: 3, members: ['a', 'b', 'c', 'd'], weights: { d: 3 } },
  ];
  for (const shape of shapes) {
    it(`matches the gossip core's re-claim (Q=${shape.ringSize}, ${shape.members.length} members)`, () => {
      const records = shape.members.map((id) => record(id, 'up', shape.weights[id] ?? 1));
      const owners = claim(shape.ringSize, records, shape.n);
      const state: MembershipState = {
        cluster: 'c',
        members: new Map(records.map((r) => [r.id, r])),
        ring: { ringSize: shape.ringSize, n: shape.n, plan: { version: 1, claimedFor: records.map(({ id, weight }) => ({ id, weight })), targets: owners }, owners, counters: owners.map(() => 1) },
      };
      const joined = reclaim({ ...state, members: new Map([...state.members, ['new', record('new', 'joining')]]) });
      const plan = planJoinMoves({ ringSize: shape.ringSize, n: shape.n, members: records, targets: owners, owners }, 'new');
      expect(plan.targets).toEqual(joined.ring!.plan.targets);
      const share = shape.ringSize / (records.reduce((sum, r) => sum + r.weight, 0) + 1);
      expect(plan.moves.length).toBeGreaterThanOrEqual(Math.floor(share));
      expect(plan.moves.length).toBeLessThanOrEqual(Math.ceil(share));
      expect(plan.moves.every((move) => move.to === 'new' && move.from === owners[move.partition])).toBe(true);
      expect(plan.ownershipAfter.new).toBe(plan.moves.length);
    });
  }

  it('refuses a node that is already a member, and a cluster without a ring', () => {
    const members = [record('n1', 'up')];
    expect(() => planJoinMoves({ ringSize: 8, n: 1, members, targets: Array(8).fill('n1'), owners: Array(8).fill('n1') }, 'n1')).toThrow(/already/);
    expect(() => planJoinMoves({ ringSize: 8, n: 1, members, targets: [], owners: [] }, 'n2')).toThrow(/no ring/);
  });
});

describe('EventHub', () => {
  const event = (i: number): ConsoleEvent => ({ type: 'connection', node: `n${i}`, at: i, connected: true });

  it('delivers the initial events first, then every event in order', async () => {
    const hub = new EventHub();
    const seen: number[] = [];
    hub.subscribe((e) => seen.push(e.at), [event(0)]);
    for (let i = 1; i <= 5; i++) hub.publish(event(i));
    await waitUntil('all six arrive', () => seen.length === 6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps at most its bound for a listener that is behind, dropping the oldest', async () => {
    const hub = new EventHub(10);
    const seen: number[] = [];
    hub.subscribe((e) => seen.push(e.at));
    // Published in one turn: nothing is delivered until the turn ends.
    for (let i = 0; i < 100; i++) hub.publish(event(i));
    await waitUntil('the kept events arrive', () => seen.length === 10);
    expect(seen).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    expect(hub.dropped).toBe(90);
  });

  it('goes on past a listener that throws, and stops delivering after unsubscribe', async () => {
    const errors: unknown[] = [];
    const hub = new EventHub(100, (error) => errors.push(error));
    const seen: number[] = [];
    hub.subscribe(() => {
      throw new Error('listener bug');
    });
    const stop = hub.subscribe((e) => seen.push(e.at));
    hub.publish(event(1));
    await waitUntil('the good listener gets it', () => seen.length === 1);
    expect(errors).toHaveLength(1);
    stop();
    hub.publish(event(2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1]);
  });
});

describe('readServerSentEvents', () => {
  it('joins blocks split across chunks, skips comments and joins multi-line data', async () => {
    const chunks = [': hello\n\nda', 'ta: {"a":1}\n', '\ndata: x\ndata: y\n\n', 'data: {"b":2}\r\n\r\n'];
    const seen: string[] = [];
    await readServerSentEvents(Readable.from(chunks.map((c) => Buffer.from(c))), (data) => seen.push(data));
    expect(seen).toEqual(['{"a":1}', 'x\ny', '{"b":2}']);
  });

  it('rejects a block that never ends past the bound', async () => {
    const endless = Readable.from((function* () {
      for (let i = 0; i < 40; i++) yield Buffer.from(`data: ${'x'.repeat(64 * 1024)}`);
    })());
    await expect(readServerSentEvents(endless, () => undefined)).rejects.toThrow(/larger than/);
  });
});

describe('invokeAdmin', () => {
  const called: string[] = [];
  const api = new Proxy({} as AdminApi, {
    get: (_target, name) => async () => void called.push(String(name)),
  });
  const cases: Array<[unknown, unknown]> = [
    ['toString', []],
    ['__proto__', []],
    ['constructor', []],
    ['subscribe', []],
    ['killNode', []],
    ['killNode', ['n 1']],
    ['killNode', 'n1'],
    ['isolateNode', ['n1', [1]]],
    ['isolateNode', ['n1', ['n2'], 'x']],
    ['commitJoin', [{}]],
    ['clusterView', ['x']],
    ['listBuckets', [{}]],
    ['listKeys', [{ bucket: 'b' }, 'extra']],
    ['listKeys', [{ prefix: 5 }]],
    ['listKeys', [{ siblingsOnly: 'yes' }]],
    ['listKeys', [{ limit: 100_000 }]],
    ['listKeys', [{ cursor: 'has space' }]],
    ['listKeys', [null]],
    ['keyDetail', ['', 'k']],
    ['keyDetail', ['b', 'k'.repeat(1025)]],
    ['keyDetail', ['b', '\uDC00x']],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'aGk', contentType: 'text/plain' }]],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'aGk=', contentType: '' }]],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'aGk=', contentType: 'text/plain', context: 'a b' }]],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'aGk=', contentType: 'text/plain', extra: 1 }]],
    ['runAntiEntropy', []],
    ['runAntiEntropy', [{ partition: -1 }]],
    ['runAntiEntropy', [{ partition: 1.5 }]],
    ['runAntiEntropy', [{ peer: 'n2' }]],
    ['runAntiEntropy', [{ node: 'n 1' }]],
    ['runAntiEntropy', [{ node: 'n1', everything: true }]],
    ['antiEntropyRuns', ['n1']],
    ['handoff', [{}]],
    ['metricsHistory', [1]],
    ['listTraces', []],
    ['listTraces', [{ op: 'post' }]],
    ['listTraces', [{ limit: 0 }]],
    ['listTraces', [{ slowest: 'yes' }]],
    ['trace', ['n1']],
    ['trace', ['n1', 'id with space']],
    ['trace', ['n1', 'x'.repeat(129)]],
    ['traceRequest', [{ node: 'n1', op: 'put', bucket: 'b', key: 'k' }]],
    ['traceRequest', [{ node: 'n1', op: 'head', bucket: 'b', key: 'k' }]],
    ['traceRequest', [{ node: 'n1', op: 'get', bucket: 'b', key: 'k', r: 0 }]],
    ['traceRequest', [{ node: 'n1', op: 'get', bucket: 'b', key: '' }]],
    ['traceRequest', [{ node: 'n1', op: 'get', bucket: 'b', key: 'k', context: 'a b' }]],
    ['traceRequest', [{ node: 'n1', op: 'get', bucket: 'b', key: 'k', dw: 1 }]],
    ['traceRequest', [{ node: 'n1', op: 'put', bucket: 'b', key: 'k', value: 'v', dw: -1 }]],
  ];
  for (const [method, args] of cases) {
    it(`refuses ${String(method)}(${JSON.stringify(args)}) as bad_request without calling it`, async () => {
      await expect(invokeAdmin(api, method, args)).rejects.toMatchObject({ code: 'bad_request' });
      expect(called).toEqual([]);
    });
  }

  it('calls a well-formed request', async () => {
    await invokeAdmin(api, 'isolateNode', ['n1', ['n2', 'n3']]);
    await invokeAdmin(api, 'isolateNode', ['n1']);
    await invokeAdmin(api, 'listKeys', [{ bucket: 'carts', prefix: '', siblingsOnly: false, limit: 1000, cursor: 'c-1' }]);
    await invokeAdmin(api, 'keyDetail', ['carts', 'ü/ä 1']);
    await invokeAdmin(api, 'writeKey', [{ bucket: 'carts', key: 'k', value: '', contentType: 'text/plain; charset=utf-8', context: 'abc_-=' }]);
    await invokeAdmin(api, 'runAntiEntropy', [{}]);
    await invokeAdmin(api, 'runAntiEntropy', [{ node: 'n1', peer: 'n2', partition: 12 }]);
    await invokeAdmin(api, 'listTraces', [{ node: 'n2', op: 'get', bucket: 'carts', key: 'k', slowest: true, limit: 20 }]);
    await invokeAdmin(api, 'trace', ['n2', 'n2-1a2b']);
    await invokeAdmin(api, 'traceRequest', [{ node: 'n1', op: 'put', bucket: 'carts', key: 'k', value: '', contentType: 'text/plain', w: 3 }]);
    expect(called).toEqual(['isolateNode', 'isolateNode', 'listKeys', 'keyDetail', 'writeKey', 'runAntiEntropy', 'runAntiEntropy', 'listTraces', 'trace', 'traceRequest']);
  });
});
