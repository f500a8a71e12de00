// Claim: which member owns each of the Q partitions (Dynamo paper §6.2, strategy 3: Q equal
// partitions spread over the members, in proportion to their weight for heterogeneity, §4.2;
// Riak's claim). Every node runs this on the same membership and gets the same ring, so the
// function is deterministic: members are sorted by id, ties break by id, nothing is random.
//
// The rules, in order of precedence:
//   1. Balance. A member of weight w gets floor or ceil of its exact share Q·w/Σw; the counts
//      add up to Q; a member of weight 0 gets nothing. Where shares are tiny (many members on a
//      small ring), the spare ceilings go first to members that would otherwise own nothing, so
//      that at least min(n, members) nodes own partitions and preference lists can hold n nodes.
//   2. Least movement. Given the previous owners, a partition moves only when its owner left or
//      is above its new target, and it moves to a member below its target. Which members get
//      the ceil of their share is chosen to keep as many partitions in place as possible, so a
//      join of one node to S equal nodes moves exactly the new node's share, about Q/(S+1).
//   3. Spacing. Within the freedom the first two rules leave, any n consecutive partitions
//      (cyclically, so including Riak's "tail violation" at the wrap-around) should have n
//      distinct owners; then a preference list is simply the owners of the next n partitions.
//      This is best effort (it is impossible, for example, with 3 members, n = 3 and Q = 64);
//      the preference list walks further when it fails, so replication never depends on it.
//
// The algorithm: compute the targets (rule 1, choosing ceilings to keep partitions in place);
// release the surplus of over-target members, picking partitions that are in a spacing conflict
// first and then partitions spread evenly round the ring; give each free partition to an
// under-target member that is not among its neighbours, keeping every member near an even pace
// and varying who neighbours whom (so a failed node's load spreads over many nodes, not the same
// n - 1); last, a local search swaps the owners of pairs of partitions while that removes
// spacing conflicts without moving more partitions (a swap keeps every count, so rule 1 holds
// throughout), with a few rounds of sideways swaps to leave a local optimum. Cost: O(Q·S) for
// the fill, plus a search bounded by claimSpacingEvaluationsMax.
//
// This module computes the targets; claim-fill.ts releases and fills partitions, and
// claim-spacing.ts runs the spacing search.

import { assert } from '../common/assert.js';
import type { NodeId } from '../common/types.js';
import { fillFree, releaseSurplus } from './claim-fill.js';
import { improveSpacing } from './claim-spacing.js';
import { isValidRingSize } from './partitioner.js';

/** What claim needs to know of a member; `Member` from core/common/types fits. */
export interface ClaimMember {
  readonly id: NodeId;
  /** Relative share of partitions; a finite number >= 0 (integers give exact shares). */
  readonly weight: number;
}

/**
 * The owner of each partition index, for `ringSize` partitions, the given members and
 * replication factor `n`. `previousOwners` (the ring before a join, leave or weight change, of
 * the same ring size) makes the claim move as few partitions as possible.
 */
