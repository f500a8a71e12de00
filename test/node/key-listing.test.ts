// Proves finding keys across a cluster of real DynamoNode instances in the simulator (four
// nodes, N = 3, a ring of 8): paging with a small limit, from any node, lists every key exactly
// once; bucket and prefix filters are exact; the sibling filter and the bucket counts follow two
// blind writes and their resolution; every node's index and counts equal a recount of its store
// after a seeded workload of blind writes, resolutions and deletes with a node cut off, then
// read repair and anti-entropy; a node cut off costs nothing while another replica of each
// partition answers; and malformed cursors and peer messages are refused with errors, the node
// answering on.

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import type { DynamoNode } from '../../core/node/dynamo-node.js';
import type { KeyPage, KeyQuery } from '../../core/node/key-listing.js';
import { decodeRecord } from '../../core/node/record-codec.js';
import { decodeDataKey, encodeDataKey } from '../../core/storage/keys.js';
import type { Store } from '../../core/storage/store.js';
import { simNodes } from '../support/sim-nodes.js';

const ids = ['n1', 'n2', 'n3', 'n4'];
const fruit = [...Array.from({ length: 20 }, (_, i) => `apple-${i}`), ...Array.from({ length: 10 }, (_, i) => `berry-${i}`)];
const veg = Array.from({ length: 15 }, (_, i) => `leek-${i}`);
const value = (text: string) => ({ context: { vv: {}, dots: [] }, value: new TextEncoder().encode(text), contentType: 'text/plain', deleted: false, w: 3 });

async function cluster() {
  const sim = await simNodes({ ids, seed: 3, requestTimeoutMs: 200 });
  for (const key of fruit) expect((await sim.settle(sim.nodes[0].put('fruit', key, value(key)))).kind).toBe('ok');
  for (const key of veg) expect((await sim.settle(sim.nodes[1].put('veg', key, value(key)))).kind).toBe('ok');
  /** Every page of a listing through `node`, following the cursor. */
  const pages = async (node: DynamoNode, query: KeyQuery): Promise<KeyPage[]> => {
    const out: KeyPage[] = [];
    let cursor: string | undefined;
    do {
      const page = await sim.settle(node.admin.listKeys({ ...query, cursor }));
      out.push(page);
      cursor = page.cursor;
      expect(out.length).toBeLessThan(200);
    } while (cursor !== undefined);
    return out;
  };
  const listed = async (node: DynamoNode, query: KeyQuery) => (await pages(node, query)).flatMap((page) => page.keys.map((k) => `${k.bucket}/${k.key}`));
  const buckets = (node: DynamoNode) => sim.settle(node.admin.buckets());
  return { ...sim, pages, listed, buckets };
}

const all = [...fruit.map((k) => `fruit/${k}`), ...veg.map((k) => `veg/${k}`)].sort();

