// The join plan (Riak's `cluster plan`): which partitions a new node will take, from whom, before
// anything moves. It runs the very claim the gossip core runs when a member joins
// (core/membership/membership-state.ts `reclaim`: claim(Q, active members, N, plan targets) over
// the members that are joining or up, with the newcomer among them), so what the plan shows is
// what the cluster will do, as long as membership does not change between plan and commit.

import type { PlannedMove } from '../admin/admin-api.js';
import { claim, type ClaimMember } from '../ring/claim.js';

/** What a claim starts from: GET /v1/admin/membership plus the ring's current owners. */
export interface ClaimBasis {
  ringSize: number;
  n: number;
  members: ReadonlyArray<{ id: string; weight: number; status: string }>;
  /** Where each partition is headed once pending transfers end (the plan's targets). */
  targets: readonly string[];
  /** Who owns (and streams) each partition now. */
  owners: readonly string[];
}

export interface JoinMoves {
  /** The targets after the join. */
  targets: string[];
  moves: Array<Omit<PlannedMove, 'keysEstimate'>>;
  /** Partitions each member owns once the join's transfers are done. */
  ownershipAfter: Record<string, number>;
}

/** Statuses of members a claim gives partitions to (membership-state.ts isActiveStatus). */
const activeStatuses: ReadonlySet<string> = new Set(['joining', 'up']);

/**
 * The moves a join of `node` (weight `weight`) makes on `basis`: every partition whose target
 * changes, from its current owner to its new target. Throws on a basis without a ring or a node
 * that is already a member.
 */
export function planJoinMoves(basis: ClaimBasis, node: string, weight = 1): JoinMoves {
  const { ringSize, n, targets, owners } = basis;
  if (targets.length !== ringSize || owners.length !== ringSize) throw new Error('the cluster has no ring yet');
  if (basis.members.some((member) => member.id === node && activeStatuses.has(member.status))) {
    throw new Error(`${node} is already a member`);
  }
  const active: ClaimMember[] = basis.members
    .filter((member) => activeStatuses.has(member.status) && member.id !== node)
    .map((member) => ({ id: member.id, weight: member.weight }));
  active.push({ id: node, weight });
  const after = claim(ringSize, active, n, targets);
  const moves: JoinMoves['moves'] = [];
  const ownershipAfter: Record<string, number> = {};
  for (const member of active) ownershipAfter[member.id] = 0;
  for (let p = 0; p < ringSize; p++) {
    ownershipAfter[after[p]] = (ownershipAfter[after[p]] ?? 0) + 1;
    if (after[p] !== targets[p]) moves.push({ partition: p, from: owners[p], to: after[p] });
  }
  return { targets: after, moves, ownershipAfter };
}

/** Whether two plans move the same partitions between the same nodes. */
export function sameMoves(a: ReadonlyArray<Omit<PlannedMove, 'keysEstimate'>>, b: ReadonlyArray<Omit<PlannedMove, 'keysEstimate'>>): boolean {
  const key = (move: Omit<PlannedMove, 'keysEstimate'>) => `${move.partition}:${move.from}:${move.to}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((item, i) => item === right[i]);
}
