// Shared pieces of the hash tree tests: a reference model that computes every level from
// scratch with plain byte loops, seeded random items, and an exchange run in-process.

import type { SeededRandom } from '../../core/common/random.js';
import { answerHashRequest, type ExchangeResult, ExchangeWalker } from '../../core/merkle/exchange.js';
import { HashTree, itemHashBytes } from '../../core/merkle/hash-tree.js';

/** A stored key as the tests model it: the segment it falls in and its item hash. */
export interface Item {
  segment: number;
  hash: Uint8Array;
}

/**
 * Every level of a tree of `tree`'s shape holding `items`, computed by definition: the hash at
 * (depth, i) is the XOR of the item hashes of every key whose segment falls under it, i.e. in
 * [i · segments / size, (i + 1) · segments / size). Independent of the tree's word arithmetic.
 */
export function referenceLevels(tree: HashTree, items: Iterable<Item>): Uint8Array[] {
  const segmentHashes = new Uint8Array(tree.segments * itemHashBytes);
  for (const { segment, hash } of items) {
    for (let b = 0; b < itemHashBytes; b++) segmentHashes[segment * itemHashBytes + b] ^= hash[b];
  }
  const levels: Uint8Array[] = [];
  for (let depth = 0; depth < tree.levels(); depth++) {
    const size = tree.levelSize(depth);
    const span = tree.segments / size;
    const level = new Uint8Array(size * itemHashBytes);
    for (let s = 0; s < tree.segments; s++) {
      const i = Math.floor(s / span);
      for (let b = 0; b < itemHashBytes; b++) level[i * itemHashBytes + b] ^= segmentHashes[s * itemHashBytes + b];
    }
    levels.push(level);
  }
  return levels;
}

/** A tree built from scratch: one insert per item. */
export function buildTree(shape: { segments: number; width: number }, items: Iterable<Item>): HashTree {
  const tree = new HashTree(shape);
  for (const { segment, hash } of items) tree.update(segment, undefined, hash);
  return tree;
}

export function randomBytes(random: SeededRandom, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const word = random.nextUint32();
    for (let b = 0; b < 4 && i + b < length; b++) out[i + b] = word >>> (8 * b);
  }
  return out;
}

/** Runs a whole walk of `local` against `remote`, the transport being a direct call. */
export function runExchange(local: HashTree, remote: HashTree): ExchangeResult {
  const walker = new ExchangeWalker(local);
  for (let request = walker.next(); request !== undefined; request = walker.next()) {
    // A structured clone stands in for the wire: the remote never sees the walker's objects.
    walker.receive(answerHashRequest(remote, structuredClone(request)));
  }
  return walker.result();
}

/** The segments whose hashes differ, found by comparing every segment (the walk's oracle). */
export function differingSegments(a: HashTree, b: HashTree): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.segments; i++) {
    const x = a.segmentHash(i);
    const y = b.segmentHash(i);
    if (x.some((byte, k) => byte !== y[k])) out.push(i);
  }
  return out;
}
