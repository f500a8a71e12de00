// The decision core of a coordinated PUT or DELETE (Dynamo §4.5; Riak's riak_kv_put_fsm).
//
// The coordinator has already applied the write to its own replica (that is one ack); this
// core counts the acks of the other replicas it sent the new state to and says when W is met
// or can no longer be met.

import { assert } from '../common/assert.js';
import type { NodeId } from '../common/types.js';

export type PutProgress = 'waiting' | 'enough' | 'failed';

export interface PutCore {
  readonly targets: readonly NodeId[];
  readonly w: number;
  readonly acked: Set<NodeId>;
  readonly failed: Set<NodeId>;
}

export function initPutCore(targets: readonly NodeId[], w: number): PutCore {
  assert(w >= 1, 'put: w must be at least 1');
  return { targets, w, acked: new Set(), failed: new Set() };
}

export function addAck(core: PutCore, node: NodeId): void {
  if (core.failed.has(node)) return;
  core.acked.add(node);
}

export function addFailure(core: PutCore, node: NodeId): void {
  if (core.acked.has(node)) return;
  core.failed.add(node);
}

export function progress(core: PutCore): PutProgress {
  if (core.acked.size >= core.w) return 'enough';
  const outstanding = core.targets.length - core.acked.size - core.failed.size;
  if (core.acked.size + outstanding < core.w) return 'failed';
  return 'waiting';
}

export function allAnswered(core: PutCore): boolean {
  return core.acked.size + core.failed.size >= core.targets.length;
}