describe('finding keys across a simulated cluster', () => {
  it('pages through every key exactly once from any node, with progress', async () => {
    const { nodes, pages, stop } = await cluster();
    for (const node of nodes) {
      const seen = await pages(node, { limit: 7 });
      const names = seen.flatMap((page) => page.keys.map((k) => `${k.bucket}/${k.key}`));
      expect(names.length).toBe(all.length);
      expect([...names].sort()).toEqual(all);
      expect(seen.slice(0, -1).every((page) => page.keys.length === 7)).toBe(true);
      const done = seen.map((page) => page.progress.partitionsDone);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(seen.at(-1)!.progress).toEqual({ partitionsDone: 8, partitions: 8 });
      expect(seen.flatMap((page) => page.keys).every((k) => k.siblings === 1 && k.lastModified > 0)).toBe(true);
    }
    await stop();
  });

  it('filters by bucket and by prefix, with and without a bucket', async () => {
    const { nodes, listed, stop } = await cluster();
    expect((await listed(nodes[2], { bucket: 'veg', limit: 4 })).sort()).toEqual(veg.map((k) => `veg/${k}`).sort());
    expect((await listed(nodes[2], { bucket: 'fruit', prefix: 'berry-', limit: 3 })).sort()).toEqual(fruit.filter((k) => k.startsWith('berry-')).map((k) => `fruit/${k}`).sort());
    const expected = ['fruit/apple-1', ...Array.from({ length: 10 }, (_, i) => `fruit/apple-1${i}`)].sort();
    expect((await listed(nodes[3], { prefix: 'apple-1', limit: 2 })).sort()).toEqual(expected);
    expect(await listed(nodes[0], { bucket: 'none' })).toEqual([]);
    await stop();
  });

  it('lists and counts keys with siblings after two blind writes, and no more once resolved', async () => {
    const { nodes, settle, listed, pages, buckets, stop } = await cluster();
    expect(await listed(nodes[0], { siblingsOnly: true })).toEqual([]);
    expect((await buckets(nodes[0])).buckets).toEqual([
      { bucket: 'fruit', keys: 30, keysWithSiblings: 0 },
      { bucket: 'veg', keys: 15, keysWithSiblings: 0 },
    ]);
    expect((await settle(nodes[1].put('fruit', 'apple-3', value('a')))).kind).toBe('ok');
    expect((await settle(nodes[2].put('fruit', 'apple-3', value('b')))).kind).toBe('ok');
    const [page] = await pages(nodes[3], { siblingsOnly: true });
    expect(page.keys).toMatchObject([{ bucket: 'fruit', key: 'apple-3', siblings: 3 }]);
    expect((await buckets(nodes[3])).buckets).toEqual([
      { bucket: 'fruit', keys: 30, keysWithSiblings: 1 },
      { bucket: 'veg', keys: 15, keysWithSiblings: 0 },
    ]);
    // The read's context covers every sibling: one version remains on every replica.
    const read = await settle(nodes[0].get('fruit', 'apple-3'));
    if (read.kind !== 'ok') throw new Error('read failed');
    expect((await settle(nodes[0].put('fruit', 'apple-3', { ...value('resolved'), context: { vv: read.state.vv, dots: [] } }))).kind).toBe('ok');
    expect(await listed(nodes[2], { siblingsOnly: true })).toEqual([]);
    expect((await buckets(nodes[2])).buckets[0]).toEqual({ bucket: 'fruit', keys: 30, keysWithSiblings: 0 });
    await stop();
  });

  it('answers while a node is cut off, from the other replicas', async () => {
    const { nodes, network, settle, listed, buckets, stop } = await cluster();
    network.isolate('n4');
    expect((await listed(nodes[0], { limit: 9 })).sort()).toEqual(all);
    expect((await buckets(nodes[1])).buckets.map((b) => b.keys)).toEqual([30, 15]);
    // Its requests cut off in flight end on the virtual clock.
    await settle(stop());
  });

  it('refuses malformed cursors and queries, and malformed peer messages, and answers on', async () => {
    const { nodes, network, settle, stop } = await cluster();
    const admin = nodes[0].admin;
    const bad = (query: KeyQuery) => expect(settle(admin.listKeys(query))).rejects.toMatchObject({ code: 'bad_request' });
    await bad({ cursor: 'not a cursor' });
    await bad({ cursor: Buffer.from([2, 0, 0]).toString('base64url') });
    await bad({ cursor: Buffer.from([1, 0, 9]).toString('base64url') });
    await bad({ cursor: Buffer.concat([Buffer.from([1, 0, 3]), encodeDataKey(4, 'b', 'k')]).toString('base64url') });
    await bad({ cursor: Buffer.from([1, 0, 3, 200, 1]).toString('base64url') });
    await bad({ limit: 0 });
    await bad({ limit: 1001 });
    await bad({ bucket: '' });
    const stranger = network.transport('x');
    const refused = async (message: Record<string, unknown>) =>
      expect(settle(stranger.request('n1', { type: 'x', ...message }, { timeoutMs: 100 }))).rejects.toMatchObject({ remoteCode: 'bad_message' });
    await refused({ type: 'replica.keys', p: 'zero', sib: false, lim: 1, scan: 1 });
    await refused({ type: 'replica.keys', p: 0, sib: false, lim: 0, scan: 1 });
    await refused({ type: 'replica.keys', p: 0, sib: 'yes', lim: 1, scan: 1 });
    await refused({ type: 'replica.keys', p: 0, a: encodeDataKey(1, 'b', 'k'), sib: false, lim: 1, scan: 1 });
    await refused({ type: 'replica.keys', p: 0, b: 'x'.repeat(300), sib: false, lim: 1, scan: 1 });
    await refused({ type: 'replica.buckets', ps: [-1] });
    await refused({ type: 'replica.buckets', ps: 'all' });
    expect(nodes[0].admin.figures().peer.peerRequestsRejected).toBe(7);
    const page = await settle(admin.listKeys({ limit: 1000 }));
    expect(page.keys.length).toBe(all.length);
    await stop();
  });

  it("keeps every node's index and counts equal to a recount of its store through merges and repairs", async () => {
    const stores = new Map<string, Store>();
    const sim = await simNodes({ ids, seed: 5, requestTimeoutMs: 200, wrapStore: (id, store) => (stores.set(id, store), store) });
    const { nodes, network, settle } = sim;
    const random = new SeededRandom(42);
    const keyNames = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const step = async () => {
      const node = nodes[random.int(3)];
      const bucket = random.int(2) === 0 ? 'a' : 'b';
      const key = keyNames[random.int(keyNames.length)];
      const choice = random.int(4);
      if (choice < 2) return settle(node.put(bucket, key, { ...value('blind'), w: 2 }));
      // Resolve or delete with what a read saw.
      const read = await settle(node.get(bucket, key));
      const context = read.kind === 'ok' ? { vv: read.state.vv, dots: [] } : { vv: {}, dots: [] };
      return settle(node.put(bucket, key, { ...value('seen'), context, w: 2, deleted: choice === 3 }));
    };
    // n4 misses a first round of writes; after healing, reads repair some keys and anti-entropy the rest.
    network.isolate('n4');
    for (let i = 0; i < 60; i++) await step();
    network.heal();
    for (let i = 0; i < 30; i++) await step();
    for (const key of keyNames) await settle(nodes[3].get('a', key));
    for (const node of nodes) await settle(node.admin.runAntiEntropy(), 20_000);

    const stranger = network.transport('x');
    for (const node of nodes) {
      const id = node.admin.id;
      const expected = new Map<string, { keys: number; withSiblings: number }>();
      const withSiblings: string[] = [];
      for await (const [dataKey, bytes] of stores.get(id)!.data.range({})) {
        const { bucket, key } = decodeDataKey(dataKey);
        const versions = decodeRecord(bytes).siblings.length;
        const count = expected.get(bucket) ?? { keys: 0, withSiblings: 0 };
        count.keys++;
        if (versions > 1) {
          count.withSiblings++;
          withSiblings.push(`${bucket}/${key}/${versions}`);
        }
        expected.set(bucket, count);
      }
      const counts = await settle(stranger.request(id, { type: 'replica.buckets', ps: [0, 1, 2, 3, 4, 5, 6, 7] }, { timeoutMs: 100 }));
      expect(counts.counts, id).toEqual([...expected].sort(([x], [y]) => (x < y ? -1 : 1)).map(([bucket, c]) => [bucket, c.keys, c.withSiblings]));
      const indexed: string[] = [];
      for (let p = 0; p < 8; p++) {
        const page = await settle(stranger.request(id, { type: 'replica.keys', p, sib: true, lim: 1000, scan: 10_000 }, { timeoutMs: 100 }));
        for (const [dataKey, versions] of page.keys as Array<[Uint8Array, number]>) {
          const { bucket, key } = decodeDataKey(dataKey);
          indexed.push(`${bucket}/${key}/${versions}`);
        }
      }
      expect(indexed.sort(), id).toEqual(withSiblings.sort());
    }
    // n4 was brought up to date by merges: hints handed off, read repairs, anti-entropy.
    const merges = nodes.map((node) => {
      const figures = node.admin.figures();
      return figures.hints.delivered + figures.requests.readRepairs + figures.antiEntropy.keysRepaired;
    });
    expect(merges.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    await settle(sim.stop());
  });
});
