// The anti-entropy hash tree of one partition (Dynamo paper §4.7), made incremental the way
// Riak's tictac AAE does it. The paper's replicas keep a Merkle tree per key range, compare
// roots, and walk down only the branches that differ; rebuilding such a tree after every write
// would cost a scan of the range, so here the leaves are fixed *segments* and every hash is an
// XOR:
//
//   - a key falls in one of `segments` leaf segments by bits of its MD5 digest (segmentOf);
//   - a segment's hash is the XOR of the item hashes of the keys in it, an item hash being a
//     hash of (key, stored record) computed by the caller (with node:crypto);
//   - a branch's hash is the XOR of its children's, so the root is the XOR of every item hash.
//
// XOR is commutative, associative and its own inverse, so the tree does not depend on the
// order of writes, and a write that replaces `old` by `new` is `hash ^= old ^ new` on the
// segment and on each of its ancestors: O(levels), no allocation, no rebuild. An empty
// partition has an all-zero root, and so does a tree after `clear()`.
//
// Item hashes are 8 bytes (itemHashBytes). Why not 16: an exchange misses a difference only when
// two distinct sets of item hashes XOR to the same 64-bit value, which for hashes of honest data
// happens with probability 2^-64 per differing segment, per exchange, and a miss is only a
// delay (the next write to the segment or the next exchange finds it). More width would not buy
// safety against a malicious writer either: XOR set hashes are linear, so anyone who can pick
// keys or values can solve for a collision by Gaussian elimination at any width. Eight bytes
// halve the tree's memory and the bytes an exchange moves; Riak's tictac trees (leveled_tictac) use four. The
// caller takes the first 8 bytes of its digest of (key, canonical record bytes); replicas must
// hash the same bytes for the same state, or equal replicas would never compare equal.
//
// Inside, a hash is two 32-bit words, (bytes 0..3, bytes 4..7), each read little-endian, so
// the byte form is the same on every host. Each level is one preallocated Uint32Array.

import { assert } from '../common/assert.js';
import { CodedError } from '../common/coded-error.js';
import { treeSegmentsDefault, treeSegmentsMax, treeSegmentsMin, treeWidthDefault, treeWidthMax, treeWidthMin } from '../common/limits.js';
import { digestBytes } from '../ring/partitioner.js';

/** Bytes in an item hash, and so in every segment and branch hash. */
export const itemHashBytes = 8;
/** Digest bytes 0..3 pick the partition (core/ring/partitioner.ts); segments use bytes 4..7. */
const segmentDigestOffset = 4;

/** Serialized form, version 1: an 8-byte header, then every level's hashes, root first. */
const serialMagic = [0x44, 0x4d, 0x4b, 0x54]; // "DMKT"
const serialVersion = 1;
const serialHeaderBytes = 8;

export type HashTreeErrorCode =
  | 'bad_header' // not a Uint8Array, too short, wrong magic, or an unknown version
  | 'bad_shape' // segments or width outside the limits or not powers of two
  | 'bad_length' // the body is not exactly the size the header's shape implies
  | 'inconsistent'; // a branch hash is not the XOR of its children: the bytes are corrupt

/** A serialized tree that cannot be read; nothing is built from it. */
export class HashTreeError extends CodedError<HashTreeErrorCode> {
  override name = 'HashTreeError';
}

export interface HashTreeOptions {
  /** Leaf segments: a power of two in [treeSegmentsMin, treeSegmentsMax]. Default treeSegmentsDefault. */
  segments?: number;
  /** Children per branch: a power of two in [treeWidthMin, treeWidthMax]. Default treeWidthDefault. */
  width?: number;
}

/** True when (segments, width) is a tree shape HashTree accepts. */
export function isValidTreeShape(segments: number, width: number): boolean {
  return (
    isPowerOfTwo(segments) &&
    segments >= treeSegmentsMin &&
    segments <= treeSegmentsMax &&
    isPowerOfTwo(width) &&
    width >= treeWidthMin &&
    width <= treeWidthMax
  );
}

