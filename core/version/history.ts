// A key's bounded version history: metadata of the versions it no longer holds (superseded by
// a later write), so an operator can see where the current siblings came from. Only metadata:
// the dot, the version's own clock, when it was written, its size, a short hash of its bytes
// and whether it was a delete.
//
// History travels inside the key's state (sibling-set.ts), so puts, hints, read repair,
// anti-entropy and transfers carry it with no extra messages, and it must merge as a join for
// replicas to converge: the merge of two histories is the union of their entries and of the
// siblings the merge itself found superseded, then the newest `max` entries by a total order
// (lastModified, then dot). Keeping the top `max` of a union is idempotent, commutative and
// associative, so any order of deliveries gives the same history on every replica, provided
// every node keeps the same `max` (the node option --history N, like n, is cluster-wide:
// anti-entropy compares stored bytes, so replicas with different bounds would keep repairing
// each other).

import type { NodeId } from '../common/types.js';
import type { VersionVector } from './vector-clock.js';

/** One superseded version. */
export interface HistoryEntry {
  /** The dot of the write that made the version. */
  node: NodeId;
  counter: number;
  /** What its writer had seen: its clock is `past` plus its dot. */
  past: VersionVector;
  lastModified: number;
  /** Bytes of its value. */
  size: number;
  /** FNV-1a (32 bits) of its value. */
  hash: number;
  deleted: boolean;
}

/** The fields of a sibling a history entry is made from. */
export interface VersionMeta {
  node: NodeId;
  counter: number;
  past: VersionVector;
  lastModified: number;
  value: Uint8Array;
  deleted: boolean;
}

export const noHistory: readonly HistoryEntry[] = Object.freeze([]);

/** The history entry for a version that was superseded. */
export function historyEntryOf(version: VersionMeta): HistoryEntry {
  return {
    node: version.node,
    counter: version.counter,
    past: version.past,
    lastModified: version.lastModified,
    size: version.value.byteLength,
    hash: contentHash(version.value),
    deleted: version.deleted,
  };
}

/** FNV-1a over the bytes, 32 bits: a short fingerprint to tell versions apart at a glance. */
export function contentHash(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A version's own clock: what its writer had seen plus its dot (the paper's Figure 3). When one
 * node coordinated two concurrent writes, their clocks compare as if one descended the other
 * ({n1:1,n4:1} and {n1:1,n4:2}): a plain vector cannot say "n4's 2nd write but not its 1st".
 * So each version also carries `past` (the clock without its own dot): version A descends B
 * exactly when A's past covers B's dot.
 */
export function clockOf(version: { node: NodeId; counter: number; past?: VersionVector }): Record<NodeId, number> {
  const clock: Record<string, number> = { ...version.past };
  clock[version.node] = version.counter;
  return clock;
}

/** Newest first: later lastModified, then larger node id, then larger counter. */
export function compareHistory(a: HistoryEntry, b: HistoryEntry): number {
  if (a.lastModified !== b.lastModified) return b.lastModified - a.lastModified;
  if (a.node !== b.node) return a.node < b.node ? 1 : -1;
  return b.counter - a.counter;
}

/** True when the list holds an entry with this dot. */
export function historyHas(history: readonly HistoryEntry[], node: NodeId, counter: number): boolean {
  for (let i = 0; i < history.length; i++) if (history[i].node === node && history[i].counter === counter) return true;
  return false;
}

/**
 * The join of two histories plus the versions a merge or put just superseded (`superseded`,
 * made into entries unless already present): their union by dot, newest `max` kept, newest
 * first. Returns `a` itself when nothing changes it, so callers can tell cheaply.
 */
export function mergeHistories(
  a: readonly HistoryEntry[],
  b: readonly HistoryEntry[],
  superseded: readonly VersionMeta[],
  max: number,
): readonly HistoryEntry[] {
  if (max <= 0) return noHistory;
  let union: HistoryEntry[] | undefined;
  const add = (entry: HistoryEntry) => {
    if (historyHas(a, entry.node, entry.counter) || (union !== undefined && historyHas(union, entry.node, entry.counter))) return;
    union ??= [...a];
    union.push(entry);
  };
  for (let i = 0; i < b.length; i++) add(b[i]);
  for (let i = 0; i < superseded.length; i++) {
    const version = superseded[i];
    if (!historyHas(a, version.node, version.counter) && !historyHas(b, version.node, version.counter)) add(historyEntryOf(version));
  }
  if (union === undefined) return a.length > max ? a.slice(0, max) : a;
  union.sort(compareHistory);
  return union.length > max ? union.slice(0, max) : union;
}

/** Structural equality of two canonical histories (same entries, same order). */
export function historiesEqual(a: readonly HistoryEntry[], b: readonly HistoryEntry[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.node !== y.node || x.counter !== y.counter || x.lastModified !== y.lastModified || x.size !== y.size || x.hash !== y.hash || x.deleted !== y.deleted) {
      return false;
    }
  }
  return true;
}

/**
 * True when merging `b`'s history into `a`'s (bounded by `max`) would leave `a`'s unchanged:
 * every entry of `b` is in `a`, or would not make the newest `max`.
 */
export function historyDominates(a: readonly HistoryEntry[], b: readonly HistoryEntry[], max: number): boolean {
  if (max <= 0) return true;
  for (let i = 0; i < b.length; i++) {
    const entry = b[i];
    if (historyHas(a, entry.node, entry.counter)) continue;
    if (a.length < max || compareHistory(entry, a[a.length - 1]) < 0) return false;
  }
  return true;
}

/** True when the value is a canonical history: valid entries, unique dots, newest first. */
export function isValidHistory(value: unknown, isNodeId: (id: unknown) => boolean, isVector: (v: unknown) => boolean): value is HistoryEntry[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const e = value[i] as Partial<HistoryEntry> | null;
    if (
      typeof e !== 'object' ||
      e === null ||
      !isNodeId(e.node) ||
      !Number.isSafeInteger(e.counter) ||
      (e.counter as number) <= 0 ||
      !isVector(e.past) ||
      typeof e.lastModified !== 'number' ||
      !Number.isFinite(e.lastModified) ||
      !Number.isSafeInteger(e.size) ||
      (e.size as number) < 0 ||
      !Number.isInteger(e.hash) ||
      (e.hash as number) < 0 ||
      (e.hash as number) > 0xffffffff ||
      typeof e.deleted !== 'boolean'
    ) {
      return false;
    }
    if (i > 0 && compareHistory(value[i - 1] as HistoryEntry, e as HistoryEntry) >= 0) return false;
  }
  return true;
}
