// Proves that no acknowledged write is lost when a node is SIGKILLed mid-run: five real node
// processes, concurrent writers going through random nodes (blind writes, read-modify-writes
// with contexts, deletes), one node killed while they run; then a quorum read of every key is
// judged by the must/may checker (test/support/history.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import type { DynamoClient } from '../../core/api/client.js';
import { ClientKey, History } from '../support/history.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

const seed = Number(process.env.SEED ?? 1);
const writers = 8;
const opsPerWriter = 60;
const keys = 24;

describe('a 5-node cluster with a node SIGKILLed mid-run', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 5, ringSize: 32, requestTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it(`loses no acknowledged write (seed ${seed})`, async () => {
    const random = new SeededRandom(seed);
    const history = new History();
    const clients = new Map<string, DynamoClient>(cluster.ids.map((id) => [id, cluster.client(id)]));
    const victim = 'n3';
    let done = 0;
    let killed: Promise<unknown> | undefined;
    const totalOps = writers * opsPerWriter;

    async function writer(index: number): Promise<void> {
      const rng = random.fork();
      const known = new Map<string, ClientKey>();
      for (let op = 0; op < opsPerWriter; op++) {
        if (killed === undefined && ++done >= totalOps / 3) killed = cluster.supervisor.kill(victim);
        const key = `k${rng.int(keys)}`;
        const state = known.get(key) ?? new ClientKey();
        known.set(key, state);
        const node = cluster.ids[rng.int(cluster.ids.length)];
        const client = clients.get(node)!;
        const roll = rng.next();
        try {
          if (roll < 0.3) {
            const result = await client.get('b', key, { json: true });
            if ('siblings' in result) {
              state.afterRead(result.context, result.siblings.map((s) => Buffer.from(s.value).toString()));
            } else if (result.status === 404 && 'context' in result) {
              state.afterRead(result.context, []);
            }
            continue;
          }
          const deleting = roll > 0.92;
          const value = deleting ? undefined : `w${index}.${op}`;
          const blind = roll < 0.45 || state.context === undefined;
          const seen = blind ? [] : state.seen;
          const context = blind ? undefined : state.context;
          history.attempt(key, value, seen);
          const result = deleting
            ? await client.delete('b', key, { context })
            : await client.put('b', key, value!, { context, contentType: 'text/plain' });
          if (result.status === 204 && 'context' in result) {
            history.acknowledge(key, value, seen);
            state.afterWrite(result.context, value, seen);
          } else {
            history.fail();
            state.forget();
          }
        } catch {
          // The node is unreachable (it was killed): the write's outcome is unknown.
          history.fail();
          state.forget();
        }
      }
    }

    await Promise.all(Array.from({ length: writers }, (_, i) => writer(i)));
    await killed;
    expect(cluster.supervisor.snapshot().find((node) => node.id === victim)?.state).toBe('stopped');

    const reader = clients.get('n1')!;
    const violations = [];
    for (const key of history.keyNames) {
      const result = await reader.get('b', key, { json: true });
      expect([300, 404]).toContain(result.status);
      const values = 'siblings' in result ? result.siblings.map((s) => Buffer.from(s.value).toString()) : [];
      violations.push(...history.check(key, values));
    }
    expect(violations).toEqual([]);
    // The run did real work on both sides of the kill.
    expect(history.ackedWrites).toBeGreaterThan(totalOps / 3);
  });
});
