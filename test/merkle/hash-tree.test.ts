// Tests of the incremental per-partition hash trees (core/merkle/hash-tree.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../core/common/assert.js';
import { SeededRandom } from '../../core/common/random.js';
import {
  HashTree,
  HashTreeError,
  isValidTreeShape,
  itemHashBytes,
  treeLevelSizes,
} from '../../core/merkle/hash-tree.js';
import { treeSegmentsDefault, treeSegmentsMax, treeWidthDefault } from '../../core/common/limits.js';
import { buildTree, type Item, randomBytes, referenceLevels } from './merkle-helpers.js';

const zeroHash = new Uint8Array(itemHashBytes);

/** Small shapes, so a property run covers trees of two to six levels with uneven root fan-outs. */
const shapeArb = fc.record({
  segments: fc.integer({ min: 1, max: 9 }).map((k) => 1 << k),
  width: fc.integer({ min: 1, max: 5 }).map((k) => 1 << k),
});
const hashArb = fc.uint8Array({ minLength: itemHashBytes, maxLength: itemHashBytes });
const digestArb = fc.uint8Array({ minLength: 16, maxLength: 16 });

/** An operation on key `key` (of a small key space): write `hash`, or delete when null. */
const opArb = fc.record({ key: fc.nat(39), hash: fc.option(hashArb, { nil: null }) });

function totalHashes(tree: HashTree): number {
  let total = 0;
  for (let d = 0; d < tree.levels(); d++) total += tree.levelSize(d);
  return total;
}

describe('tree shape', () => {
  it('has the level sizes its segments and width imply, root first', () => {
    // Proves the shape table by listing it: each level is `width` times smaller than the one
    // below, and only the root's fan-out may be narrower.
    expect(treeLevelSizes(1024, 32)).toEqual([1, 32, 1024]);
    expect(treeLevelSizes(2048, 32)).toEqual([1, 2, 64, 2048]);
    expect(treeLevelSizes(65536, 32)).toEqual([1, 2, 64, 2048, 65536]);
    expect(treeLevelSizes(16, 4)).toEqual([1, 4, 16]);
    expect(treeLevelSizes(8, 32)).toEqual([1, 8]);
    expect(treeLevelSizes(2, 2)).toEqual([1, 2]);
    const tree = new HashTree();
    expect([tree.segments, tree.width]).toEqual([treeSegmentsDefault, treeWidthDefault]);
    expect(tree.levels()).toBe(3);
    expect([tree.fanOut(0), tree.fanOut(1)]).toEqual([32, 32]);
    const uneven = new HashTree({ segments: 2048, width: 32 });
    expect([uneven.fanOut(0), uneven.fanOut(1), uneven.fanOut(2)]).toEqual([2, 32, 32]);
  });

  it('refuses shapes that are not powers of two within the limits', () => {
    // Proves the constructor's guard with the near misses on every side of the limits.
    for (const [segments, width] of [[1, 32], [3, 32], [1000, 32], [treeSegmentsMax * 2, 32], [1024, 1], [1024, 48], [1024, 2048], [1024.5, 32]]) {
      expect(isValidTreeShape(segments, width)).toBe(false);
      expect(() => new HashTree({ segments, width })).toThrow(AssertionError);
    }
    expect(isValidTreeShape(treeSegmentsMax, 1024)).toBe(true);
  });
});

describe('segmentOf', () => {
  it('takes the top log2(segments) bits of digest bytes 4..7 and nothing else', () => {
    // Proves the mapping against floor(bytes4..7 · segments / 2^32) on random digests, and that
    // the partition bytes (0..3) and the tail (8..15) do not move a key between segments.
    fc.assert(
      fc.property(digestArb, fc.integer({ min: 1, max: 16 }), (digest, log2Segments) => {
        const tree = new HashTree({ segments: 1 << log2Segments, width: 32 });
        const bits = BigInt(digest[4]) << 24n | BigInt(digest[5]) << 16n | BigInt(digest[6]) << 8n | BigInt(digest[7]);
        expect(tree.segmentOf(digest)).toBe(Number((bits * BigInt(tree.segments)) >> 32n));
        const other = digest.slice();
        for (const i of [0, 1, 2, 3, 8, 12, 15]) other[i] ^= 0xff;
        expect(tree.segmentOf(other)).toBe(tree.segmentOf(digest));
      }),
      { numRuns: 300 },
    );
    const tree = new HashTree();
    const top = new Uint8Array(16).fill(0xff);
    expect(tree.segmentOf(top)).toBe(1023);
    expect(tree.segmentOf(new Uint8Array(16))).toBe(0);
    expect(() => tree.segmentOf(new Uint8Array(8))).toThrow(AssertionError);
  });
});

