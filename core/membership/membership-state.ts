// The membership state every node keeps and gossips (Dynamo paper §4.8.1, ring membership;
// §6.2, strategy 3 ownership), as a state-based CRDT: merge is commutative, associative and
// idempotent, so nodes that have seen the same updates hold the same state, whatever the order,
// loss or duplication of the gossip that carried them. Pure: no clock, no randomness, no I/O.
//
// The state has three parts, each a join-semilattice on its own:
//
//   members   one record per node ever known: addresses, weight, status and a version. Only a
//             node writes its own record (join, leave, address or weight change, joining → up,
//             leaving → left), except for an admin's force-removal of a dead node (`removed`);
//             the record with the higher version wins, and a total order on the rest of the
//             record breaks a tie (removed > left > leaving > up > joining, then weight and
//             addresses). A node that left or was removed stays as a tombstone, so a stale
//             gossip cannot bring it back.
//
//   plan      the ring as claimed (claim.ts): the target owner of every partition, the version
//             of the claim and the members (id and weight) it was claimed for. The higher
//             version wins; a tie (two nodes re-claimed concurrently) is broken by a total order
//             on the plans, so every node picks the same one.
//
//   owners    per partition, the node that owns it now, with a counter: a register that only
//             moves when a transfer completes (the data has arrived at the target), counter + 1;
//             the higher counter wins, the greater id breaks a tie.
//
// The ring a node routes by is derived from the state, never stored: the owner of a partition is
// its register's owner. A partition whose target differs from its owner, and whose target should
// own partitions (joining or up), has a transfer pending from the owner to the target; reads and
// writes keep going to the owner meanwhile.
//
// Re-claiming is deterministic too: whenever the members that should own partitions (joining
// and up, with their weights) differ from those the plan was claimed for, every node that
// notices computes claim(Q, members, N, plan.targets) and bumps the plan's version. Same inputs
// give the same plan, so concurrent re-claims agree; when their inputs differed (two joins seen
// in different orders), the plan order picks one winner everywhere, whose members then differ
// from the merged membership, so the next re-claim, computed from the winner by everyone, agrees.
// Once the membership stops changing, every node ends on one plan within a few gossip rounds.
//
// Ownership moves only when data has moved: a register changes by completeTransfer (the target
// has everything), never by a re-claim. A re-claim only changes targets, so a transfer in flight
// toward a target that a newer plan keeps goes on undisturbed, and one toward a target that the
// newer plan drops is refused when it completes (the owner then streams to the new target).
// A member that leaves becomes `left` only once it owns nothing; should a register still name
// it (a transfer to it completed by an owner that had not yet heard of its leave), it still owns
// that partition and streams it to its target like any owner. The one exception is an admin's
// force-removal of a node that will not come back: adoptOrphans hands a `removed` member's
// partitions to their targets, deterministically like a re-claim, and their data comes from the
// other replicas (anti-entropy).
//
// The state's digests and canonical strings are in membership-digest.ts.

import { assert } from '../common/assert.js';
import type { NodeId } from '../common/types.js';
import { claim, type ClaimMember } from '../ring/claim.js';
import { isValidRingSize } from '../ring/partitioner.js';
import { membersMax } from './limits.js';

/**
 * A member's status as gossiped. `joining`: claimed partitions are being transferred to it;
 * `up`: it owns what it was claimed; `leaving`: its partitions are being transferred away;
 * `left`: it handed everything off and is gone (a tombstone); `removed`: an admin removed it for
 * good without a hand-off (a tombstone; its partitions go to their targets without a transfer).
 * `down` is not a status: each node judges liveness locally.
 */
export type MembershipStatus = 'joining' | 'up' | 'leaving' | 'left' | 'removed';

export const membershipStatuses: readonly MembershipStatus[] = ['joining', 'up', 'leaving', 'left', 'removed'];

const statusRank: Readonly<Record<MembershipStatus, number>> = { joining: 0, up: 1, leaving: 2, left: 3, removed: 4 };

/** Statuses of nodes that are no members any more (tombstones). */
export function isGone(status: MembershipStatus | undefined): boolean {
  return status === 'left' || status === 'removed';
}