/**
 * The number of hashes at each depth, root first, segments last. Built from the bottom: each
 * level has `width` times fewer hashes than the one below, so only the root's fan-out may be
 * smaller than `width` (2048 segments of width 32 give 1, 2, 64, 2048).
 */
export function treeLevelSizes(segments: number, width: number): number[] {
  assert(isValidTreeShape(segments, width), 'treeLevelSizes: invalid tree shape');
  const sizes = [segments];
  let size = segments;
  while (size > 1) {
    size = size > width ? size / width : 1;
    sizes.push(size);
  }
  return sizes.reverse();
}

export class HashTree {
  readonly segments: number;
  readonly width: number;
  /** 32 - log2(segments): segmentOf's shift of digest bytes 4..7. */
  private readonly segmentShift: number;
  /** Hashes per depth, root first. */
  private readonly sizes: number[];
  /** shifts[d] = log2(sizes[d] / sizes[d - 1]): an index at depth d, shifted, is its parent's. */
  private readonly shifts: Uint8Array;
  /** One array per depth, two words per hash. */
  private readonly words: Uint32Array[];

  constructor(options: HashTreeOptions = {}) {
    const segments = options.segments ?? treeSegmentsDefault;
    const width = options.width ?? treeWidthDefault;
    assert(isValidTreeShape(segments, width), `HashTree: invalid shape (segments ${segments}, width ${width})`);
    this.segments = segments;
    this.width = width;
    this.segmentShift = 32 - log2(segments);
    this.sizes = treeLevelSizes(segments, width);
    this.shifts = new Uint8Array(this.sizes.length);
    for (let d = 1; d < this.sizes.length; d++) this.shifts[d] = log2(this.sizes[d] / this.sizes[d - 1]);
    this.words = this.sizes.map((size) => new Uint32Array(2 * size));
  }

  /**
   * The segment of a key, from its 16-byte MD5 digest: the top log2(segments) bits of digest
   * bytes 4..7. Bytes 0..3 are not used because every key of a partition shares their top bits.
   */
  segmentOf(keyDigest: Uint8Array): number {
    assert(keyDigest.length === digestBytes, 'segmentOf: a key digest is 16 bytes (MD5)');
    const o = segmentDigestOffset;
    const bits = (keyDigest[o] << 24) | (keyDigest[o + 1] << 16) | (keyDigest[o + 2] << 8) | keyDigest[o + 3];
    return bits >>> this.segmentShift;
  }

  /**
   * Records that a key of `segment` changed from `oldItemHash` to `newItemHash`: undefined old
   * for an insert, undefined new for a removal. The caller must pass the item hash the tree last
   * received for that key, or the key's old hash stays folded in (XOR cannot tell).
   */
  update(segment: number, oldItemHash: Uint8Array | undefined, newItemHash: Uint8Array | undefined): void {
    assert(segment >>> 0 === segment && segment < this.segments, 'update: segment out of range');
    let lo = 0;
    let hi = 0;
    if (oldItemHash !== undefined) {
      assert(oldItemHash.length === itemHashBytes, 'update: an item hash is 8 bytes');
      lo = readWord(oldItemHash, 0);
      hi = readWord(oldItemHash, 4);
    }
    if (newItemHash !== undefined) {
      assert(newItemHash.length === itemHashBytes, 'update: an item hash is 8 bytes');
      lo ^= readWord(newItemHash, 0);
      hi ^= readWord(newItemHash, 4);
    }
    if ((lo | hi) === 0) return;
    let index = segment;
    for (let depth = this.words.length - 1; depth >= 0; depth--) {
      const level = this.words[depth];
      level[2 * index] ^= lo;
      level[2 * index + 1] ^= hi;
      index >>>= this.shifts[depth];
    }
  }

  /** The root hash (a copy): all zero for an empty partition. */
  root(): Uint8Array {
    const out = new Uint8Array(itemHashBytes);
    writeHash(this.words[0], 0, out, 0);
    return out;
  }

  /** Depths in the tree, root (depth 0) and segments (depth levels() - 1) included. */
  levels(): number {
    return this.sizes.length;
  }

