// A key's versioned state: its siblings, each tagged with the dot (node, counter) of the write
// that made it, plus one version vector covering every write the replica has seen for the key.
// This is Dynamo's reconciliation (§4.4) made precise the way Riak made it, with dotted version
// vectors (Preguiça et al.); in CRDT terms it is a multi-value register in a dotted causal
// container, whose merge is a join: commutative, associative and idempotent. That is what lets
// hinted handoff, read repair and anti-entropy apply states in any order, any number of times.
//
// States are immutable values: every function returns fresh top-level objects and never
// changes its arguments (siblings and their bytes may be shared between states).
//
// Canonical form, which every function here returns: siblings sorted by (node, counter), dots
// unique, every dot covered by `vv`, and `vv` canonical (vector-clock.ts). Equal states are then
// structurally equal and msgpack-encode to the same bytes. Store only what coordinatePut and
// mergeSiblingSets return (merge a state from a peer into the local one, or into the empty set,
// rather than storing it as received).
//
// Bounds. Both bounds are enforced where a write is coordinated, and refused there with a typed
// result (never by dropping data):
// - siblingsMax: a put that would leave more than siblingsMax siblings is refused with
//   'too_many_siblings'; the client must read (getting every sibling and a context that covers
//   them) and write back a resolution, which always fits. Merges never refuse or drop, since a
//   replica that refused a merge would never converge, so a merged state may hold more
//   siblings than siblingsMax (at most siblingsMax per coordinator that accepted writes while
//   partitioned); the next put must bring it back under.
// - clockEntriesMax: a put whose vector would hold more than clockEntriesMax entries is refused
//   with 'too_many_clock_entries'. Vectors hold one entry per node that ever coordinated a write
//   of the key, and coordinators come from the key's preference list, so they stay near N and
//   only grow when membership changes move the preference list. We refuse instead of pruning,
//   unlike the paper's truncation at 10 entries, because pruning is unsafe with dots: a pruned
//   entry makes the state forget writes it has seen, so a stale replica's superseded (or
//   deleted) siblings come back on the next merge; and a node whose own entry was pruned would
//   mint a dot it already used, which every replica that still remembers the entry treats as
//   already seen and drops — a lost acknowledged write. The paper's vector clocks tolerated
//   truncation because a lost entry there only produced a spurious conflict. The cost of
//   refusing: a key whose clock reaches the bound (more than 60 distinct coordinators over its
//   life with N = 3) stays readable but can no longer be written.

import { assert } from '../common/assert.js';
import { contextCovers, contextMaxCounter, foldDots, type CausalContext, type Dot } from './causal-context.js';
import { clockEntriesMax, historyVersionsDefault, siblingsMax } from '../common/limits.js';
import { historyDominates, historyHas, mergeHistories, noHistory, type HistoryEntry, type VersionMeta } from './history.js';
import { compareDots, compareSiblings } from './canonical.js';

export { compareDots, isValidSiblingSet, isTombstoneOnly, liveSiblings, siblingEquals, siblingSetEquals } from './canonical.js';
import type { NodeId } from '../common/types.js';
import {
  isValidNodeId,
  isValidVersionVector,
  vvCovers,
  vvDescends,
  vvEqual,
  vvGet,
  vvMerge,
  vvMergeWith,
  vvSize,
  type VersionVector,
} from './vector-clock.js';

/** One version of a key's value (or a tombstone), named by the dot of the write that made it. */
export interface Sibling {
  /** The node that coordinated the write. */
  node: NodeId;
  /** The write's number among those `node` coordinated for this key: (node, counter) is the dot. */
  counter: number;
  value: Uint8Array;
  contentType: string;
  /** Milliseconds since the epoch, from the coordinator's injected clock; informational only. */
  lastModified: number;
  /** A tombstone: the write was a delete. */
  deleted: boolean;
  /**
   * What the writer had seen (its context), absent when nothing: the version's own clock is
   * `past` plus its dot, as the paper's Figure 3 writes D3 ([Sx,2],[Sy,1]). Informational: the
   * merge keeps or drops siblings by their dots alone.
   */
  past?: VersionVector;
}