export interface MemberRecord {
  readonly id: NodeId;
  /** host:port of the node's HTTP API. */
  readonly http: string;
  /** host:port of the node's peer listener. */
  readonly peer: string;
  /** Relative share of partitions, >= 0. */
  readonly weight: number;
  readonly status: MembershipStatus;
  /** Grows by one with every change of the record; the higher version wins a merge. */
  readonly version: number;
}

/** The ring as claimed: who should own each partition, and for which members. */
export interface RingPlan {
  /** Grows by one with every claim. */
  readonly version: number;
  /** The members the plan was claimed for, sorted by id (weights included). */
  readonly claimedFor: readonly ClaimMember[];
  /** targets[p]: the node that should own partition p. */
  readonly targets: readonly NodeId[];
}

export interface RingState {
  readonly ringSize: number;
  /** Replication factor N the plan was claimed with (claim's spacing). */
  readonly n: number;
  readonly plan: RingPlan;
  /** owners[p]: the register of partition p's current owner. */
  readonly owners: readonly NodeId[];
  /** counters[p] >= 1: how many times partition p's ownership moved (plus one). */
  readonly counters: readonly number[];
}

export interface MembershipState {
  /** The cluster's id, fixed when its first node founded it; null before a node learns one. */
  readonly cluster: string | null;
  readonly members: ReadonlyMap<NodeId, MemberRecord>;
  /** Null until the node learns the cluster (a cluster always has a ring). */
  readonly ring: RingState | null;
}

export const emptyMembership: MembershipState = Object.freeze({ cluster: null, members: new Map(), ring: null });

/** Statuses of members that take partitions in a claim. */
export function isActiveStatus(status: MembershipStatus | undefined): boolean {
  return status === 'joining' || status === 'up';
}

/** Statuses of nodes that may own partitions: all but `removed` (a `left` node may own a straggler). */
export function mayOwn(status: MembershipStatus | undefined): boolean {
  return status !== 'removed';
}

/** Code-unit order of strings (not localeCompare): the same on every node. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A total order on records of one id: version, then status, weight and addresses. */
export function compareRecords(a: MemberRecord, b: MemberRecord): number {
  return (
    a.version - b.version ||
    statusRank[a.status] - statusRank[b.status] ||
    (a.weight < b.weight ? -1 : a.weight > b.weight ? 1 : 0) ||
    compareStrings(a.http, b.http) ||
    compareStrings(a.peer, b.peer) ||
    compareStrings(a.id, b.id)
  );
}

/** A total order on plans: version, then the members claimed for, then the targets. */
export function comparePlans(a: RingPlan, b: RingPlan): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.claimedFor.length !== b.claimedFor.length) return a.claimedFor.length - b.claimedFor.length;
  for (let i = 0; i < a.claimedFor.length; i++) {
    const x = a.claimedFor[i];
    const y = b.claimedFor[i];
    const byId = compareStrings(x.id, y.id);
    if (byId !== 0) return byId;
    if (x.weight !== y.weight) return x.weight < y.weight ? -1 : 1;
  }
  for (let p = 0; p < a.targets.length; p++) {
    const byTarget = compareStrings(a.targets[p], b.targets[p]);
    if (byTarget !== 0) return byTarget;
  }
  return a.targets.length - b.targets.length;
}

/** A cluster of one: `founder` (made `up`) owns every partition; plan and counters start at 1. */
export function foundCluster(cluster: string, founder: MemberRecord, ringSize: number, n: number): MembershipState {
  assert(cluster.length > 0, 'foundCluster: empty cluster id');
  assert(isValidRingSize(ringSize), `foundCluster: invalid ring size ${ringSize}`);
  assert(Number.isInteger(n) && n >= 1, `foundCluster: bad n ${n}`);
  assert(founder.weight > 0, 'foundCluster: the founder needs a positive weight');
  const record: MemberRecord = { ...founder, status: 'up' };
  const owners = new Array<NodeId>(ringSize).fill(founder.id);
  const plan: RingPlan = { version: 1, claimedFor: [{ id: founder.id, weight: founder.weight }], targets: owners };
  return {
    cluster,
    members: new Map([[founder.id, record]]),
    ring: { ringSize, n, plan, owners, counters: new Array<number>(ringSize).fill(1) },
  };
}

export interface MembersMerge {
  /** The merged map; the very `local` map when nothing changed. */
  readonly members: ReadonlyMap<NodeId, MemberRecord>;
  /** Ids that were not known before. */
  readonly added: readonly NodeId[];
  /** Ids whose record changed (added ones included). */
  readonly changed: readonly NodeId[];
  /** New records refused because `recordsMax` records are already known. */
  readonly refused: number;
}

