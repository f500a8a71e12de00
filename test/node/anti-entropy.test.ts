// Proves that an anti-entropy exchange costs what differs, not what is stored: two replicas of
// 100,000 keys that differ in 10 keys exchange a few kilobytes and repair exactly those 10 (its
// report names them, with the side that was behind), after which their trees are equal. Two in-process nodes on the simulated network (no faults)
// and in-memory stores; the keys are written straight into each replica.

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import type { Member } from '../../core/common/types.js';
import { SimNetwork } from '../../core/net/sim-network.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';
import { DynamoNode } from '../../core/node/dynamo-node.js';
import { encodeRecord } from '../../core/node/record-codec.js';
import { encodeDataKey } from '../../core/storage/keys.js';
import { keyDigest } from '../../core/ring/key-digest.js';
import { partitionOfDigest } from '../../core/ring/partitioner.js';
import { MemoryStore } from '../../core/storage/memory-store.js';
import type { BatchOp } from '../../core/storage/store.js';
import { coordinatePut, type SiblingSet } from '../../core/version/sibling-set.js';

const keys = 100_000;

function version(coordinator: string, value: string): SiblingSet {
  const result = coordinatePut(undefined, {}, coordinator, {
    value: new TextEncoder().encode(value),
    contentType: 'text/plain',
    lastModified: 0,
    deleted: false,
  });
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

describe('anti-entropy exchange cost', () => {
  it('grows with the differing keys, not with the data', async () => {
    const clock = new VirtualClock();
    const network = new SimNetwork({ random: new SeededRandom(1), clock });
    const members: Member[] = ['a', 'b'].map((id) => ({ id, http: id, peer: id, weight: 1 }));
    const stores = { a: new MemoryStore(), b: new MemoryStore() };
    // Fill both stores directly (batches of stored records) before the nodes start: a starting
    // node builds its trees from what its store holds.
    const shared = encodeRecord(version('a', 'same'));
    const other = encodeRecord(version('b', 'other'));
    const batches: Record<'a' | 'b', BatchOp[]> = { a: [], b: [] };
    for (let i = 0; i < keys; i++) {
      const key = `key-${i}`;
      const dataKey = encodeDataKey(partitionOfDigest(keyDigest('b', key), 8), 'b', key);
      batches.a.push({ type: 'put', key: dataKey, value: shared });
      // Ten keys differ on b: five carry another version, five are missing.
      if (i % 10_000 !== 0) batches.b.push({ type: 'put', key: dataKey, value: shared });
      else if (i % 20_000 === 0) batches.b.push({ type: 'put', key: dataKey, value: other });
    }
    // In key order, so the in-memory store appends rather than inserts.
    const byKey = (x: BatchOp, y: BatchOp) => Buffer.compare(x.key, y.key);
    await stores.a.open();
    await stores.b.open();
    await stores.a.data.batch(batches.a.sort(byKey));
    await stores.b.data.batch(batches.b.sort(byKey));
    const [a, b] = await Promise.all(
      members.map(async (member) => {
        const store = stores[member.id as 'a' | 'b'];
        const node = new DynamoNode({
          id: member.id,
          store,
          transport: network.transport(member.id),
          clock,
          ringSize: 8,
          n: 2,
          r: 1,
          w: 1,
          self: member,
          formed: { cluster: 'test', members },
          random: new SeededRandom(2),
          seedsAreAddresses: false,
          antiEntropyIntervalMs: 1e9,
        });
        await node.start();
        return node;
      }),
    );

    const exchange = a.admin.runAntiEntropy({ peer: 'b' });
    await clock.runUntil(() => false, 10_000);
    const report = await exchange;

    expect(report.partitionsCompared).toBe(8);
    expect(report.keysRepaired).toBe(10);
    // Five keys b lacked (b behind), five where each side held a version the other lacked.
    expect(report.repairedKeys.filter((k) => k.behind === 'peer').length).toBe(5);
    expect(report.repairedKeys.filter((k) => k.behind === 'both').length).toBe(5);
    const both = report.repairedKeys.find((k) => k.key === 'key-0')!;
    expect(both).toMatchObject({ bucket: 'b', peer: 'b', behind: 'both' });
    expect(both.versions.local?.before.map((v) => v.dot.node)).toEqual(['a']);
    expect(both.versions.peer?.before.map((v) => v.dot.node)).toEqual(['b']);
    expect(both.versions.local?.after.map((v) => v.dot.node)).toEqual(['a', 'b']);
    expect(report.segmentsDiffering).toBe(10);
    // 100,000 keys of ~40 stored bytes are ~4 MB; the exchange moves hashes down ten branches,
    // the key lists of ten segments (~12 keys each) and ten records each way.
    expect(report.bytesSent).toBeLessThan(16 * 1024);
    for (let partition = 0; partition < 8; partition++) {
      expect(a.admin.treeRoot(partition)).toBe(b.admin.treeRoot(partition));
    }
    // The differing keys now hold both versions on both replicas.
    const repaired = await b.admin.localReplica('b', 'key-0');
    expect(repaired?.siblings.map((s) => s.node).sort()).toEqual(['a', 'b']);
    await Promise.all([a.stop(), b.stop()]);
  }, 120_000);
});
