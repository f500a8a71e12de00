// The decision core of a coordinated PUT or DELETE (Dynamo §4.5; Riak's riak_kv_put_fsm).
//
// The coordinator has already applied the write to its own replica (that is one ack); this
// core counts the acks of the other replicas it sent the new state to and says when W is met
// or can no longer be met.
//
// Which acks count. The first `counted` targets are the key's replicas in the current ring:
// the coordinator, then the other preference-list nodes or the fallbacks standing in for them
// (a fallback's ack arrives under the primary's name). Only their acks count toward W. During
// a partition transfer the node also sends the write to the future ring's replicas, appended
// after them (transfers.ts: nothing written meanwhile is lost); those "future replicas"
// receive the write, but a read only asks the current preference list, so an ack from one of
// them must not stand for a current replica: W = 2 met by the coordinator and a future replica
// would let an R = 2 read of the two other current replicas miss the write (R + W > N holds
// only within one set of N nodes). For the same reason a future replica's failure never makes
// W unreachable.
//
// Durable acks (DW, as Riak names it; the paper's §6.1 trades durability for performance, and
// DW lets a request buy it back). A request may ask that `dw` (0…W) of the counted acks be
// durable: the replica flushed the write to stable storage before acking. Then the put is
// enough only once W acks are in AND dw of them are durable, and it has failed as soon as W or
// dw can no longer be met. An ack that arrived not durable (a node that predates the flag)
// never becomes durable. With dw = 0 (the default) nothing changes: the durable count is
// compared against 0.

import { assert } from '../common/assert.js';
import type { NodeId } from '../common/types.js';

export type PutProgress = 'waiting' | 'enough' | 'failed';

export interface PutCore {
  readonly targets: readonly NodeId[];
  readonly w: number;
  /** The first `counted` targets count toward W; the ones after them are future replicas. */
  readonly counted: number;
  /** Durable acks required among the counted ones (0…w; 0: none). */
  readonly dw: number;
  /** Counted targets that acknowledged. */
  readonly acked: Set<NodeId>;
  /** How many of `acked` said their write was durable. */
  durableAcked: number;
  /** Counted targets that could not (unreachable, timed out, refused). */
  readonly failed: Set<NodeId>;
  /** Future replicas that answered, acked or failed: they only matter to allAnswered. */
  readonly extraAnswered: Set<NodeId>;
}

/** `counted` defaults to every target (no transfer in progress); `dw` to 0 (no durable ack required). */
export function initPutCore(targets: readonly NodeId[], w: number, counted = targets.length, dw = 0): PutCore {
  assert(w >= 1, 'put: w must be at least 1');
  assert(distinct(targets), 'put: targets must be distinct');
  assert(Number.isInteger(counted) && counted >= 1 && counted <= targets.length, 'put: counted must be 1..targets');
  assert(Number.isInteger(dw) && dw >= 0 && dw <= w, 'put: dw must be 0..w');
  return { targets, w, counted, dw, acked: new Set(), durableAcked: 0, failed: new Set(), extraAnswered: new Set() };
}

/** Where `node` sits among the targets: counted, a future replica, or no target at all. */
function roleOf(core: PutCore, node: NodeId): 'counted' | 'extra' | undefined {
  const index = core.targets.indexOf(node);
  if (index < 0) return undefined;
  return index < core.counted ? 'counted' : 'extra';
}

/**
 * Records an ack, `durable` when the replica says the write is on stable storage. The first
 * answer of a node stands (a second ack, durable or not, changes nothing); an answer from a
 * non-target is ignored.
 */
export function addAck(core: PutCore, node: NodeId, durable = false): void {
  const role = roleOf(core, node);
  if (role === 'extra') core.extraAnswered.add(node);
  if (role !== 'counted' || core.failed.has(node) || core.acked.has(node)) return;
  core.acked.add(node);
  if (durable) core.durableAcked++;
}

/** Records a failure. The first answer of a node stands; an answer from a non-target is ignored. */
export function addFailure(core: PutCore, node: NodeId): void {
  const role = roleOf(core, node);
  if (role === 'extra') core.extraAnswered.add(node);
  if (role !== 'counted' || core.acked.has(node)) return;
  core.failed.add(node);
}

export function progress(core: PutCore): PutProgress {
  const acked = core.acked.size;
  if (acked >= core.w && core.durableAcked >= core.dw) return 'enough';
  // Only a target yet to answer can still bring an ack, durable or not.
  const outstanding = core.counted - acked - core.failed.size;
  if (acked + outstanding < core.w || core.durableAcked + outstanding < core.dw) return 'failed';
  return 'waiting';
}

/**
 * True once every target, future replicas included, has acked or failed: nothing more can
 * arrive. The machine answers as soon as progress is decided and does not wait for this (the
 * writes already sent finish on their own); it is here for whoever needs the whole picture.
 */
export function allAnswered(core: PutCore): boolean {
  return core.acked.size + core.failed.size + core.extraAnswered.size >= core.targets.length;
}

/** Whether no node appears twice; no allocation (one call per put, a handful of targets). */
function distinct(targets: readonly NodeId[]): boolean {
  for (let i = 1; i < targets.length; i++) {
    for (let j = 0; j < i; j++) if (targets[i] === targets[j]) return false;
  }
  return true;
}