/**
 * Merges records into a member map: per id, the greater record by compareRecords. A record for
 * an id not yet known is refused once the map holds `recordsMax` records (a bound, not an
 * operating point: past it, nodes may keep different subsets).
 */
export function mergeMembers(
  local: ReadonlyMap<NodeId, MemberRecord>,
  incoming: Iterable<MemberRecord>,
  recordsMax = membersMax,
): MembersMerge {
  let merged: Map<NodeId, MemberRecord> | undefined;
  const added: NodeId[] = [];
  const changed: NodeId[] = [];
  let refused = 0;
  for (const record of incoming) {
    const current = (merged ?? local).get(record.id);
    if (current === undefined) {
      if ((merged ?? local).size >= recordsMax) {
        refused++;
        continue;
      }
      added.push(record.id);
    } else if (compareRecords(record, current) <= 0) {
      continue;
    }
    merged ??= new Map(local);
    merged.set(record.id, record);
    changed.push(record.id);
  }
  return { members: merged ?? local, added, changed, refused };
}

/**
 * The join of two rings of the same shape: the greater plan, and per partition the register
 * with the greater (counter, owner). Returns `a` itself when `b` adds nothing.
 */
export function mergeRings(a: RingState | null, b: RingState | null): RingState | null {
  if (b === null || a === b) return a;
  if (a === null) return b;
  assert(a.ringSize === b.ringSize && a.n === b.n, 'mergeRings: rings of different shapes');
  const plan = comparePlans(b.plan, a.plan) > 0 ? b.plan : a.plan;
  let owners: NodeId[] | undefined;
  let counters: number[] | undefined;
  for (let p = 0; p < a.ringSize; p++) {
    const wins = b.counters[p] > a.counters[p] || (b.counters[p] === a.counters[p] && b.owners[p] > a.owners[p]);
    if (!wins) continue;
    owners ??= a.owners.slice();
    counters ??= a.counters.slice();
    owners[p] = b.owners[p];
    counters[p] = b.counters[p];
  }
  if (plan === a.plan && owners === undefined) return a;
  return { ringSize: a.ringSize, n: a.n, plan, owners: owners ?? a.owners, counters: counters ?? a.counters };
}

/**
 * The join of two states of one cluster (or of a state with one that knows no cluster yet).
 * Returns `a` itself when `b` adds nothing. Callers check cluster ids and ring shapes first.
 */
export function mergeStates(a: MembershipState, b: MembershipState, recordsMax = membersMax): MembershipState {
  assert(a.cluster === null || b.cluster === null || a.cluster === b.cluster, 'mergeStates: different clusters');
  const members = mergeMembers(a.members, b.members.values(), recordsMax).members;
  const ring = mergeRings(a.ring, b.ring);
  const cluster = a.cluster ?? b.cluster;
  if (members === a.members && ring === a.ring && cluster === a.cluster) return a;
  return { cluster, members, ring };
}

/** The members that should own partitions (joining or up), sorted by id, with their weights. */
export function activeMembers(members: ReadonlyMap<NodeId, MemberRecord>): ClaimMember[] {
  const active: ClaimMember[] = [];
  for (const record of members.values()) {
    if (isActiveStatus(record.status)) active.push({ id: record.id, weight: record.weight });
  }
  return active.sort((x, y) => compareStrings(x.id, y.id));
}

function sameClaimMembers(a: readonly ClaimMember[], b: readonly ClaimMember[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].id !== b[i].id || a[i].weight !== b[i].weight) return false;
  return true;
}

/** True when the plan was claimed for other members than those active now (and a claim can be made). */
export function needsClaim(state: MembershipState): boolean {
  if (state.ring === null) return false;
  const active = activeMembers(state.members);
  return active.some((member) => member.weight > 0) && !sameClaimMembers(active, state.ring.plan.claimedFor);
}

/**
 * Re-claims the ring for the active members when they differ from those of the plan: the new
 * targets are claim(Q, active, N, old targets), so a transfer already heading to a target that
 * keeps its partition goes on, and only about Q·w/Σw partitions move for a join of weight w.
 * Deterministic: the same state gives the same plan on every node. Returns `state` itself when
 * no claim is needed, or none can be made (no active member has a positive weight).
 */