/** A key's state on one replica. */
export interface SiblingSet {
  /** Covers every write this replica has seen for the key, including superseded ones. */
  vv: VersionVector;
  /**
   * Writes this replica knows were superseded but that do not continue `vv` (the dot cloud of
   * a causal context): a put whose context named a loose dot the coordinator had never seen
   * (causal-context.ts). Without it such a put (a delete, say) could not supersede that version
   * on the replicas that hold it. Absent when empty; sorted; never covered by `vv`; folded into
   * `vv` as soon as the gap before it fills.
   */
  cloud?: readonly Dot[];
  /** The versions no write this replica has seen superseded, sorted by (node, counter). */
  siblings: Sibling[];
  /** Superseded versions, newest first, bounded (history.ts); absent when none are kept. */
  history?: readonly HistoryEntry[];
}

/** What a client's put or delete supplies. */
export interface SiblingWrite {
  value: Uint8Array;
  contentType: string;
  lastModified: number;
  deleted: boolean;
}

export type VersionErrorCode = 'too_many_siblings' | 'too_many_clock_entries';

/** A put that would break a bound, refused with a stable code. Nothing was changed. */
export interface PutRefused {
  ok: false;
  code: VersionErrorCode;
  /** The size the put would have produced (siblings, or clock entries). */
  size: number;
  /** The bound it would have broken. */
  limit: number;
  message: string;
}

export interface PutAccepted {
  ok: true;
  /** The new state to store and send to the other replicas. */
  state: SiblingSet;
  /** The sibling this put created (its dot is (coordinator, counter)). */
  sibling: Sibling;
}

export type PutResult = PutAccepted | PutRefused;

const noDots: readonly Dot[] = Object.freeze([]);

const empty: SiblingSet = Object.freeze({
  vv: Object.freeze({}) as VersionVector,
  siblings: Object.freeze([]) as unknown as Sibling[],
});

/** The state of a key nothing was ever written to. */
export function emptySiblingSet(): SiblingSet {
  return { vv: {}, siblings: [] };
}

/**
 * Coordinates a put (or, with `deleted`, a delete) on `coordinator`'s replica: drops every local
 * sibling whose dot `context` (or one of `contextDots`, see causal-context.ts) covers (the client
 * saw it, so its write supersedes it), adds the
 * new sibling with dot (coordinator, max(context[coordinator], local.vv[coordinator]) + 1), and
 * records the context and the new dot in the vector. Calls for one key on one node must be
 * serialized (DESIGN.md), or two puts could mint the same dot. Refuses, changing nothing, when a
 * bound would be broken (see the module comment).
 */
