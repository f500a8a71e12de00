// Proves GET /v1/admin/events on a real 3-node cluster (processes, TCP, LevelDB): a subscriber
// receives the node's events as they happen (a fault injected and healed, a member going down
// and up) and one metric sample a second that counts the writes it served; and, on a stream
// built in this process, that a subscriber who stops reading is dropped once its unsent bytes
// pass the bound, while the others go on.

import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeEvent } from '../../core/admin/events.js';
import { NodeEventStream, subscriberBufferBytesMax } from '../../core/api/event-stream.js';
import type { NodeAdmin, NodeFigures } from '../../core/node/admin.js';
import type { NodeEventListener } from '../../core/node/node-events.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

type Received = NodeEvent & { node: string; at: number };

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

/** Subscribes to a node's events; `events` fills as they arrive. */
async function subscribe(endpoint: string): Promise<{ events: Received[]; close(): void }> {
  const controller = new AbortController();
  const response = await request(`${endpoint}/v1/admin/events`, { signal: controller.signal });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/event-stream');
  const events: Received[] = [];
  let buffer = '';
  response.body.setEncoding('utf8');
  response.body.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of block.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
    }
  });
  response.body.on('error', () => undefined);
  return { events, close: () => controller.abort() };
}

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
    stream.close();
  });
});

describe('NodeEventStream', () => {
  it('drops a subscriber that stops reading once its unsent bytes pass the bound, and serves the others', () => {
    const listeners = new Set<NodeEventListener>();
    const figures = { requests: { inFlight: 0 }, hints: { pending: 0 }, transfers: { pending: 0 }, antiEntropy: { keysRepaired: 0 }, peer: { transport: { bytesIn: 0, bytesOut: 0 } } } as unknown as NodeFigures;
    const admin = {
      id: 'n1',
      figures: () => figures,
      subscribe: (listener: NodeEventListener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    } as unknown as NodeAdmin;
    // A response that buffers what it is given: writableLength grows unless someone reads.
    const response = (reads: boolean) => {
      const fake = Object.assign(new EventEmitter(), {
        writableLength: 0,
        written: 0,
        write(text: string) {
          fake.written++;
          if (!reads) fake.writableLength += text.length;
          return true;
        },
        destroy() {
          fake.emit('close');
        },
        end() {},
      });
      return fake;
    };
    const stream = new NodeEventStream(admin);
    const slow = response(false);
    const fast = response(true);
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
});