describe('incremental updates', () => {
  it('give the same tree as a rebuild from scratch, for any sequence of inserts, updates and deletes', () => {
    // Proves incrementality: random writes and deletes on a small key space are applied with
    // update(old, new) as a store would, and every level of the result must equal the levels
    // computed by definition from the final items, and a fresh tree built from them.
    fc.assert(
      fc.property(shapeArb, fc.array(digestArb, { minLength: 40, maxLength: 40 }), fc.array(opArb, { maxLength: 120 }), (shape, digests, ops) => {
        const tree = new HashTree(shape);
        const stored = new Map<number, Uint8Array>();
        for (const { key, hash } of ops) {
          const segment = tree.segmentOf(digests[key]);
          tree.update(segment, stored.get(key), hash ?? undefined);
          if (hash === null) stored.delete(key);
          else stored.set(key, hash);
        }
        const items: Item[] = [...stored].map(([key, hash]) => ({ segment: tree.segmentOf(digests[key]), hash }));
        const reference = referenceLevels(tree, items);
        for (let depth = 0; depth < tree.levels(); depth++) expect(tree.level(depth)).toEqual(reference[depth]);
        const rebuilt = buildTree(shape, items);
        expect(tree.equals(rebuilt)).toBe(true);
        expect(tree.serialize()).toEqual(rebuilt.serialize());
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of the writes', () => {
    // Proves order independence: the same items inserted in two random orders give equal trees
    // (XOR is commutative and associative), down to the serialized bytes.
    const itemsArb = fc.array(fc.record({ segment: fc.nat(255), hash: hashArb }), { maxLength: 60 });
    fc.assert(
      fc.property(
        itemsArb.chain((items) => fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }))),
        ([items, shuffled]) => {
          const shape = { segments: 256, width: 4 };
          expect(buildTree(shape, items).serialize()).toEqual(buildTree(shape, shuffled).serialize());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives equal roots to trees with the same items, and different roots when one item differs', () => {
    // Proves the comparison an exchange relies on: equal item sets give equal roots; changing one
    // item's hash (or leaving it out, when its hash is not zero) changes the root by exactly the
    // XOR of the two hashes, which is not zero, so the roots always differ.
    fc.assert(
      fc.property(fc.array(fc.record({ segment: fc.nat(1023), hash: hashArb }), { minLength: 1, maxLength: 50 }), hashArb, fc.nat(), (items, replacement, pick) => {
        const a = buildTree({ segments: 1024, width: 32 }, items);
        const b = buildTree({ segments: 1024, width: 32 }, items);
        expect(a.root()).toEqual(b.root());
        expect(a.equals(b)).toBe(true);
        const k = pick % items.length;
        fc.pre(items[k].hash.some((byte, i) => byte !== replacement[i]));
        b.update(items[k].segment, items[k].hash, replacement);
        expect(b.root()).not.toEqual(a.root());
        expect(a.equals(b)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('has an all-zero root when empty, after deleting everything, and after clear()', () => {
    // Proves the empty-partition convention on the three ways to reach it.
    const tree = new HashTree();
    expect(tree.root()).toEqual(zeroHash);
    const random = new SeededRandom(3);
    const items = Array.from({ length: 500 }, () => ({ segment: random.int(1024), hash: randomBytes(random, 8) }));
    for (const { segment, hash } of items) tree.update(segment, undefined, hash);
    expect(tree.root()).not.toEqual(zeroHash);
    for (const { segment, hash } of items) tree.update(segment, hash, undefined);
    expect(tree.root()).toEqual(zeroHash);
    expect(tree.equals(new HashTree())).toBe(true);
    for (const { segment, hash } of items) tree.update(segment, undefined, hash);
    tree.clear();
    expect(tree.equals(new HashTree())).toBe(true);
    // Rewriting a key with the hash it already has changes nothing.
    tree.update(5, items[0].hash, items[0].hash);
    expect(tree.root()).toEqual(zeroHash);
  });

  it('hands out copies, never its own storage', () => {
    // Proves that a caller mutating a returned hash cannot corrupt the tree.
    const tree = buildTree({ segments: 16, width: 4 }, [{ segment: 3, hash: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }]);
    const before = tree.serialize();
    tree.root().fill(9);
    tree.level(2).fill(9);
    tree.segmentHash(3).fill(9);
    tree.branchHashes(1, [0, 1])[0].fill(9);
    tree.hashesAt(2, [3]).fill(9);
    expect(tree.serialize()).toEqual(before);
    expect(tree.segmentHash(3)).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(tree.branchHashes(2, [3, 0])).toEqual([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), zeroHash]);
  });

  it('asserts its arguments', () => {
    // Proves that a caller bug (a bad segment, a hash of the wrong size, a bad depth) crashes
    // loudly instead of corrupting the tree.
    const tree = new HashTree({ segments: 16, width: 4 });
    expect(() => tree.update(16, undefined, zeroHash)).toThrow(AssertionError);
    expect(() => tree.update(-1, undefined, zeroHash)).toThrow(AssertionError);
    expect(() => tree.update(1.5, undefined, zeroHash)).toThrow(AssertionError);
    expect(() => tree.update(0, undefined, new Uint8Array(16))).toThrow(AssertionError);
    expect(() => tree.level(3)).toThrow(AssertionError);
    expect(() => tree.branchHashes(1, [4])).toThrow(AssertionError);
    expect(() => tree.fanOut(2)).toThrow(AssertionError);
    expect(tree.root()).toEqual(zeroHash);
  });
});

describe('serialization', () => {
  it('round-trips any tree', () => {
    // Proves serialize/deserialize are inverse on random shapes and contents.
    fc.assert(
      fc.property(shapeArb, fc.array(fc.tuple(fc.nat(), hashArb), { maxLength: 50 }), (shape, writes) => {
        const tree = new HashTree(shape);
        for (const [s, hash] of writes) tree.update(s % shape.segments, undefined, hash);
        const bytes = tree.serialize();
        expect(bytes.length).toBe(8 + totalHashes(tree) * itemHashBytes);
        const copy = HashTree.deserialize(bytes);
        expect(copy.equals(tree)).toBe(true);
        expect(copy.serialize()).toEqual(bytes);
        expect([copy.segments, copy.width]).toEqual([tree.segments, tree.width]);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects every single flipped bit, every truncation and any extra byte', () => {
    // Proves strict validation exhaustively on a small tree: a flipped bit in the header breaks
    // the magic, version, shape or length; one in a hash breaks the XOR relation with its parent
    // (or, for the root, with its children).
    const random = new SeededRandom(11);
    const tree = buildTree({ segments: 16, width: 4 }, Array.from({ length: 40 }, () => ({ segment: random.int(16), hash: randomBytes(random, 8) })));
    const bytes = tree.serialize();
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = bytes.slice();
        bad[i] ^= 1 << bit;
        expect(() => HashTree.deserialize(bad), `byte ${i} bit ${bit}`).toThrow(HashTreeError);
      }
    }
    for (let n = 0; n < bytes.length; n++) expect(() => HashTree.deserialize(bytes.subarray(0, n))).toThrow(HashTreeError);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => HashTree.deserialize(longer)).toThrow(HashTreeError);
  });

  it('names what is wrong with a stable code', () => {
    // Proves the error codes on one example of each kind of damage.
    const bytes = new HashTree({ segments: 16, width: 4 }).serialize();
    const code = (b: unknown): string => {
      try {
        HashTree.deserialize(b as Uint8Array);
      } catch (error) {
        expect(error).toBeInstanceOf(HashTreeError);
        return (error as HashTreeError).code;
      }
      return 'accepted';
    };
    const withByte = (i: number, v: number): Uint8Array => {
      const b = bytes.slice();
      b[i] = v;
      return b;
    };
    expect(code(bytes)).toBe('accepted');
    expect(code('not bytes')).toBe('bad_header');
    expect(code(bytes.subarray(0, 7))).toBe('bad_header');
    expect(code(withByte(0, 0))).toBe('bad_header');
    expect(code(withByte(4, 2))).toBe('bad_header');
    expect(code(withByte(7, 16))).toBe('bad_header');
    expect(code(withByte(5, 0))).toBe('bad_shape');
    expect(code(withByte(5, 17))).toBe('bad_shape');
    expect(code(withByte(5, 255))).toBe('bad_shape');
    expect(code(withByte(6, 11))).toBe('bad_shape');
    expect(code(withByte(5, 5))).toBe('bad_length');
    expect(code(withByte(bytes.length - 1, 1))).toBe('inconsistent');
  });

  it('never accepts random garbage, and never throws anything but HashTreeError', () => {
    // Proves robustness on arbitrary bytes, with and without a valid header in front: either a
    // typed error, or (vanishingly rarely) a tree that re-serializes to exactly the input.
    const header = new HashTree({ segments: 4, width: 2 }).serialize().subarray(0, 8);
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 120 }), (withHeader, body) => {
        const bytes = withHeader ? new Uint8Array([...header, ...body]) : body;
        try {
          expect(HashTree.deserialize(bytes).serialize()).toEqual(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(HashTreeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('cost', () => {
  it('updates a 1024-segment tree in a small fraction of a microsecond (measured, not asserted)', () => {
    // Measures update() on the default tree with pre-generated hashes, so the loop times only
    // the tree; prints ns per update and the tree's size in bytes. Timing is not asserted.
    const tree = new HashTree();
    const random = new SeededRandom(5);
    const n = 1 << 20;
    const hashes = Array.from({ length: 4096 }, () => randomBytes(random, 8));
    const segments = Uint32Array.from({ length: 4096 }, () => random.int(1024));
    for (let i = 0; i < n; i++) tree.update(segments[i & 4095], hashes[(i + 1) & 4095], hashes[i & 4095]);
    const start = performance.now();
    for (let i = 0; i < n; i++) tree.update(segments[i & 4095], hashes[(i + 7) & 4095], hashes[i & 4095]);
    const nsPerUpdate = ((performance.now() - start) * 1e6) / n;
    const bytes = tree.serialize().length;
    console.log(
      `hash tree: ${nsPerUpdate.toFixed(1)} ns per update (1024 segments, width 32, ${tree.levels()} levels); ` +
        `${bytes - 8} bytes of hashes (${totalHashes(tree)} × ${itemHashBytes}), ${bytes} serialized`,
    );
    expect(Number.isFinite(nsPerUpdate)).toBe(true);
  });
});
