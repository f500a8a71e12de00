// Proves the key index and the per-bucket counts on one replica over a MemoryStore: a key is in
// the index exactly while it holds more than one version (tombstones counted), through
// coordinated writes, merges from peers and tombstone collection; the index entry goes in the
// same batch as the data and a write that keeps a key at one version writes the data alone; the
// counts a replica keeps as it writes equal those a restart counts from the store; a store
// written before the index existed gets it built at start; and a scan of one partition honours
// its bucket, prefix, position, limit and scan budget, from the data or from the index.

import { describe, expect, it, vi } from 'vitest';
import { KeyIndex, type KeyScan } from '../../core/node/key-index.js';
import { encodeRecord } from '../../core/node/record-codec.js';
import { Replica } from '../../core/node/replica.js';
import { decodeDataKey, encodeDataKey } from '../../core/storage/keys.js';
import { MemoryStore } from '../../core/storage/memory-store.js';
import { coordinatePut, mergeSiblingSets, type SiblingSet } from '../../core/version/sibling-set.js';

const none = { vv: {}, dots: [] };

async function openReplica(store = new MemoryStore()) {
  await store.open();
  const replica = new Replica({ store, hintsPerTargetMax: 100, keyLockQueueMax: 16, historyMax: 0 });
  await replica.index.load();
  for await (const [dataKey] of store.data.range({})) replica.index.countStored(dataKey);
  return { store, replica };
}

function writeOf(value: string, lastModified: number, deleted = false) {
  return { value: new TextEncoder().encode(value), contentType: 'text/plain', lastModified, deleted };
}

