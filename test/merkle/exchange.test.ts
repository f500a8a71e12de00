// Tests of the anti-entropy exchange walker and key-list diff (core/merkle/exchange.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../core/common/assert.js';
import { SeededRandom } from '../../core/common/random.js';
import { answerHashRequest, diffKeyLists, ExchangeError, ExchangeWalker, type KeyItem } from '../../core/merkle/exchange.js';
import { HashTree, itemHashBytes } from '../../core/merkle/hash-tree.js';
import { buildTree, differingSegments, randomBytes, runExchange } from './merkle-helpers.js';

const hashArb = fc.uint8Array({ minLength: itemHashBytes, maxLength: itemHashBytes });

/**
 * The most hashes a walk can receive when `differing` segments differ: at each depth below the
 * root it asks for all children of the differing branches of the depth above, of which there
 * are at most min(size of that depth, differing). So 1 + Σ_{d ≥ 1} min(size(d), min(size(d-1), D) · fan(d-1)).
 */
function walkHashesMax(tree: HashTree, differing: number): number {
  let total = 1;
  for (let d = 1; d < tree.levels(); d++) {
    total += Math.min(tree.levelSize(d), Math.min(tree.levelSize(d - 1), differing) * tree.fanOut(d - 1));
  }
  return total;
}

/** One replica's partition in the tests: key id → (key digest, item hash). */
type Replica = Map<string, { digest: Uint8Array; hash: Uint8Array }>;

function treeOf(replica: Replica, shape: { segments: number; width: number }): HashTree {
  const tree = new HashTree(shape);
  for (const { digest, hash } of replica.values()) tree.update(tree.segmentOf(digest), undefined, hash);
  return tree;
}

function keyList(replica: Replica, tree: HashTree, segment: number): KeyItem[] {
  const list: KeyItem[] = [];
  for (const [id, { digest, hash }] of replica) if (tree.segmentOf(digest) === segment) list.push([id, hash]);
  return list;
}

/**
 * Two replicas of `keys` random keys that differ in `differences` keys: a third changed on one
 * side, a third missing on each side. Returns both and the ids that differ.
 */
function divergedReplicas(seed: number, keys: number, differences: number): { a: Replica; b: Replica; differing: string[] } {
  const random = new SeededRandom(seed);
  const a: Replica = new Map();
  for (let k = 0; k < keys; k++) a.set(`k${k}`, { digest: randomBytes(random, 16), hash: randomBytes(random, 8) });
  const b: Replica = new Map(a);
  const differing = new Set<string>();
  while (differing.size < differences) {
    const id = `k${random.int(keys)}`;
    if (differing.has(id)) continue;
    differing.add(id);
    const entry = a.get(id)!;
    const kind = differing.size % 3;
    if (kind === 0) b.set(id, { digest: entry.digest, hash: randomBytes(random, 8) });
    else if (kind === 1) b.delete(id);
    else a.delete(id);
  }
  return { a, b, differing: [...differing].sort() };
}

