// Settling: after any change, GossipCore brings its membership state to a fixed point, one step
// at a time. A step re-claims when the active members differ from the plan's and hands the
// partitions of force-removed owners to their targets (both deterministic: every node computes
// the same), then makes this node's own transitions: a pending join once the cluster is known,
// its record's addresses and weight, joining → up once every partition claimed for it has
// arrived, leaving → left once it owns nothing and the plan no longer counts it. Pure.

import type { NodeId } from '../common/types.js';
import type { GossipSelf } from './gossip-types.js';
import { membersMax } from './limits.js';
import {
  adoptOrphans,
  isGone,
  ownership,
  reclaim,
  type MemberRecord,
  type MembershipState,
  type OwnershipView,
} from './membership-state.js';

/** One settling step's outcome. `state` is the very input state when the step changed nothing. */
export interface SettleStep {
  state: MembershipState;
  /** Whether the step re-claimed the ring (a new plan version). */
  claimed: boolean;
  /** The pending join after the step (cleared once made, or refused). */
  joinSeed: string | null;
  /** This node's own record refused because membersMax records are known (0 or 1). */
  recordsRefused: number;
}

/** One step towards the fixed point, for the node `self` with the pending join `joinSeed`. */
export function settleStep(state: MembershipState, self: GossipSelf, joinSeed: string | null): SettleStep {
  let next = reclaim(state);
  const claimed = next !== state;
  next = adoptOrphans(next);
  const own = ownTransition(next, self, joinSeed);
  return { state: own.state, claimed, joinSeed: own.joinSeed, recordsRefused: own.recordsRefused };
}

/** This node's own next transition in `state`, if any (see the module comment). */
function ownTransition(
  state: MembershipState,
  self: GossipSelf,
  joinSeed: string | null,
): { state: MembershipState; joinSeed: string | null; recordsRefused: number } {
  const id: NodeId = self.id;
  const record = state.members.get(id);
  const put = (next: MemberRecord): MembershipState => {
    const members = new Map(state.members);
    members.set(id, next);
    return { ...state, members };
  };
  if (joinSeed !== null && state.cluster !== null) {
    if (record !== undefined && !isGone(record.status)) {
      joinSeed = null; // a member already (a restart that lost its disk, or a duplicate join)
    } else if (record === undefined && state.members.size >= membersMax) {
      return { state, joinSeed: null, recordsRefused: 1 };
    } else {
      return { state: put({ ...self, status: 'joining', version: (record?.version ?? 0) + 1 }), joinSeed: null, recordsRefused: 0 };
    }
  }
  const unchanged = { state, joinSeed, recordsRefused: 0 };
  if (record === undefined || isGone(record.status)) return unchanged;
  const { http, peer, weight } = self;
  if (record.http !== http || record.peer !== peer || record.weight !== weight) {
    return { ...unchanged, state: put({ ...record, http, peer, weight, version: record.version + 1 }) };
  }
  const ring = state.ring;
  if (ring === null) return unchanged;
  const claimed = ring.plan.claimedFor.some((member) => member.id === id);
  if (record.status === 'joining' && claimed) {
    const view = ownership(state) as OwnershipView;
    if (!view.pending.includes(id)) return { ...unchanged, state: put({ ...record, status: 'up', version: record.version + 1 }) };
  }
  if (record.status === 'leaving' && !claimed) {
    const view = ownership(state) as OwnershipView;
    if (!view.owners.includes(id)) return { ...unchanged, state: put({ ...record, status: 'left', version: record.version + 1 }) };
  }
  return unchanged;
}
