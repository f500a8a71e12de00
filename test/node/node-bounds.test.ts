// Proves the node's new bounds and its orderly stop, on real DynamoNode instances in the
// simulator (MemoryStore, SimNetwork, virtual clock): past its limit of client requests in
// flight a node refuses at once with `overloaded` and serves again once they finish; a key's
// lock queue refuses past its length; a periodic task reports a failed run and `stop()` waits
// for a run in progress; and `stop()` lets no peer request reach the store afterwards.

import { describe, expect, it } from 'vitest';
import { OverloadedError } from '../../core/node/coordination.js';
import { KeyBusyError, KeyLocks } from '../../core/node/key-locks.js';
import { PeriodicTask } from '../../core/node/periodic-task.js';
import type { Store } from '../../core/storage/store.js';
import { silentLog, type Log } from '../../core/common/log.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';
import { simNodes } from '../support/sim-nodes.js';

const simCluster = simNodes;

const write = { context: { vv: {}, dots: [] }, value: new Uint8Array([1]), contentType: 'text/plain', deleted: false };

describe('client requests in flight', () => {
  it('are refused with overloaded past the limit, and served again once the others finish', async () => {
    const { clock, nodes } = await simCluster({ inFlightMax: 2 });
    const first = nodes[0].get('b', 'k1');
    const second = nodes[0].put('b', 'k2', write);
    // Both wait on replicas 5 virtual ms away: the third request finds the node full.
    await expect(nodes[0].get('b', 'k3')).rejects.toBeInstanceOf(OverloadedError);
    expect(nodes[0].admin.figures().requests.overloaded).toBe(1);
    await clock.runUntil(() => false, 100);
    expect((await first).kind).toBe('ok');
    expect((await second).kind).toBe('ok');
    const third = nodes[0].get('b', 'k2');
    await clock.runUntil(() => false, 100);
    expect((await third).kind).toBe('ok');
    await Promise.all(nodes.map((node) => node.stop()));
  });
});

describe('an unexpected failure', () => {
  it('is answered internal, counted and logged, never disguised as a quorum failure', async () => {
    const errors: string[] = [];
    const log: Log = { ...silentLog, error: (_fields, message) => void errors.push(message) };
    // n1's disk fails every data write: its own replica cannot store the version it coordinates.
    const brokenDisk = (id: string, store: Store): Store => {
      if (id !== 'n1') return store;
      const data = Object.create(store.data) as Store['data'];
      data.put = () => Promise.reject(new Error('disk on fire'));
      data.batch = () => Promise.reject(new Error('disk on fire'));
      return Object.assign(Object.create(store) as Store, { data });
    };
    const { clock, nodes } = await simCluster({ wrapStore: brokenDisk, log });
    const outcome = nodes[0].put('b', 'k', write);
    await clock.runUntil(() => false, 100);
    expect(await outcome).toMatchObject({ kind: 'error', code: 'internal' });
    expect(nodes[0].admin.figures().requests.internalErrors).toBe(1);
    expect(errors.some((message) => message.includes('disk on fire'))).toBe(true);
    await Promise.all(nodes.map((node) => node.stop()));
  });
});

describe('key locks', () => {
  it('serialize one key and refuse past the queue length', async () => {
    const locks = new KeyLocks(2);
    const order: number[] = [];
    let release!: () => void;
    const held = locks.run('k', () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push(0)));
    const queued = [1, 2].map((i) => locks.run('k', async () => void order.push(i)));
    await expect(locks.run('k', async () => undefined)).rejects.toBeInstanceOf(KeyBusyError);
    expect(locks.refused).toBe(1);
    // Another key is not held up by this one's queue.
    await expect(locks.run('other', async () => 'free')).resolves.toBe('free');
    release();
    await Promise.all([held, ...queued]);
    expect(order).toEqual([0, 1, 2]);
    expect(locks.size).toBe(0);
  });
});

describe('periodic task', () => {
  it('reports a failed run, keeps going, and stop() waits for the run in progress', async () => {
    const clock = new VirtualClock();
    const errors: unknown[] = [];
    let runs = 0;
    let finishRun: (() => void) | undefined;
    const task = new PeriodicTask(
      clock,
      10,
      async () => {
        runs++;
        if (runs === 1) throw new Error('first run fails');
        await new Promise<void>((resolve) => (finishRun = resolve));
      },
      (error) => errors.push(error),
    );
    task.start();
    await clock.advance(10);
    expect(errors).toHaveLength(1);
    await clock.advance(10);
    expect(runs).toBe(2);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await clock.settle();
    expect(stopped).toBe(false);
    finishRun!();
    await stopping;
    expect(stopped).toBe(true);
    await clock.advance(100);
    expect(runs).toBe(2);
  });
});
