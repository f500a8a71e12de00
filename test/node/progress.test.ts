// Proves, in the simulator (DynamoNode instances on a virtual clock, in-memory stores), the
// progress a node reports about its background work: every background anti-entropy tick is kept
// as a run marked "background", one partition with one peer, among the runs a manual run joins,
// newest first, while only manual runs send progress events; and a partition transfer to a
// joining node says how many keys it will send (keysTotal: exactly the keys sent when nothing is
// written meanwhile), when it started and, once a batch is out, the time left, on
// GET /v1/admin/transfers (the admin facade) and on the event stream, when it starts, while it
// runs and when it ends.

import { describe, expect, it } from 'vitest';
import type { NodeEvent } from '../../core/admin/events.js';
import type { TransferView } from '../../core/node/transfers.js';
import { emptyContext } from '../../core/version/causal-context.js';
import { simNodes } from '../support/sim-nodes.js';

const value = new TextEncoder().encode('v');

describe('anti-entropy runs in the background', () => {
  it('keeps each background tick as a run beside the manual ones, and reports progress only for manual runs', async () => {
    const sim = await simNodes();
    const [n1] = sim.nodes;
    const events: NodeEvent[] = [];
    n1.admin.subscribe((event) => events.push(event));
    // The default interval is 10 s of virtual time: three ticks.
    await sim.clock.runUntil(() => n1.admin.antiEntropyRuns().length >= 3, 60_000);
    const manual = await sim.settle(n1.admin.runAntiEntropy({ partition: n1.admin.antiEntropyRuns()[0].partition }));
    await sim.clock.runUntil(() => n1.admin.antiEntropyRuns()[0].trigger === 'background', 60_000);

    const runs = n1.admin.antiEntropyRuns();
    expect(runs.length).toBe(5);
    expect(runs.map((run) => run.trigger)).toEqual(['background', 'manual', 'background', 'background', 'background']);
    expect(runs[1]).toEqual(manual);
    for (let i = 1; i < runs.length; i++) expect(runs[i - 1].startedAt).toBeGreaterThanOrEqual(runs[i].finishedAt);
    for (const run of runs.filter((r) => r.trigger === 'background')) {
      expect(run.exchanges).toEqual([{ partition: run.partition, peer: run.peer, segmentsDiffering: 0, keysRepaired: 0, bytesSent: run.bytesSent }]);
      expect(run).toMatchObject({ partitionsCompared: 1, keysRepaired: 0, repairedKeys: [] });
    }
    expect(new Set(runs.map((run) => run.runId)).size).toBe(5);
    // Progress events and a run event for the manual run only (background runs that repair nothing stay quiet).
    const progress = events.filter((e) => e.type === 'anti-entropy-progress');
    expect(progress.map((e) => e.type === 'anti-entropy-progress' && e.runId)).toEqual([manual.runId, manual.runId]);
    expect(events.filter((e) => e.type === 'anti-entropy').map((e) => e.type === 'anti-entropy' && e.runId)).toEqual([manual.runId]);
    await sim.settle(sim.stop());
  });
});

describe('a manual anti-entropy run with a replica down', () => {
  it('goes on without a peer whose exchange fails and names it, but ends at a peer named in the target', async () => {
    const sim = await simNodes({ antiEntropyIntervalMs: 3_600_000, requestTimeoutMs: 500 });
    const [n1] = sim.nodes;
    sim.network.isolate('n3');
    const run = await sim.settle(n1.admin.runAntiEntropy({}), 60_000);
    expect(run.error).toBeUndefined();
    expect(run.peersFailed).toEqual([{ peer: 'n3', error: expect.any(String) }]);
    // Every partition n1 replicates was compared with n2 (with N=3 of 3 nodes, all of them).
    expect(run.partitionsCompared).toBe(n1.admin.ring().partitions.length);
    expect(run.exchanges.every((exchange) => exchange.peer === 'n2')).toBe(true);
    // Named, n3 ends the run: the failed run is kept with its error.
    await expect(sim.settle(n1.admin.runAntiEntropy({ peer: 'n3' }), 60_000)).rejects.toThrow();
    expect(n1.admin.antiEntropyRuns()[0]).toMatchObject({ peer: 'n3', error: expect.any(String) });
    expect(n1.admin.antiEntropyRuns()[0].peersFailed).toBeUndefined();
    sim.network.heal();
    await sim.settle(sim.stop());
  });
});

describe('transfer progress', () => {
  it('reports the keys a transfer will send, when it started and the time left, and the same figures as events', async () => {
    const sim = await simNodes({ ids: ['n1', 'n2', 'n3', 'n4', 'n5'], joining: ['n5'], ringSize: 16, delayMs: 2, seed: 11, antiEntropyIntervalMs: 3_600_000 });
    const { clock, nodes, settle } = sim;
    // Enough keys that a transfer sends several batches (one a partition at least, of at most transferBatchKeysMax).
    const writes = Array.from({ length: 1000 }, (_, i) =>
      nodes[i % 4].put('b', `key-${i}`, { context: emptyContext(), value, contentType: 'text/plain', deleted: false, w: 3 }),
    );
    for (const outcome of await settle(Promise.all(writes), 60_000)) expect(outcome.kind).toBe('ok');

    const events: Array<NodeEvent & { node: string }> = [];
    for (const node of nodes) node.admin.subscribe((event) => events.push({ ...event, node: node.id }));
    const sending: TransferView[] = [];
    const joined = nodes[4].admin.join('n1');
    const done = await clock.runUntil(() => {
      for (const node of nodes.slice(0, 4)) {
        for (const view of node.admin.transfers().partitions) {
          if (view.state === 'sending' && view.from === node.id && view.keysSent > 0 && sending.length < 100) sending.push(view);
        }
      }
      return events.some((e) => e.type === 'transfer') && nodes.every((node) => node.admin.transfersPending() === 0);
    }, 600_000);
    await settle(joined, 60_000);
    expect(done).toBe(true);

    // A transfer the receiver refuses (it has not yet adopted the plan) fails and is retried: the done ones are judged.
    const ended = events.flatMap((e) => (e.type === 'transfer' && e.state === 'done' ? [e] : []));
    const progress = events.flatMap((e) => (e.type === 'transfer-progress' ? [e] : []));
    expect(ended.length).toBeGreaterThan(0);
    for (const end of ended) {
      // Nothing was written during the transfer: the estimate is exact.
      expect(end.keysTotal).toBe(end.keysSent);
      expect(end.keysSent).toBeGreaterThan(0);
      // Its first progress event came as it started, from the sender, with the same figures.
      const mine = progress.filter((p) => p.node === end.node && p.partition === end.partition && p.to === end.to && p.startedAt === end.startedAt);
      expect(mine[0]).toMatchObject({ from: end.node, keysSent: 0, keysTotal: end.keysTotal, startedAt: end.startedAt });
      expect(mine[0].etaMs).toBeUndefined();
      for (const later of mine.slice(1)) {
        expect(later.keysSent).toBeGreaterThan(0);
        expect(later.etaMs).toBeGreaterThanOrEqual(0);
      }
    }
    // Seen mid-way on the admin facade: a transfer with batches out says how long it has left.
    expect(sending.length).toBeGreaterThan(0);
    for (const view of sending) {
      expect(view.keysTotal).toBeGreaterThanOrEqual(view.keysSent);
      expect(view.startedAt).toEqual(expect.any(Number));
      expect(view.etaMs).toBeGreaterThanOrEqual(0);
    }
    await settle(sim.stop(), 60_000);
  }, 60_000);
});
