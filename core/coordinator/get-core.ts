// The decision core of a coordinated GET (Dynamo §4.5; Riak's riak_kv_get_core).
//
// A pure, mutable value owned by one request: it records replica replies, says when R replies
// are enough to answer (or when R can no longer be reached), merges what the replicas returned
// into the response, and, once every replica has answered or the request timed out, lists the
// read repairs to send: the merged state, to every replica whose state lacks part of it.
// The XState machine in get.machine.ts only moves between states; every decision is here.

import { assert } from '../common/assert.js';
import { historyVersionsDefault } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { emptySiblingSet, mergeSiblingSets, needsRepair } from '../version/sibling-set.js';
import type { SiblingSet } from '../version/sibling-set.js';

export type GetProgress = 'waiting' | 'enough' | 'failed';

export type GetResponse =
  | { kind: 'ok'; state: SiblingSet; replies: number }
  | { kind: 'quorum'; replies: number; required: number };

export interface Repair {
  node: NodeId;
  state: SiblingSet;
}

export interface GetCore {
  readonly targets: readonly NodeId[];
  readonly r: number;
  /** Replies in arrival order: a state, or null for "not found". */
  readonly states: Map<NodeId, SiblingSet | null>;
  readonly failed: Set<NodeId>;
  merged: SiblingSet | undefined;
  /** Superseded versions a state keeps (the node's --history). */
  readonly historyMax: number;
}

export function initGetCore(targets: readonly NodeId[], r: number, historyMax = historyVersionsDefault): GetCore {
  assert(r >= 1, 'get: r must be at least 1');
  return { targets, r, states: new Map(), failed: new Set(), merged: undefined, historyMax };
}

/** Records one replica's reply; a duplicate or late reply from the same node is ignored. */
export function addReply(core: GetCore, node: NodeId, state: SiblingSet | null): void {
  if (core.states.has(node) || core.failed.has(node)) return;
  core.states.set(node, state);
  if (state !== null) core.merged = core.merged === undefined ? state : mergeSiblingSets(core.merged, state, core.historyMax);
}

/** Records that a replica could not answer (unreachable, timed out, error). */
export function addFailure(core: GetCore, node: NodeId): void {
  if (core.states.has(node) || core.failed.has(node)) return;
  core.failed.add(node);
}

export function progress(core: GetCore): GetProgress {
  if (core.states.size >= core.r) return 'enough';
  const outstanding = core.targets.length - core.states.size - core.failed.size;
  if (core.states.size + outstanding < core.r) return 'failed';
  return 'waiting';
}

/** True once every target has replied or failed: nothing more can arrive. */
export function allAnswered(core: GetCore): boolean {
  return core.states.size + core.failed.size >= core.targets.length;
}

export function response(core: GetCore): GetResponse {
  if (core.states.size < core.r) return { kind: 'quorum', replies: core.states.size, required: core.r };
  return { kind: 'ok', state: core.merged ?? emptySiblingSet(), replies: core.states.size };
}

/**
 * The read repairs to send (Dynamo §4.6, read repair): every replica that replied with a state
 * missing part of the merged one gets the merged state. Replicas that failed get nothing here;
 * hinted handoff and anti-entropy cover them.
 */
export function repairs(core: GetCore): Repair[] {
  const merged = core.merged;
  if (merged === undefined) return [];
  const out: Repair[] = [];
  for (const [node, state] of core.states) {
    if (state === null || needsRepair(state, merged, core.historyMax)) out.push({ node, state: merged });
  }
  return out;
}