  /** Hashes at `depth`: 1 at the root, `segments` at the bottom. */
  levelSize(depth: number): number {
    this.assertDepth(depth);
    return this.sizes[depth];
  }

  /** Children of each branch at `depth` (< levels() - 1); children of i are [i·f, (i+1)·f). */
  fanOut(depth: number): number {
    assert(Number.isInteger(depth) && depth >= 0 && depth < this.sizes.length - 1, 'fanOut: not a branch depth');
    return this.sizes[depth + 1] / this.sizes[depth];
  }

  /** Every hash at `depth`, concatenated in index order (a copy, levelSize(depth) · 8 bytes). */
  level(depth: number): Uint8Array {
    this.assertDepth(depth);
    const size = this.sizes[depth];
    const out = new Uint8Array(size * itemHashBytes);
    for (let i = 0; i < size; i++) writeHash(this.words[depth], i, out, i * itemHashBytes);
    return out;
  }

  /** The hashes at `depth` of the given indices, one 8-byte copy each. */
  branchHashes(depth: number, indices: readonly number[]): Uint8Array[] {
    this.assertDepth(depth);
    return indices.map((index) => {
      this.assertIndex(depth, index);
      const out = new Uint8Array(itemHashBytes);
      writeHash(this.words[depth], index, out, 0);
      return out;
    });
  }

  /** The hashes at `depth` of the given indices, concatenated in the order given (the wire form). */
  hashesAt(depth: number, indices: readonly number[]): Uint8Array {
    this.assertDepth(depth);
    const out = new Uint8Array(indices.length * itemHashBytes);
    for (let k = 0; k < indices.length; k++) {
      this.assertIndex(depth, indices[k]);
      writeHash(this.words[depth], indices[k], out, k * itemHashBytes);
    }
    return out;
  }

  /** True when the hash at (depth, index) equals the 8 bytes of `bytes` at `offset`; allocation-free. */
  hashEquals(depth: number, index: number, bytes: Uint8Array, offset: number): boolean {
    this.assertDepth(depth);
    this.assertIndex(depth, index);
    assert(offset >= 0 && offset + itemHashBytes <= bytes.length, 'hashEquals: offset out of range');
    const level = this.words[depth];
    return level[2 * index] === readWord(bytes, offset) >>> 0 && level[2 * index + 1] === readWord(bytes, offset + 4) >>> 0;
  }

  /** The hash of segment `i` (a copy). */
  segmentHash(i: number): Uint8Array {
    const depth = this.sizes.length - 1;
    this.assertIndex(depth, i);
    const out = new Uint8Array(itemHashBytes);
    writeHash(this.words[depth], i, out, 0);
    return out;
  }

  /** Forgets every item: the tree of an empty partition. */
  clear(): void {
    for (const level of this.words) level.fill(0);
  }