export function coordinatePut(
  local: SiblingSet | undefined,
  context: VersionVector,
  coordinator: NodeId,
  write: SiblingWrite,
  contextDots: readonly Dot[] = noDots,
  historyMax = historyVersionsDefault,
): PutResult {
  assert(isValidNodeId(coordinator), 'coordinatePut: invalid coordinator id');
  const base = local ?? empty;
  const seen: CausalContext = { vv: context, dots: contextDots };
  const counter = Math.max(contextMaxCounter(seen, coordinator), vvGet(base.vv, coordinator)) + 1;
  assert(Number.isSafeInteger(counter), 'coordinatePut: counter overflow');
  const sibling: Sibling = {
    node: coordinator,
    counter,
    value: write.value,
    contentType: write.contentType,
    lastModified: write.lastModified,
    deleted: write.deleted,
  };
  const past = pastOf(context, contextDots);
  if (past !== undefined) sibling.past = past;

  const siblings: Sibling[] = [];
  let superseded: Sibling[] | undefined;
  let placed = false;
  for (let i = 0; i < base.siblings.length; i++) {
    const kept = base.siblings[i];
    if (contextCovers(seen, kept.node, kept.counter)) {
      if (historyMax > 0) (superseded ??= []).push(kept);
      continue;
    }
    // The new dot is above every local dot of this coordinator, so it sorts after them.
    if (!placed && compareDots(coordinator, counter, kept.node, kept.counter) < 0) {
      siblings.push(sibling);
      placed = true;
    }
    siblings.push(kept);
  }
  if (!placed) siblings.push(sibling);
  if (siblings.length > siblingsMax) {
    return refuse('too_many_siblings', siblings.length, siblingsMax);
  }

  // Loose dots of the context that continue the vector are recorded in it; the others join the
  // state's dot cloud, so every replica this state reaches drops the versions they name.
  let vv: VersionVector;
  let cloud = base.cloud;
  if (contextDots.length === 0) {
    vv = vvMergeWith(base.vv, context, coordinator, counter);
  } else {
    const folded = foldDots(vvMerge(base.vv, context), contextDots);
    vv = vvMergeWith(base.vv, folded.vv, coordinator, counter);
    cloud = cloud === undefined ? folded.dots : [...cloud, ...folded.dots];
  }
  if (cloud !== undefined && cloud.length > 0) {
    const compact = foldDots(vv, cloud);
    vv = compact.vv;
    cloud = compact.dots;
  }
  const entries = vvSize(vv);
  if (entries > clockEntriesMax) {
    return refuse('too_many_clock_entries', entries, clockEntriesMax);
  }
  const history = mergeHistories(base.history ?? noHistory, noHistory, (superseded ?? noVersions).map(metaOf), historyMax);
  return { ok: true, state: withExtras(vv, siblings, cloud, history), sibling };
}

/** A context as one vector: its loose dots raise their node's entry (a vector cannot skip). */
function pastOf(context: VersionVector, dots: readonly Dot[]): VersionVector | undefined {
  let past = context;
  for (const [node, counter] of dots) if (counter > vvGet(past, node)) past = { ...past, [node]: counter };
  return vvSize(past) === 0 ? undefined : past;
}

const noVersions: readonly Sibling[] = Object.freeze([]);
const emptyVector: VersionVector = Object.freeze({}) as VersionVector;

function metaOf(sibling: Sibling): VersionMeta {
  return { ...sibling, past: sibling.past ?? emptyVector };
}

/**
 * The join of two replicas' states: a sibling of one side survives when the other side holds
 * the same dot too, or has not seen it (its vector does not cover the dot); a sibling the other
 * side has seen but no longer holds was superseded there. Never refuses and never drops a
 * sibling that neither side superseded.
 */
export function mergeSiblingSets(a: SiblingSet, b: SiblingSet, historyMax = historyVersionsDefault): SiblingSet {
  const as = a.siblings;
  const bs = b.siblings;
  const siblings: Sibling[] = [];
  // Siblings one side superseded and the other still held: they join the history.
  let superseded: VersionMeta[] | undefined;
  let i = 0;
  let j = 0;
  while (i < as.length || j < bs.length) {
    const order = walkOrder(as, i, bs, j);
    if (order === 0) {
      // One dot names one write, so both copies are the same sibling.
      siblings.push(as[i]);
      i++;
      j++;
    } else if (order < 0) {
      const s = as[i++];
      assert(i === as.length || compareSiblings(s, as[i]) < 0, 'merge: siblings not canonical');
      if (!stateCovers(b, s.node, s.counter)) siblings.push(s);
      else if (historyMax > 0) (superseded ??= []).push(metaOf(s));
    } else {
      const s = bs[j++];
      assert(j === bs.length || compareSiblings(s, bs[j]) < 0, 'merge: siblings not canonical');
      if (!stateCovers(a, s.node, s.counter)) siblings.push(s);
      else if (historyMax > 0) (superseded ??= []).push(metaOf(s));
    }
  }
  const history =
    a.history === undefined && b.history === undefined && superseded === undefined
      ? noHistory
      : mergeHistories(a.history ?? noHistory, b.history ?? noHistory, superseded ?? noMetas, historyMax);
  const vv = vvMerge(a.vv, b.vv);
  if (a.cloud === undefined && b.cloud === undefined) return withExtras(vv, siblings, undefined, history);
  const compact = foldDots(vv, [...(a.cloud ?? []), ...(b.cloud ?? [])]);
  return withExtras(compact.vv, siblings, compact.dots, history);
}