/** A state made on node `node` alone, as a peer would send it. */
function stateFrom(node: string, value: string, lastModified: number, deleted = false): SiblingSet {
  const result = coordinatePut(undefined, {}, node, writeOf(value, lastModified, deleted), [], 0);
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

async function put(replica: Replica, partition: number, bucket: string, key: string, coordinator: string, value: string, lastModified: number, context = none) {
  const { result } = await replica.coordinate(partition, bucket, key, context, coordinator, writeOf(value, lastModified));
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

async function scanKeys(index: KeyIndex, request: Partial<KeyScan> & { partition: number }) {
  const result = await index.scan({ siblingsOnly: false, limit: 1000, scanMax: 10_000, ...request });
  return {
    keys: result.keys.map((k) => ({ ...decodeDataKey(k.dataKey), versions: k.versions, lastModified: k.lastModified })),
    through: result.through === undefined ? undefined : decodeDataKey(result.through).key,
    scanned: result.scanned,
  };
}

const countsOf = (replica: Replica, partitions = [0, 1, 2, 3]) => Object.fromEntries(replica.index.bucketCounts(partitions));

describe('the index of keys with siblings', () => {
  it('holds a key exactly while it has more than one version, written with the data in one batch', async () => {
    const { store, replica } = await openReplica();
    const batch = vi.spyOn(store, 'batch');
    await put(replica, 1, 'b', 'k', 'n1', 'one', 10);
    expect(batch).not.toHaveBeenCalled();
    expect((await scanKeys(replica.index, { partition: 1, siblingsOnly: true })).keys).toEqual([]);
    expect(countsOf(replica)).toEqual({ b: { keys: 1, withSiblings: 0 } });

    // A blind write from another coordinator: two siblings, indexed in the same batch.
    const two = await put(replica, 1, 'b', 'k', 'n2', 'two', 20);
    expect(two.siblings).toHaveLength(2);
    expect(batch).toHaveBeenCalledTimes(1);
    expect(batch.mock.calls[0][0].map((op) => [op.space, op.type])).toEqual([['data', 'put'], ['meta', 'put']]);
    expect((await scanKeys(replica.index, { partition: 1, siblingsOnly: true })).keys).toEqual([
      { partition: 1, bucket: 'b', key: 'k', versions: 2, lastModified: 20 },
    ]);
    expect(countsOf(replica)).toEqual({ b: { keys: 1, withSiblings: 1 } });

    // A write with the context that covers both resolves them: out of the index.
    await put(replica, 1, 'b', 'k', 'n1', 'merged', 30, { vv: two.vv, dots: [] });
    expect(batch).toHaveBeenCalledTimes(2);
    expect(batch.mock.calls[1][0].map((op) => [op.space, op.type])).toEqual([['data', 'put'], ['meta', 'del']]);
    expect((await scanKeys(replica.index, { partition: 1, siblingsOnly: true })).keys).toEqual([]);
    expect(countsOf(replica)).toEqual({ b: { keys: 1, withSiblings: 0 } });

    // One version before and after: the data alone, as before the index existed.
    const current = (await replica.read(1, 'b', 'k'))!;
    await put(replica, 1, 'b', 'k', 'n1', 'again', 40, { vv: current.vv, dots: [] });
    expect(batch).toHaveBeenCalledTimes(2);
  });

  it('follows merges from peers, tombstones counted, and tombstone collection', async () => {
    const { replica } = await openReplica();
    // A replica that had nothing receives a state with two siblings (a repair, a handoff).
    await replica.mergeData(2, 'b', 'm', mergeSiblingSets(stateFrom('n1', 'x', 5), stateFrom('n2', 'y', 6), 0));
    expect((await scanKeys(replica.index, { partition: 2, siblingsOnly: true })).keys).toMatchObject([{ key: 'm', versions: 2, lastModified: 6 }]);
    // A third concurrent version merges in: the entry changes with it.
    await replica.mergeData(2, 'b', 'm', stateFrom('n3', 'z', 7));
    expect((await scanKeys(replica.index, { partition: 2, siblingsOnly: true })).keys).toMatchObject([{ key: 'm', versions: 3, lastModified: 7 }]);
    expect(countsOf(replica)).toEqual({ b: { keys: 1, withSiblings: 1 } });

    // Two concurrent deletes leave two tombstones: still siblings. Collected, the key is gone everywhere.
    const tombstones = mergeSiblingSets(stateFrom('n1', '', 8, true), stateFrom('n2', '', 9, true), 0);
    await replica.mergeData(3, 't', 'gone', tombstones);
    expect(countsOf(replica)).toEqual({ b: { keys: 1, withSiblings: 1 }, t: { keys: 1, withSiblings: 1 } });
    const bytes = (await replica.readBytes(3, 't', 'gone'))!;
    expect(await replica.reap(3, 't', 'gone', bytes)).toBe(true);
    expect((await scanKeys(replica.index, { partition: 3, siblingsOnly: true })).keys).toEqual([]);
    expect(countsOf(replica)).toEqual({ b: { keys: 1, withSiblings: 1 } });
    // A hint is not data: neither indexed nor counted.
    await replica.mergeHint('n9', 0, 'h', 'k', mergeSiblingSets(stateFrom('n1', 'x', 5), stateFrom('n2', 'y', 6), 0));
    expect(countsOf(replica)).toEqual({ b: { keys: 1, withSiblings: 1 } });
    expect((await scanKeys(replica.index, { partition: 0, siblingsOnly: true })).keys).toEqual([]);
  });

  it('keeps counts equal to what a restart counts from the store', async () => {
    const { store, replica } = await openReplica();
    for (let i = 0; i < 40; i++) {
      const partition = (i % 25) % 4;
      const bucket = i % 3 === 0 ? 'odd' : 'even';
      await put(replica, partition, bucket, `k${i % 25}`, `n${(i % 2) + 1}`, `v${i}`, i);
    }
    const kept = countsOf(replica);
    expect(Object.values(kept).some((count) => count.withSiblings > 0)).toBe(true);
    const restarted = await openReplica(store);
    expect(countsOf(restarted.replica)).toEqual(kept);
  });

  it('is built at start for a store written before it existed', async () => {
    const store = new MemoryStore();
    await store.open();
    const siblings = mergeSiblingSets(stateFrom('n1', 'x', 5), stateFrom('n2', 'y', 6), 0);
    await store.data.put(encodeDataKey(1, 'b', 'two'), encodeRecord(siblings));
    await store.data.put(encodeDataKey(1, 'b', 'one'), encodeRecord(stateFrom('n1', 'x', 5)));
    const { replica } = await openReplica(store);
    expect((await scanKeys(replica.index, { partition: 1, siblingsOnly: true })).keys).toMatchObject([{ key: 'two', versions: 2 }]);
    expect(countsOf(replica)).toEqual({ b: { keys: 2, withSiblings: 1 } });
  });
});

describe('a scan of one partition', () => {
  async function filled() {
    const { replica } = await openReplica();
    for (const bucket of ['apples', 'box', 'cart']) {
      for (const key of ['a1', 'a2', 'b1', 'b2', 'c1']) await put(replica, 5, bucket, key, 'n1', 'v', 1);
    }
    // Another partition, never listed by a scan of partition 5.
    await put(replica, 6, 'box', 'a1', 'n1', 'v', 1);
    // Siblings on box/a2 and cart/b1.
    await put(replica, 5, 'box', 'a2', 'n2', 'w', 2);
    await put(replica, 5, 'cart', 'b1', 'n2', 'w', 3);
    return replica.index;
  }
  const names = (result: { keys: Array<{ bucket: string; key: string }> }) => result.keys.map((k) => `${k.bucket}/${k.key}`);

  it('lists a bucket, a bucket and prefix, and a prefix across buckets', async () => {
    const index = await filled();
    // Data keys sort by bucket length first: box, cart, apples.
    expect(names(await scanKeys(index, { partition: 5 }))).toEqual([
      'box/a1', 'box/a2', 'box/b1', 'box/b2', 'box/c1',
      'cart/a1', 'cart/a2', 'cart/b1', 'cart/b2', 'cart/c1',
      'apples/a1', 'apples/a2', 'apples/b1', 'apples/b2', 'apples/c1',
    ]);
    expect(names(await scanKeys(index, { partition: 5, bucket: 'cart' }))).toEqual(['cart/a1', 'cart/a2', 'cart/b1', 'cart/b2', 'cart/c1']);
    expect(names(await scanKeys(index, { partition: 5, bucket: 'cart', prefix: 'b' }))).toEqual(['cart/b1', 'cart/b2']);
    const prefixed = await scanKeys(index, { partition: 5, prefix: 'b' });
    expect(names(prefixed)).toEqual(['box/b1', 'box/b2', 'cart/b1', 'cart/b2', 'apples/b1', 'apples/b2']);
    // It seeks past what cannot match: per bucket one key before the prefix and one after.
    expect(prefixed.scanned).toBeLessThanOrEqual(6 + 3 * 2);
    expect(names(await scanKeys(index, { partition: 5, siblingsOnly: true }))).toEqual(['box/a2', 'cart/b1']);
    expect(names(await scanKeys(index, { partition: 5, siblingsOnly: true, prefix: 'b' }))).toEqual(['cart/b1']);
    expect(names(await scanKeys(index, { partition: 5, siblingsOnly: true, bucket: 'box' }))).toEqual(['box/a2']);
  });

  it('starts after a position and says how far it got when its limit or budget stops it', async () => {
    const index = await filled();
    const first = await scanKeys(index, { partition: 5, bucket: 'box', limit: 2 });
    expect(names(first)).toEqual(['box/a1', 'box/a2']);
    expect(first.through).toBe('a2');
    const rest = await scanKeys(index, { partition: 5, bucket: 'box', after: encodeDataKey(5, 'box', 'a2') });
    expect(names(rest)).toEqual(['box/b1', 'box/b2', 'box/c1']);
    expect(rest.through).toBeUndefined();
    // A budget of 3 entries with a prefix that matches late: fewer keys, and the point reached.
    const budgeted = await scanKeys(index, { partition: 5, prefix: 'c', scanMax: 3 });
    expect(budgeted.scanned).toBe(3);
    expect(budgeted.through).toBeDefined();
    const all: string[] = [];
    let after: Uint8Array | undefined;
    for (let round = 0; round < 20; round++) {
      const result = await index.scan({ partition: 5, prefix: 'c', scanMax: 3, limit: 1000, siblingsOnly: false, after });
      all.push(...result.keys.map((k) => decodeDataKey(k.dataKey)).map((k) => `${k.bucket}/${k.key}`));
      if (result.through === undefined) break;
      after = result.through;
    }
    expect(all).toEqual(['box/c1', 'cart/c1', 'apples/c1']);
  });
});
