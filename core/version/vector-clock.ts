// Version vectors (the "clock" of Dynamo §4.4, made precise as in dotted version vectors):
// `{node: counter}`, one entry per node that coordinated a write of the key, where `counter`
// means "every write this node coordinated for the key, numbered 1..counter, has been seen".
//
// A vector is a plain object because it travels inside msgpack frames and stored values as-is.
// Canonical form, which every function here returns: no zero entries, keys inserted in sorted
// order. Equal vectors then enumerate (and so msgpack-encode) identically, which keeps the
// stored bytes of equal states equal across replicas (the Merkle trees hash them).
//
// Reads go through `vvGet`, which answers 0 for anything that is not an own number entry, so a
// node id such as "constructor" can never pick up an Object.prototype member. "__proto__" is not
// a valid node id: assigning it on a plain object would silently drop the entry.

import { assert } from '../common/assert.js';
import { nodeIdBytesMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { utf8ByteLength } from './utf8.js';

export type VersionVector = Record<NodeId, number>;

/** The counter of `node` in `vv`, 0 when absent. */
export function vvGet(vv: VersionVector, node: NodeId): number {
  const counter = vv[node];
  return typeof counter === 'number' ? counter : 0;
}

/** True when `vv` has seen the write with dot (node, counter). */
export function vvCovers(vv: VersionVector, node: NodeId, counter: number): boolean {
  return counter <= vvGet(vv, node);
}

/** True when `a` has seen every write `b` has seen (a ≥ b, entry by entry). */
export function vvDescends(a: VersionVector, b: VersionVector): boolean {
  for (const node in b) {
    if (vvGet(a, node) < b[node]) return false;
  }
  return true;
}

/** Entry-by-entry equality. */
export function vvEqual(a: VersionVector, b: VersionVector): boolean {
  let size = 0;
  for (const node in a) {
    if (a[node] !== vvGet(b, node)) return false;
    size++;
  }
  return size === vvSize(b);
}

/** The number of entries. */
export function vvSize(vv: VersionVector): number {
  let size = 0;
  for (const _ in vv) size++;
  return size;
}

/** The least vector that descends both (entry-wise maximum), in canonical form. */
export function vvMerge(a: VersionVector, b: VersionVector): VersionVector {
  const nodes = unionNodes(a, b, undefined);
  const merged: VersionVector = {};
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    merged[node] = Math.max(vvGet(a, node), vvGet(b, node));
  }
  return merged;
}

/**
 * `vvMerge(a, b)` with `node`'s entry raised to at least `counter`, built in one pass (a
 * coordinated put records its new dot this way). Canonical form.
 */
export function vvMergeWith(
  a: VersionVector,
  b: VersionVector,
  node: NodeId,
  counter: number,
): VersionVector {
  assert(isValidNodeId(node), 'vvMergeWith: invalid node id');
  assert(Number.isSafeInteger(counter) && counter > 0, 'vvMergeWith: invalid counter');
  const nodes = unionNodes(a, b, node);
  const merged: VersionVector = {};
  for (let i = 0; i < nodes.length; i++) {
    const key = nodes[i];
    let value = Math.max(vvGet(a, key), vvGet(b, key));
    if (key === node && counter > value) value = counter;
    merged[key] = value;
  }
  return merged;
}

/** A node id we accept: a non-empty, well-formed string of at most nodeIdBytesMax UTF-8 bytes. */
export function isValidNodeId(id: unknown): id is NodeId {
  if (typeof id !== 'string' || id.length === 0 || id === '__proto__') return false;
  const bytes = utf8ByteLength(id);
  return bytes > 0 && bytes <= nodeIdBytesMax;
}

/**
 * True when `value` is a version vector we can trust (for data from a peer or from disk): a plain
 * object of valid node ids to positive safe integers. The entry count is not bounded here:
 * merges may legitimately pass clockEntriesMax (see sibling-set.ts); frame size bounds memory.
 */
export function isValidVersionVector(value: unknown): value is VersionVector {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  for (const node of Object.keys(record)) {
    const counter = record[node];
    if (!isValidNodeId(node)) return false;
    if (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter <= 0) return false;
  }
  return true;
}

/** The keys of a and b (and `extra`), each once, in sorted order. */
function unionNodes(a: VersionVector, b: VersionVector, extra: NodeId | undefined): NodeId[] {
  const nodes: NodeId[] = [];
  for (const node in a) nodes.push(node);
  for (const node in b) {
    if (typeof a[node] !== 'number') nodes.push(node);
  }
  if (extra !== undefined && typeof a[extra] !== 'number' && typeof b[extra] !== 'number') {
    nodes.push(extra);
  }
  // Inputs are usually canonical and usually share their nodes, so this is usually sorted.
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i - 1] >= nodes[i]) {
      nodes.sort();
      break;
    }
  }
  for (let i = 0; i < nodes.length; i++) assert(nodes[i] !== '__proto__', 'node id __proto__');
  return nodes;
}