const noMetas: readonly VersionMeta[] = Object.freeze([]);

/** True when the state has seen the write (node, counter): its vector or its dot cloud covers it. */
export function stateCovers(state: SiblingSet, node: NodeId, counter: number): boolean {
  if (vvCovers(state.vv, node, counter)) return true;
  const cloud = state.cloud;
  if (cloud === undefined) return false;
  for (let i = 0; i < cloud.length; i++) if (cloud[i][0] === node && cloud[i][1] === counter) return true;
  return false;
}

/** A state in canonical form: the dot cloud and the history only when not empty. */
function withExtras(vv: VersionVector, siblings: Sibling[], cloud: readonly Dot[] | undefined, history: readonly HistoryEntry[]): SiblingSet {
  const state: SiblingSet = { vv, siblings };
  if (cloud !== undefined && cloud.length > 0) state.cloud = cloud;
  if (history.length > 0) state.history = history;
  return state;
}

/**
 * True when `a` already holds everything `b` knows: merging `b` into `a` would leave `a`
 * unchanged. Computed without building the merge.
 */
export function dominates(a: SiblingSet, b: SiblingSet, historyMax = historyVersionsDefault): boolean {
  if (!vvDescends(a.vv, b.vv)) return false;
  const aHistory = a.history ?? noHistory;
  if (b.history !== undefined && !historyDominates(aHistory, b.history, historyMax)) return false;
  if (b.cloud !== undefined) {
    for (const [node, counter] of b.cloud) if (!stateCovers(a, node, counter)) return false;
  }
  const as = a.siblings;
  const bs = b.siblings;
  let i = 0;
  let j = 0;
  while (i < as.length || j < bs.length) {
    const order = walkOrder(as, i, bs, j);
    if (order === 0) {
      i++;
      j++;
    } else if (order < 0) {
      // Only in a: the merge drops it when b has seen it (b superseded it).
      const s = as[i++];
      if (stateCovers(b, s.node, s.counter)) return false;
    } else {
      // Only in b: the merge adds it unless a has seen it (a superseded it); then it joins
      // a's history, unless already there or too old to be kept.
      const s = bs[j++];
      if (!stateCovers(a, s.node, s.counter)) return false;
      if (historyMax > 0 && !historyHas(aHistory, s.node, s.counter)) {
        if (!historyDominates(aHistory, [{ ...metaOf(s), size: 0, hash: 0 }], historyMax)) return false;
      }
    }
  }
  return true;
}

/** True when merging `merged` (e.g. a read's reconciled state) into `replica` would change it. */
export function needsRepair(replica: SiblingSet, merged: SiblingSet, historyMax = historyVersionsDefault): boolean {
  return !dominates(replica, merged, historyMax);
}

/** Which side a merge walk of two sorted sibling lists takes next: -1 for a[i], 1 for b[j], 0 for both. */
function walkOrder(as: readonly Sibling[], i: number, bs: readonly Sibling[], j: number): number {
  if (i === as.length) return 1;
  if (j === bs.length) return -1;
  return compareDots(as[i].node, as[i].counter, bs[j].node, bs[j].counter);
}


function refuse(code: VersionErrorCode, size: number, limit: number): PutRefused {
  const message =
    code === 'too_many_siblings'
      ? `the write would leave ${size} siblings (at most ${limit}): ` +
        'read the key and write back one resolution with its context'
      : `the write would need ${size} clock entries (at most ${limit}): ` +
        'too many nodes have coordinated writes of this key';
  return { ok: false, code, size, limit, message };
}
