// Canonical form and queries of sibling sets (sibling-set.ts): the order of dots, structural
// equality, validation of a state from a peer or from disk, and the live versions of a state.

import type { NodeId } from '../common/types.js';
import type { Sibling, SiblingSet } from './sibling-set.js';
import { historiesEqual, isValidHistory, noHistory } from './history.js';
import { isValidNodeId, isValidVersionVector, vvCovers, vvEqual, vvGet, vvSize } from './vector-clock.js';

/** Structural equality of two canonical states, values compared byte by byte. */
export function siblingSetEquals(a: SiblingSet, b: SiblingSet): boolean {
  if (a.siblings.length !== b.siblings.length || !vvEqual(a.vv, b.vv)) return false;
  const ac = a.cloud ?? [];
  const bc = b.cloud ?? [];
  if (ac.length !== bc.length) return false;
  for (let i = 0; i < ac.length; i++) if (ac[i][0] !== bc[i][0] || ac[i][1] !== bc[i][1]) return false;
  if (!historiesEqual(a.history ?? noHistory, b.history ?? noHistory)) return false;
  for (let i = 0; i < a.siblings.length; i++) {
    if (!siblingEquals(a.siblings[i], b.siblings[i])) return false;
  }
  return true;
}

/** Field-by-field equality of two siblings, values compared byte by byte. */
export function siblingEquals(a: Sibling, b: Sibling): boolean {
  if (a === b) return true;
  if (
    a.node !== b.node ||
    a.counter !== b.counter ||
    a.deleted !== b.deleted ||
    a.contentType !== b.contentType ||
    a.lastModified !== b.lastModified ||
    a.value.length !== b.value.length
  ) {
    return false;
  }
  for (let k = 0; k < a.value.length; k++) {
    if (a.value[k] !== b.value[k]) return false;
  }
  return true;
}

/** The siblings that are values, not tombstones. */
export function liveSiblings(s: SiblingSet): Sibling[] {
  return s.siblings.filter((sibling) => !sibling.deleted);
}

/**
 * True when the key has siblings and every one is a tombstone: it reads as deleted and, once
 * every replica holds the same, may be collected. False for the empty state.
 */
export function isTombstoneOnly(s: SiblingSet): boolean {
  if (s.siblings.length === 0) return false;
  for (let i = 0; i < s.siblings.length; i++) {
    if (!s.siblings[i].deleted) return false;
  }
  return true;
}

/**
 * True when `value` is a well-formed canonical state (for data from a peer or from disk):
 * a valid vector, valid siblings with unique dots in (node, counter) order, each covered by the
 * vector. Sizes are not bounded here (merges may pass siblingsMax); frame size bounds memory.
 */
export function isValidSiblingSet(value: unknown): value is SiblingSet {
  if (typeof value !== 'object' || value === null) return false;
  const { vv, siblings, cloud, history } = value as { vv?: unknown; siblings?: unknown; cloud?: unknown; history?: unknown };
  if (!isValidVersionVector(vv) || !Array.isArray(siblings)) return false;
  if (history !== undefined && (!isValidHistory(history, isValidNodeId, isValidVersionVector) || history.length === 0)) return false;
  if (cloud !== undefined) {
    if (!Array.isArray(cloud) || cloud.length === 0) return false;
    for (let i = 0; i < cloud.length; i++) {
      const dot = cloud[i] as unknown;
      if (!Array.isArray(dot) || dot.length !== 2 || !isValidNodeId(dot[0])) return false;
      if (!Number.isSafeInteger(dot[1]) || dot[1] <= vvGet(vv, dot[0]) + 1) return false;
      if (i > 0 && compareDots(cloud[i - 1][0], cloud[i - 1][1], dot[0], dot[1]) >= 0) return false;
    }
  }
  for (let i = 0; i < siblings.length; i++) {
    const s = siblings[i] as Partial<Sibling> | null;
    if (
      typeof s !== 'object' ||
      s === null ||
      !isValidNodeId(s.node) ||
      typeof s.counter !== 'number' ||
      !Number.isSafeInteger(s.counter) ||
      s.counter <= 0 ||
      !(s.value instanceof Uint8Array) ||
      typeof s.contentType !== 'string' ||
      typeof s.lastModified !== 'number' ||
      !Number.isFinite(s.lastModified) ||
      typeof s.deleted !== 'boolean' ||
      (s.past !== undefined && (!isValidVersionVector(s.past) || vvSize(s.past) === 0)) ||
      !vvCovers(vv, s.node, s.counter)
    ) {
      return false;
    }
    if (i > 0 && compareSiblings(siblings[i - 1] as Sibling, s as Sibling) >= 0) return false;
  }
  return true;
}

/** Orders dots by node id (UTF-16 code units), then counter. */
export function compareDots(aNode: NodeId, aCounter: number, bNode: NodeId, bCounter: number): number {
  if (aNode !== bNode) return aNode < bNode ? -1 : 1;
  return aCounter - bCounter;
}


export function compareSiblings(a: Sibling, b: Sibling): number {
  return compareDots(a.node, a.counter, b.node, b.counter);
}