export function claim(
  ringSize: number,
  members: readonly ClaimMember[],
  n: number,
  previousOwners?: readonly NodeId[],
): NodeId[] {
  assert(isValidRingSize(ringSize), `claim: invalid ring size ${ringSize}`);
  assert(Number.isInteger(n) && n >= 1, `claim: n must be a positive integer, got ${n}`);
  const seen = new Set<NodeId>();
  for (const member of members) {
    assert(typeof member.id === 'string' && member.id.length > 0, 'claim: member id must be a non-empty string');
    assert(!seen.has(member.id), `claim: duplicate member ${member.id}`);
    assert(Number.isFinite(member.weight) && member.weight >= 0, `claim: bad weight for ${member.id}`);
    seen.add(member.id);
  }
  // Sorting by code units (not localeCompare) gives every node the same order.
  const active = members.filter((member) => member.weight > 0).sort((a, b) => compareIds(a.id, b.id));
  assert(active.length > 0, 'claim: no member has a positive weight');

  const q = ringSize;
  const memberCount = active.length;
  const indexById = new Map<NodeId, number>();
  active.forEach((member, index) => indexById.set(member.id, index));

  // prev[p]: index of the previous owner of p if it is still an active member, else -1.
  const prev = new Int32Array(q).fill(-1);
  let current: Int32Array | undefined;
  if (previousOwners !== undefined) {
    assert(previousOwners.length === q, 'claim: previousOwners must have one owner per partition');
    current = new Int32Array(memberCount);
    for (let p = 0; p < q; p++) {
      const index = indexById.get(previousOwners[p]);
      if (index !== undefined) {
        prev[p] = index;
        current[index]++;
      }
    }
  }

  const targets = claimTargets(q, active.map((member) => member.weight), n, current);
  // Spacing window: n, but never more than the members (fewer cannot be distinct) nor more than
  // half the ring (so a partition's neighbours on each side never overlap).
  const window = Math.min(n, memberCount, q >> 1);

  const owner = Int32Array.from(prev);
  if (current !== undefined) releaseSurplus(owner, targets, current, window);
  fillFree(owner, targets, window);
  improveSpacing(owner, prev, targets, window);

  const result = new Array<NodeId>(q);
  for (let p = 0; p < q; p++) {
    assert(owner[p] >= 0, 'claim: partition left without owner');
    result[p] = active[owner[p]].id;
  }
  return result;
}

/**
 * How many partitions p have a window p, p+1, ..., p+k-1 (cyclic) whose owners are not all
 * distinct, where k = min(n, distinct owners). Zero means every preference list is exactly the
 * owners of the next n partitions; the ops console shows it as ring health.
 */
export function spacingViolations(owners: readonly NodeId[], n: number): number {
  const q = owners.length;
  const k = Math.min(n, new Set(owners).size, q);
  let violations = 0;
  for (let p = 0; p < q; p++) {
    let duplicate = false;
    for (let i = 1; i < k && !duplicate; i++) {
      for (let j = 0; j < i; j++) {
        if (owners[(p + i) % q] === owners[(p + j) % q]) {
          duplicate = true;
          break;
        }
      }
    }
    if (duplicate) violations++;
  }
  return violations;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Each member's partition count: floor or ceil of Q·w/Σw, summing to Q. Who gets a ceiling
 * (there are Q - Σfloor of them) is decided by, in turn: members that would otherwise own
 * nothing, while fewer than min(n, members) members own something; members that already hold at
 * least the ceiling (each such choice keeps one partition in place); the largest remainder; the
 * lower id.
 */
function claimTargets(q: number, weights: readonly number[], n: number, current?: Int32Array): Int32Array {
  const count = weights.length;
  let total = 0;
  for (const weight of weights) total += weight;
  const floors = new Int32Array(count);
  const remainders = new Float64Array(count);
  let assigned = 0;
  for (let i = 0; i < count; i++) {
    // Exact for integer weights: q·w and the total stay far below 2^53.
    const numerator = q * weights[i];
    const floor = Math.floor(numerator / total);
    floors[i] = floor;
    remainders[i] = numerator - floor * total;
    assigned += floor;
  }
  let ceilings = q - assigned;
  assert(ceilings >= 0 && ceilings <= count, 'claim: share arithmetic out of range');

  const targets = Int32Array.from(floors);
  const candidates: number[] = [];
  for (let i = 0; i < count; i++) if (remainders[i] > 0) candidates.push(i);
  const keeps = (i: number): number => (current !== undefined && current[i] > floors[i] ? 1 : 0);
  candidates.sort((a, b) => keeps(b) - keeps(a) || remainders[b] - remainders[a] || a - b);

  // Ceilings that make a member an owner at all, while owners are still fewer than wanted.
  let owners = 0;
  for (let i = 0; i < count; i++) if (targets[i] > 0) owners++;
  const ownersWanted = Math.min(n, count);
  for (const i of candidates) {
    if (owners >= ownersWanted || ceilings === 0) break;
    if (targets[i] === 0) {
      targets[i] = 1;
      owners++;
      ceilings--;
    }
  }
  for (const i of candidates) {
    if (ceilings === 0) break;
    if (targets[i] === floors[i]) {
      targets[i]++;
      ceilings--;
    }
  }
  assert(ceilings === 0, 'claim: ceilings left over');
  return targets;
}