describe('ExchangeWalker', () => {
  it('stops after comparing the roots when the trees are equal', () => {
    // Proves the in-sync case costs one round trip of one hash, for empty and full trees alike.
    expect(runExchange(new HashTree(), new HashTree())).toEqual({ segments: [], rounds: 1, hashesReceived: 1, bytesSent: 8 });
    const { a } = divergedReplicas(1, 2000, 0);
    const shape = { segments: 1024, width: 32 };
    expect(runExchange(treeOf(a, shape), treeOf(new Map(a), shape))).toEqual({ segments: [], rounds: 1, hashesReceived: 1, bytesSent: 8 });
  });

  it('finds exactly the segments that differ, on any shape and any divergence', () => {
    // Proves the walk against the oracle that compares every segment: two trees share random
    // items, then each receives its own random writes; the walk must return exactly the
    // differing segments, in levels() rounds at most, within walkHashesMax.
    const shapeArb = fc.record({
      segments: fc.integer({ min: 1, max: 10 }).map((k) => 1 << k),
      width: fc.integer({ min: 1, max: 5 }).map((k) => 1 << k),
    });
    const writesArb = fc.array(fc.tuple(fc.nat(), hashArb), { maxLength: 12 });
    fc.assert(
      fc.property(shapeArb, fc.array(fc.tuple(fc.nat(), hashArb), { maxLength: 40 }), writesArb, writesArb, (shape, shared, onlyA, onlyB) => {
        const a = new HashTree(shape);
        const b = new HashTree(shape);
        for (const [s, hash] of shared) {
          a.update(s % shape.segments, undefined, hash);
          b.update(s % shape.segments, undefined, hash);
        }
        for (const [s, hash] of onlyA) a.update(s % shape.segments, undefined, hash);
        for (const [s, hash] of onlyB) b.update(s % shape.segments, undefined, hash);
        const expected = differingSegments(a, b);
        const result = runExchange(a, b);
        expect(result.segments).toEqual(expected);
        expect(runExchange(b, a).segments).toEqual(expected);
        expect(result.rounds).toBeLessThanOrEqual(a.levels());
        expect(result.hashesReceived).toBeLessThanOrEqual(walkHashesMax(a, expected.length));
        expect(result.bytesSent).toBe(result.hashesReceived * itemHashBytes);
      }),
      { numRuns: 300 },
    );
  });

  it('touches hashes in proportion to the differing segments, not to the keys (100k keys, 10 differ)', () => {
    // Proves the paper's claim for Merkle trees (§4.7) with figures. Two replicas of 100k keys
    // differ in 10 keys, hence in D ≤ 10 segments. On 1024 segments of width 32 the walk asks
    // for the root, the 32 level-1 hashes, and the 32 children of each differing level-1 branch:
    // 1 + 32 + 32·B hashes for B ≤ 10 differing branches, so at most 353 (2,824 bytes), against
    // 1,024 segment hashes for a flat comparison and 100k item hashes for a key-by-key one. The
    // same 10 differences among 1k keys give the same bound; on 65,536 segments it is
    // 1 + 2 + 64 + 320 + 320 = 707. The key lists of the differing segments then name exactly
    // the 10 differing keys.
    const figures: string[] = [];
    for (const [keys, segments] of [
      [100_000, 1024],
      [1_000, 1024],
      [100_000, 65536],
    ]) {
      const shape = { segments, width: 32 };
      const { a, b, differing } = divergedReplicas(keys + segments, keys, 10);
      const treeA = treeOf(a, shape);
      const treeB = treeOf(b, shape);
      const result = runExchange(treeA, treeB);
      const expected = differingSegments(treeA, treeB);
      expect(result.segments).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThanOrEqual(10);

      const bound = walkHashesMax(treeA, 10);
      expect(bound).toBe(segments === 1024 ? 353 : 707);
      expect(result.hashesReceived).toBeLessThanOrEqual(bound);
      if (segments === 1024) {
        const branches = new Set(expected.map((s) => s >>> 5)).size;
        expect(result.hashesReceived).toBe(1 + 32 + 32 * branches);
      }
      expect(result.rounds).toBe(treeA.levels());

      const found: string[] = [];
      let keysCompared = 0;
      for (const segment of result.segments) {
        const local = keyList(a, treeA, segment);
        const remote = keyList(b, treeB, segment);
        keysCompared += local.length + remote.length;
        const diff = diffKeyLists(local, remote);
        found.push(...diff.missingLocal, ...diff.missingRemote, ...diff.different);
      }
      expect(found.sort()).toEqual(differing);
      figures.push(
        `${keys} keys, ${segments} segments: ${expected.length} differing segments, ${result.rounds} rounds, ` +
          `${result.hashesReceived} hashes (${result.bytesSent} bytes, bound ${bound}), ${keysCompared} key entries compared`,
      );
    }
    console.log(`exchange:\n  ${figures.join('\n  ')}`);
  });

  it('refuses a malformed reply and keeps its request for a retry', () => {
    // Proves the walker validates what a peer sends: a reply of the wrong type or size is a
    // typed error, the same request stays outstanding, and a good reply then completes the walk.
    const a = buildTree({ segments: 16, width: 4 }, [{ segment: 5, hash: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]) }]);
    const b = new HashTree({ segments: 16, width: 4 });
    const walker = new ExchangeWalker(a);
    const first = walker.next();
    expect(first).toEqual({ segments: 16, width: 4, depth: 0, indices: [0] });
    for (const bad of [undefined, 'hash', [new Uint8Array(8)], new Uint8Array(7), new Uint8Array(16)]) {
      expect(() => walker.receive(bad)).toThrow(ExchangeError);
      expect(walker.next()).toBe(first);
    }
    walker.receive(answerHashRequest(b, walker.next()));
    expect(walker.next()).toEqual({ segments: 16, width: 4, depth: 1, indices: [0, 1, 2, 3] });
    walker.receive(answerHashRequest(b, walker.next()));
    expect(walker.next()).toEqual({ segments: 16, width: 4, depth: 2, indices: [4, 5, 6, 7] });
    expect(() => walker.result()).toThrow(AssertionError);
    walker.receive(answerHashRequest(b, walker.next()));
    expect(walker.done).toBe(true);
    expect(walker.next()).toBeUndefined();
    expect(walker.result()).toEqual({ segments: [5], rounds: 3, hashesReceived: 9, bytesSent: 72 });
    expect(() => walker.receive(new Uint8Array(8))).toThrow(AssertionError);
  });
});