export function reclaim(state: MembershipState): MembershipState {
  const ring = state.ring;
  if (ring === null) return state;
  const active = activeMembers(state.members);
  if (!active.some((member) => member.weight > 0) || sameClaimMembers(active, ring.plan.claimedFor)) return state;
  const targets = claim(ring.ringSize, active, ring.n, ring.plan.targets);
  const plan: RingPlan = { version: ring.plan.version + 1, claimedFor: active, targets };
  return { ...state, ring: { ...ring, plan } };
}

/**
 * Hands every partition whose register names a `removed` member to its target (counter + 1),
 * when the target should own partitions. Such a partition has no owner to stream it (an admin
 * removed its owner for good): its new owner starts from the other replicas' copies. Done as a
 * state change, not merely a view, so the owner stays put when a later plan changes the target
 * (it then streams to the new target like any owner). Deterministic, like reclaim: every node
 * that notices writes the same registers. Returns `state` itself when there is none.
 */
export function adoptOrphans(state: MembershipState): MembershipState {
  const ring = state.ring;
  if (ring === null) return state;
  let owners: NodeId[] | undefined;
  let counters: number[] | undefined;
  for (let p = 0; p < ring.ringSize; p++) {
    if (state.members.get(ring.owners[p])?.status !== 'removed') continue;
    const target = ring.plan.targets[p];
    if (!isActiveStatus(state.members.get(target)?.status)) continue;
    owners ??= ring.owners.slice();
    counters ??= ring.counters.slice();
    owners[p] = target;
    counters[p] = ring.counters[p] + 1;
  }
  if (owners === undefined || counters === undefined) return state;
  return { ...state, ring: { ...ring, owners, counters } };
}

/** Who owns each partition now, and where each is going. */
export interface OwnershipView {
  /** owners[p]: the node that serves partition p now (reads and writes go to it). */
  readonly owners: readonly NodeId[];
  /** pending[p]: the node partition p is being transferred to, or null. */
  readonly pending: readonly (NodeId | null)[];
  /** Grows with every plan and every completed transfer (see ringVersion). */
  readonly version: number;
}

/**
 * The ring a node routes by, derived from the state: each partition's register owner (or, in a
 * state adoptOrphans has not yet seen, its target when that owner was `removed`). The target is
 * pending when it differs from that owner and should own partitions (joining or up).
 */
export function ownership(state: MembershipState): OwnershipView | undefined {
  const ring = state.ring;
  if (ring === null) return undefined;
  const owners = new Array<NodeId>(ring.ringSize);
  const pending = new Array<NodeId | null>(ring.ringSize);
  for (let p = 0; p < ring.ringSize; p++) {
    const target = ring.plan.targets[p];
    const targetActive = isActiveStatus(state.members.get(target)?.status);
    let owner = ring.owners[p];
    // Only an admin's removal moves ownership without a transfer: an owner whose record has not
    // arrived yet, or that left with a straggler, keeps its partition.
    if (state.members.get(owner)?.status === 'removed' && targetActive) owner = target;
    owners[p] = owner;
    pending[p] = targetActive && target !== owner ? target : null;
  }
  return { owners, pending, version: ringVersion(ring) };
}

/** The plan's version plus every ownership move: it grows whenever the routing ring does. */
export function ringVersion(ring: RingState): number {
  let moves = 0;
  for (let p = 0; p < ring.ringSize; p++) moves += ring.counters[p] - 1;
  return ring.plan.version + moves;
}

/**
 * Records that partition `partition` has arrived at `to`: its register moves to `to` with the
 * counter + 1. Returns undefined (a stale completion) unless `to` is the partition's pending
 * target in `state`.
 */
export function completeTransfer(state: MembershipState, partition: number, to: NodeId): MembershipState | undefined {
  const ring = state.ring;
  if (ring === null || !Number.isInteger(partition) || partition < 0 || partition >= ring.ringSize) return undefined;
  const view = ownership(state);
  if (view === undefined || view.pending[partition] !== to) return undefined;
  const owners = ring.owners.slice();
  const counters = ring.counters.slice();
  owners[partition] = to;
  counters[partition] = ring.counters[partition] + 1;
  return { ...state, ring: { ...ring, owners, counters } };
}
