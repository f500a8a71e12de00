// Proves GET /v1/admin/events on a real 3-node cluster (processes, TCP, LevelDB): a subscriber
// receives the node's events as they happen (a fault injected and healed, a member going down
// and up) and one metric sample a second that counts the writes it served, with their latency;
// and, on a stream built in this process, that a subscriber who stops reading is dropped once
// its unsent bytes pass the bound, while the others go on, and that each second's sample holds
// that second's operations per second and latency percentiles per operation (on fake timers: the
// second is advanced, not waited for) beside the node's figures.

import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MetricSample, NodeEvent } from '../../core/admin/events.js';
import { NodeEventStream, subscriberBufferBytesMax } from '../../core/api/event-stream.js';
import type { NodeAdmin, NodeFigures } from '../../core/node/admin.js';
import type { NodeEventListener } from '../../core/node/node-events.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { subscribe } from '../support/event-stream.js';
import { waitUntil } from '../support/wait.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('GET /v1/admin/events', () => {
  it('streams faults, member changes and metric samples as they happen', async () => {
    const n1 = cluster.endpoints.get('n1')!;
    const stream = await subscribe(n1);
    const post = (body: unknown) => request(`${n1}/v1/admin/faults`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.body.dump());
    await post({ isolate: ['n2'] });
    // Writes through n1 while n2 is cut off: the failed replica writes make n2 down for n1.
    for (let i = 0; i < 5; i++) await cluster.client('n1').put('events', `k${i}`, `v${i}`);
    await waitUntil('n1 reports n2 down', () => stream.events.some((e) => e.type === 'member' && e.id === 'n2' && e.state === 'down'));
    await post({ isolate: [] });
    await waitUntil('n1 reports n2 up again', () => stream.events.some((e) => e.type === 'member' && e.id === 'n2' && e.state === 'up'));
    const faults = stream.events.filter((e) => e.type === 'faults');
    expect(faults.map((e) => (e.type === 'faults' ? e.isolated : []))).toEqual([['n2'], []]);
    expect(stream.events.every((e) => e.node === 'n1' && typeof e.at === 'number')).toBe(true);
    await waitUntil('a metric sample counts the writes', () =>
      stream.events.some((e) => e.type === 'metrics' && e.sample.opsPerSecond.put > 0),
    );
    const withPuts = stream.events.find((e) => e.type === 'metrics' && e.sample.opsPerSecond.put > 0);
    const sample = withPuts?.type === 'metrics' ? withPuts.sample : undefined;
    expect(sample?.latencyMs?.put?.p50).toBeGreaterThan(0);
    expect(sample?.latencyMs?.put?.p999).toBeGreaterThanOrEqual(sample?.latencyMs?.put?.p50 ?? Infinity);
    expect(sample?.keysRepairedTotal).toBe(0);
    stream.close();
  });
});

/** Figures as NodeAdmin reports them (the fields the sampler reads); each call returns a fresh copy, as the node's does. */
function fakeAdmin() {
  const listeners = new Set<NodeEventListener>();
  const figures = {
    requests: { inFlight: 0 },
    hints: { pending: 0 },
    transfers: { pending: 0 },
    antiEntropy: { keysRepaired: 0 },
    peer: { transport: { bytesIn: 0, bytesOut: 0 } },
  };
  const admin = {
    id: 'n1',
    figures: () => structuredClone(figures) as unknown as NodeFigures,
    subscribe: (listener: NodeEventListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as NodeAdmin;
  return { admin, figures, listeners };
}

/** A response that keeps what it is given: writableLength grows unless someone reads. */
function fakeResponse(reads: boolean) {
  const fake = Object.assign(new EventEmitter(), {
    writableLength: 0,
    written: 0,
    texts: [] as string[],
    write(text: string) {
      fake.written++;
      fake.texts.push(text);
      if (!reads) fake.writableLength += text.length;
      return true;
    },
    destroy() {
      fake.emit('close');
    },
    end() {},
  });
  return fake;
}

describe('NodeEventStream', () => {
  it('drops a subscriber that stops reading once its unsent bytes pass the bound, and serves the others', () => {
    const { admin, listeners } = fakeAdmin();
    const stream = new NodeEventStream(admin);
    const slow = fakeResponse(false);
    const fast = fakeResponse(true);
    stream.add(slow as unknown as ServerResponse);
    stream.add(fast as unknown as ServerResponse);
    const big: NodeEvent = { type: 'faults', isolated: ['x'.repeat(64 * 1024)] };
    const events = Math.ceil(subscriberBufferBytesMax / (64 * 1024)) + 2;
    for (let i = 0; i < events; i++) for (const listener of listeners) listener(big);
    expect(stream.dropped).toBe(1);
    expect(stream.size).toBe(1);
    expect(fast.written).toBe(events);
    expect(slow.written).toBeLessThan(events);
    stream.close();
    expect(listeners.size).toBe(0);
  });

  it("samples each second's operations per second and latency percentiles per operation, with the node's figures", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const { admin, figures } = fakeAdmin();
      const stream = new NodeEventStream(admin);
      const reader = fakeResponse(true);
      stream.add(reader as unknown as ServerResponse);
      const samples = (): MetricSample[] =>
        reader.texts.filter((text) => text.startsWith('data: ')).map((text) => JSON.parse(text.slice(6))).filter((e) => e.type === 'metrics').map((e) => e.sample);
      const near = (actual: number | undefined, expected: number) => expect(Math.abs((actual ?? NaN) - expected) / expected).toBeLessThan(0.01);

      // First second: 100 puts (99 of 2 ms, one of 80 ms), 10 gets of 1 ms, no delete; admin requests are no operation.
      for (let i = 0; i < 99; i++) stream.observe('put', 2);
      stream.observe('put', 80);
      for (let i = 0; i < 10; i++) stream.observe('get', 1);
      stream.observe('admin', 500);
      Object.assign(figures, { requests: { inFlight: 3 }, hints: { pending: 4 }, transfers: { pending: 1 }, antiEntropy: { keysRepaired: 7 } });
      figures.peer.transport = { bytesIn: 1000, bytesOut: 2000 };
      vi.advanceTimersByTime(1000);
      const [first] = samples();
      expect(first.opsPerSecond).toEqual({ get: 10, put: 100, delete: 0 });
      near(first.latencyMs?.put?.p50, 2);
      near(first.latencyMs?.put?.p99, 2);
      near(first.latencyMs?.put?.p999, 80);
      near(first.latencyMs?.get?.p999, 1);
      expect(first.latencyMs?.delete).toBeNull();
      expect(first).toMatchObject({ requestsInFlight: 3, hintsPending: 4, transfersPending: 1, keysRepaired: 7, keysRepairedTotal: 7, peerBytesIn: 1000, peerBytesOut: 2000 });

      // The next second starts empty: one delete, two more keys repaired, no peer traffic.
      stream.observe('delete', 3);
      figures.antiEntropy.keysRepaired = 9;
      vi.advanceTimersByTime(1000);
      const [, second] = samples();
      expect(second.opsPerSecond).toEqual({ get: 0, put: 0, delete: 1 });
      expect(second.latencyMs?.get).toBeNull();
      expect(second.latencyMs?.put).toBeNull();
      near(second.latencyMs?.delete?.p50, 3);
      expect(second).toMatchObject({ keysRepaired: 2, keysRepairedTotal: 9, peerBytesIn: 0, peerBytesOut: 0 });
      stream.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