  /** True when `other` has the same shape and the same hashes at every depth. */
  equals(other: HashTree): boolean {
    if (other.segments !== this.segments || other.width !== this.width) return false;
    // Upper levels are functions of the segments, so the segments decide.
    const a = this.words[this.words.length - 1];
    const b = other.words[other.words.length - 1];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /**
   * The tree as bytes: "DMKT", version 1, log2(segments), log2(width), itemHashBytes, then the
   * hashes of every depth, root first. Upper levels are redundant, and kept on purpose:
   * deserialize checks every branch against its children, which catches any single corrupt bit.
   */
  serialize(): Uint8Array {
    let total = 0;
    for (const size of this.sizes) total += size;
    const out = new Uint8Array(serialHeaderBytes + total * itemHashBytes);
    out.set(serialMagic, 0);
    out[4] = serialVersion;
    out[5] = log2(this.segments);
    out[6] = log2(this.width);
    out[7] = itemHashBytes;
    let offset = serialHeaderBytes;
    for (let d = 0; d < this.sizes.length; d++) {
      for (let i = 0; i < this.sizes[d]; i++, offset += itemHashBytes) writeHash(this.words[d], i, out, offset);
    }
    return out;
  }

  /** Reads serialize()'s form; throws HashTreeError, and builds nothing, when the bytes are not one. */
  static deserialize(bytes: Uint8Array): HashTree {
    if (!(bytes instanceof Uint8Array) || bytes.length < serialHeaderBytes) {
      throw new HashTreeError('bad_header', 'hash tree: shorter than its header');
    }
    for (let i = 0; i < serialMagic.length; i++) {
      if (bytes[i] !== serialMagic[i]) throw new HashTreeError('bad_header', 'hash tree: bad magic');
    }
    if (bytes[4] !== serialVersion) throw new HashTreeError('bad_header', `hash tree: unknown version ${bytes[4]}`);
    if (bytes[7] !== itemHashBytes) throw new HashTreeError('bad_header', `hash tree: hashes of ${bytes[7]} bytes`);
    // Shifts of 31 and more would overflow 32-bit arithmetic; every valid shape is far below.
    const segments = bytes[5] < 31 ? 1 << bytes[5] : 0;
    const width = bytes[6] < 31 ? 1 << bytes[6] : 0;
    if (!isValidTreeShape(segments, width)) {
      throw new HashTreeError('bad_shape', `hash tree: invalid shape (2^${bytes[5]} segments, width 2^${bytes[6]})`);
    }
    const tree = new HashTree({ segments, width });
    let total = 0;
    for (const size of tree.sizes) total += size;
    if (bytes.length !== serialHeaderBytes + total * itemHashBytes) {
      throw new HashTreeError('bad_length', `hash tree: ${bytes.length} bytes, expected ${serialHeaderBytes + total * itemHashBytes}`);
    }
    let offset = serialHeaderBytes;
    for (let d = 0; d < tree.sizes.length; d++) {
      const level = tree.words[d];
      for (let i = 0; i < tree.sizes[d]; i++, offset += itemHashBytes) {
        level[2 * i] = readWord(bytes, offset);
        level[2 * i + 1] = readWord(bytes, offset + 4);
      }
    }
    for (let d = 0; d < tree.sizes.length - 1; d++) {
      const parents = tree.words[d];
      const children = tree.words[d + 1];
      const fan = tree.sizes[d + 1] / tree.sizes[d];
      for (let i = 0; i < tree.sizes[d]; i++) {
        let lo = 0;
        let hi = 0;
        for (let c = i * fan; c < (i + 1) * fan; c++) {
          lo ^= children[2 * c];
          hi ^= children[2 * c + 1];
        }
        if (parents[2 * i] !== lo >>> 0 || parents[2 * i + 1] !== hi >>> 0) {
          throw new HashTreeError('inconsistent', `hash tree: branch ${i} at depth ${d} is not the XOR of its children`);
        }
      }
    }
    return tree;
  }

  private assertDepth(depth: number): void {
    assert(Number.isInteger(depth) && depth >= 0 && depth < this.sizes.length, 'hash tree: depth out of range');
  }

  private assertIndex(depth: number, index: number): void {
    assert(index >>> 0 === index && index < this.sizes[depth], 'hash tree: index out of range');
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 0x40000000 && (n & (n - 1)) === 0;
}

/** log2 of a power of two up to 2^30. */
function log2(n: number): number {
  return 31 - Math.clz32(n);
}

/** Four bytes at `offset`, little-endian, as a signed 32-bit word (XOR does not care). */
function readWord(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24);
}

/** Writes hash `index` of a level into `out` at `offset`, the inverse of two readWord calls. */
function writeHash(level: Uint32Array, index: number, out: Uint8Array, offset: number): void {
  const lo = level[2 * index];
  const hi = level[2 * index + 1];
  out[offset] = lo;
  out[offset + 1] = lo >>> 8;
  out[offset + 2] = lo >>> 16;
  out[offset + 3] = lo >>> 24;
  out[offset + 4] = hi;
  out[offset + 5] = hi >>> 8;
  out[offset + 6] = hi >>> 16;
  out[offset + 7] = hi >>> 24;
}