describe('answerHashRequest', () => {
  it('refuses malformed requests and trees of another shape with typed errors', () => {
    // Proves validation at the edge: each kind of bad request from a peer gets its code and the
    // tree is untouched.
    const tree = buildTree({ segments: 16, width: 4 }, [{ segment: 1, hash: new Uint8Array(8).fill(3) }]);
    const before = tree.serialize();
    const base = { segments: 16, width: 4 };
    const code = (request: unknown): string => {
      try {
        answerHashRequest(tree, request);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(ExchangeError);
        return (error as ExchangeError).code;
      }
    };
    expect(code({ ...base, depth: 2, indices: [0, 1, 15] })).toBe('accepted');
    expect(code(null)).toBe('bad_request');
    expect(code('hashes please')).toBe('bad_request');
    expect(code({ ...base, segments: 1024, depth: 0, indices: [0] })).toBe('shape_mismatch');
    expect(code({ segments: 16, width: 2, depth: 0, indices: [0] })).toBe('shape_mismatch');
    for (const depth of [-1, 3, 1.5, '1', undefined]) expect(code({ ...base, depth, indices: [0] })).toBe('bad_request');
    for (const indices of [[], [4], [-1], [1, 1], [2, 1], [0.5], ['0'], [0, 1, 2, 3, 4], 'all', undefined]) {
      expect(code({ ...base, depth: 1, indices })).toBe('bad_request');
    }
    expect(answerHashRequest(tree, { ...base, depth: 2, indices: [0, 1] })).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3]));
    expect(tree.serialize()).toEqual(before);
  });
});

describe('diffKeyLists', () => {
  it('agrees with a map-based comparison on any two key lists, sorted or not', () => {
    // Proves the sorted merge against the obvious model: random lists over a small key space
    // (so keys overlap), hashes from a tiny alphabet (so equal and different hashes both occur),
    // given in random order.
    const listArb = fc
      .uniqueArray(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 2 })), { selector: ([key]) => key, maxLength: 30 })
      .map((entries) => entries.map(([key, h]): KeyItem => [key, new Uint8Array(itemHashBytes).fill(h)]));
    fc.assert(
      fc.property(listArb, listArb, (local, remote) => {
        const l = new Map(local.map(([k, h]) => [k, h[0]]));
        const r = new Map(remote.map(([k, h]) => [k, h[0]]));
        const order = (keys: string[]): string[] => keys.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        expect(diffKeyLists(local, remote)).toEqual({
          missingLocal: order([...r.keys()].filter((k) => !l.has(k))),
          missingRemote: order([...l.keys()].filter((k) => !r.has(k))),
          different: order([...l.keys()].filter((k) => r.has(k) && r.get(k) !== l.get(k))),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses lists that are not (key, 8-byte hash) pairs or that name a key twice', () => {
    // Proves the key lists from a peer are validated: every malformed shape is a typed error.
    const h = new Uint8Array(itemHashBytes);
    const bad: unknown[] = [
      'keys',
      [['a']],
      [['a', h, 1]],
      [[1, h]],
      [['a', new Uint8Array(16)]],
      [['a', [0, 0, 0, 0, 0, 0, 0, 0]]],
      [['a', h], ['a', h]],
      [['b', h], ['a', h], ['b', h]],
    ];
    for (const list of bad) {
      expect(() => diffKeyLists([], list as KeyItem[])).toThrow(ExchangeError);
      expect(() => diffKeyLists(list as KeyItem[], [])).toThrow(ExchangeError);
    }
    expect(diffKeyLists([['b', h], ['a', h]], [['a', h]])).toEqual({ missingLocal: [], missingRemote: ['b'], different: [] });
  });
});
