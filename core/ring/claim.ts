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
// the fill, plus a search bounded by spacingEvaluationsMax.

import { assert } from '../common/assert.js';
import type { NodeId } from '../common/types.js';
import { isValidRingSize } from './partitioner.js';

/** What claim needs to know of a member; `Member` from core/common/types fits. */
export interface ClaimMember {
  readonly id: NodeId;
  /** Relative share of partitions; a finite number >= 0 (integers give exact shares). */
  readonly weight: number;
}

/**
 * Most swap evaluations the spacing search may spend on one claim. It bounds the work (a few
 * tens of milliseconds) on large rings where spacing cannot be reached, which the search cannot
 * prove; reachable cases finish far below it.
 */
const spacingEvaluationsMax = 1 << 20;

/** Most members for which claim tracks who neighbours whom (a members² table of counts). */
const sharedMembersMax = 1024;

/** Most rounds of sideways moves the spacing search makes to leave a local optimum. */
const spacingKicksMax = 16;

/** Conflicting pairs above which the search does not try sideways moves at all. */
const spacingKickConflictsMax = 8;

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

/** How many of the partitions within distance 1..window-1 of p (both sides) member m owns. */
function neighbours(owner: Int32Array, p: number, m: number, window: number): number {
  const mask = owner.length - 1;
  let found = 0;
  for (let d = 1; d < window; d++) {
    if (owner[(p + d) & mask] === m) found++;
    if (owner[(p - d) & mask] === m) found++;
  }
  return found;
}

/**
 * Frees the partitions over-target members must give up (owner = -1): first those in a spacing
 * conflict (giving one up mends it), then partitions as evenly spread round the ring as the
 * owners allow, so that whoever receives them receives them well apart.
 */
function releaseSurplus(owner: Int32Array, targets: Int32Array, current: Int32Array, window: number): void {
  const q = owner.length;
  const mask = q - 1;
  const surplus = new Int32Array(targets.length);
  let remaining = 0;
  for (let m = 0; m < targets.length; m++) {
    surplus[m] = Math.max(0, current[m] - targets[m]);
    remaining += surplus[m];
  }
  if (remaining === 0) return;

  for (let p = 0; p < q && remaining > 0; p++) {
    const m = owner[p];
    if (m >= 0 && surplus[m] > 0 && neighbours(owner, p, m, window) > 0) {
      owner[p] = -1;
      surplus[m]--;
      remaining--;
    }
  }

  const releasable = (p: number): boolean => owner[p] >= 0 && surplus[owner[p]] > 0;
  for (const point of releasePoints(owner, remaining)) {
    // The releasable partition nearest the point (ahead first on a tie).
    for (let d = 0; d < q; d++) {
      const p = releasable((point + d) & mask) ? (point + d) & mask : releasable((point - d) & mask) ? (point - d) & mask : -1;
      if (p >= 0) {
        surplus[owner[p]]--;
        owner[p] = -1;
        break;
      }
    }
  }
}

/**
 * `count` points of the ring, spread so that together with the partitions already free they are
 * as evenly spaced as can be: each gap between free partitions gets points in proportion to its
 * length (D'Hondt: the next point goes to the gap whose spacing is widest), evenly spaced inside.
 */
function releasePoints(owner: Int32Array, count: number): number[] {
  const q = owner.length;
  const free: number[] = [];
  for (let p = 0; p < q; p++) if (owner[p] < 0) free.push(p);
  const points: number[] = [];
  if (free.length === 0) {
    for (let i = 0; i < count; i++) points.push(Math.floor(((2 * i + 1) * q) / (2 * count)));
    return points;
  }
  const gaps = free.length;
  const length = free.map((p, j) => (j + 1 < gaps ? free[j + 1] : free[0] + q) - p);
  const inside = new Int32Array(gaps);
  // A binary heap of gap indices, widest spacing length / (inside + 1) first, lower index on ties.
  const wider = (a: number, b: number): boolean => {
    const diff = length[a] * (inside[b] + 1) - length[b] * (inside[a] + 1);
    return diff > 0 || (diff === 0 && a < b);
  };
  const heap = Array.from({ length: gaps }, (_, j) => j);
  const siftDown = (i: number): void => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let top = i;
      if (left < gaps && wider(heap[left], heap[top])) top = left;
      if (right < gaps && wider(heap[right], heap[top])) top = right;
      if (top === i) return;
      [heap[i], heap[top]] = [heap[top], heap[i]];
      i = top;
    }
  };
  for (let i = (gaps >> 1) - 1; i >= 0; i--) siftDown(i);
  for (let i = 0; i < count; i++) {
    inside[heap[0]]++;
    siftDown(0);
  }
  for (let j = 0; j < gaps; j++) {
    for (let t = 1; t <= inside[j]; t++) {
      points.push((free[j] + Math.round((t * length[j]) / (inside[j] + 1))) % q);
    }
  }
  return points;
}

/**
 * Gives every free partition (in index order) to an under-target member, choosing by, in turn:
 * not within the spacing window of it; on time by an even pace over the free partitions (stride
 * scheduling, with some slack); shares the fewest windows with the partition's neighbours so
 * far; the earliest due; the lower id. The neighbour key varies each member's neighbours from
 * one partition to the next, instead of repeating one round-robin order: then the nodes that
 * replicate a node's partitions, and take its load when it fails (§4.6, §6.2), are many rather
 * than the same n - 1, and a leaver's partitions can be shared out without conflicts. When
 * every receiver is a neighbour, the spacing conflict is accepted here and left to the search.
 */
function fillFree(owner: Int32Array, targets: Int32Array, window: number): void {
  const q = owner.length;
  const mask = q - 1;
  const memberCount = targets.length;
  const need = Int32Array.from(targets);
  for (let p = 0; p < q; p++) if (owner[p] >= 0) need[owner[p]]--;
  const given = new Int32Array(memberCount);
  const receivers: number[] = [];
  for (let m = 0; m < memberCount; m++) {
    assert(need[m] >= 0, 'claim: member above target after release');
    if (need[m] > 0) receivers.push(m);
  }
  if (receivers.length === 0) return;

  // shared[a·count + b]: how many pairs of partitions closer than the window a and b own.
  const tracked = window > 1 && memberCount <= sharedMembersMax;
  const shared = new Int32Array(tracked ? memberCount * memberCount : 0);
  if (tracked) {
    for (let p = 0; p < q; p++) {
      const m = owner[p];
      if (m < 0) continue;
      for (let d = 1; d < window; d++) {
        const other = owner[(p + d) & mask];
        if (other >= 0 && other !== m) {
          shared[m * memberCount + other]++;
          shared[other * memberCount + m]++;
        }
      }
    }
  }

  // Stride scheduling over the free partitions: member m's next partition is due at free slot
  // (given + ½)·free / need. Members due within half an average spacing of the earliest count
  // as on time, which leaves room to pick by neighbours (the slack drifts no one off balance:
  // need is a hard cap, and a late member soon is the only one on time).
  let free = 0;
  for (let p = 0; p < q; p++) if (owner[p] < 0) free++;
  const due = new Float64Array(memberCount);
  for (const m of receivers) due[m] = free / (2 * need[m]);
  const slack = free / (2 * receivers.length);
  const nearby = new Int32Array(2 * Math.max(window - 1, 0));
  const blockedAt = new Int32Array(memberCount).fill(-1);
  for (let p = 0; p < q; p++) {
    if (owner[p] >= 0) continue;
    let nearbyCount = 0;
    for (let d = 1; d < window; d++) {
      const after = owner[(p + d) & mask];
      const before = owner[(p - d) & mask];
      if (after >= 0) nearby[nearbyCount++] = after;
      if (before >= 0) nearby[nearbyCount++] = before;
    }
    for (let i = 0; i < nearbyCount; i++) blockedAt[nearby[i]] = p;
    // Pass 1: are there receivers outside the window, and the earliest deadline among them.
    let spacedOnly = false;
    let earliest = Infinity;
    for (const m of receivers) {
      const spaced = blockedAt[m] !== p;
      if (spaced && !spacedOnly) {
        spacedOnly = true;
        earliest = Infinity;
      }
      if (spaced === spacedOnly && due[m] < earliest) earliest = due[m];
    }
    // Pass 2: among those within the slack of it, the fewest shared windows, then the deadline.
    let best = -1;
    let bestSharing = 0;
    for (const m of receivers) {
      if ((spacedOnly && blockedAt[m] === p) || due[m] >= earliest + slack) continue;
      let sharing = 0;
      if (tracked) for (let i = 0; i < nearbyCount; i++) sharing += shared[m * memberCount + nearby[i]];
      if (best < 0 || sharing < bestSharing || (sharing === bestSharing && due[m] < due[best])) {
        best = m;
        bestSharing = sharing;
      }
    }
    assert(best >= 0, 'claim: free partition but no member below target');
    owner[p] = best;
    given[best]++;
    due[best] = ((2 * given[best] + 1) * free) / (2 * need[best]);
    if (given[best] === need[best]) receivers.splice(receivers.indexOf(best), 1);
    if (tracked) {
      for (let i = 0; i < nearbyCount; i++) {
        const other = nearby[i];
        if (other === best) continue;
        shared[best * memberCount + other]++;
        shared[other * memberCount + best]++;
      }
    }
  }
}

/**
 * Local search for spacing: for each partition in a conflict, look for another partition whose
 * owner swapped with its own lowers the number of conflicting pairs, and swap them. A swap keeps
 * every member's count; it is only taken when it does not move more partitions away from their
 * previous owners (prev[p] = -1 everywhere for a fresh claim, where every swap is allowed), so
 * a moved partition still only ever goes to an under-target member. First improvement, in index
 * order, so the result is deterministic. When it stalls with a few conflicts left, sideways
 * swaps (kicks) and a new descent are tried a few times, and the best ring seen is kept.
 */
function improveSpacing(owner: Int32Array, prev: Int32Array, targets: Int32Array, window: number): void {
  if (window <= 1) return;
  const q = owner.length;
  // A member with more than q / window partitions cannot have them all window apart: its
  // conflicts are unavoidable, so the search does not try to mend them (it still moves them).
  const crowded = targets.map((target) => (target * window > q ? 1 : 0));
  const budget = { left: spacingEvaluationsMax };
  descend(owner, prev, crowded, window, budget);
  let best = conflictPairs(owner, window);
  // Kicks pay off when a few conflicts are left; many left mean weights that forbid spacing.
  if (best === 0 || best > spacingKickConflictsMax) return;
  let bestOwner = owner.slice();
  for (let round = 0; round < spacingKicksMax && budget.left > 0; round++) {
    if (!kick(owner, prev, crowded, window, budget)) break;
    descend(owner, prev, crowded, window, budget);
    const pairs = conflictPairs(owner, window);
    if (pairs < best) {
      best = pairs;
      bestOwner = owner.slice();
      if (best === 0) break;
    }
  }
  owner.set(bestOwner);
}

/** Pairs of partitions closer than the window with the same owner. */
function conflictPairs(owner: Int32Array, window: number): number {
  const mask = owner.length - 1;
  let pairs = 0;
  for (let p = 0; p < owner.length; p++) {
    for (let d = 1; d < window; d++) if (owner[(p + d) & mask] === owner[p]) pairs++;
  }
  return pairs;
}

/**
 * Conflicts a swap of partitions p and r would leave minus those it removes, or undefined when
 * the swap would move more partitions away from their previous owners.
 */
function swapDelta(owner: Int32Array, prev: Int32Array, p: number, r: number, window: number): number | undefined {
  const q = owner.length;
  const a = owner[p];
  const b = owner[r];
  const movedBefore = (prev[p] !== a ? 1 : 0) + (prev[r] !== b ? 1 : 0);
  const movedAfter = (prev[p] !== b ? 1 : 0) + (prev[r] !== a ? 1 : 0);
  if (movedAfter > movedBefore) return undefined;
  const before = neighbours(owner, p, a, window) + neighbours(owner, r, b, window);
  // Measured before the swap, p and r count each other; after it they hold a and b apart.
  const k = (r - p) & (q - 1);
  const close = k < window || q - k < window ? 2 : 0;
  return neighbours(owner, p, b, window) + neighbours(owner, r, a, window) - close - before;
}

/** First-improvement descent until no swap lowers the conflicts (or the budget is spent). */
function descend(owner: Int32Array, prev: Int32Array, crowded: Int32Array, window: number, budget: { left: number }): void {
  const q = owner.length;
  const mask = q - 1;
  let improved = true;
  while (improved) {
    improved = false;
    for (let p = 0; p < q; p++) {
      const a = owner[p];
      if (crowded[a] || neighbours(owner, p, a, window) === 0) continue;
      for (let k = 1; k < q; k++) {
        const r = (p + k) & mask;
        if (owner[r] === a) continue;
        if (--budget.left < 0) return;
        const delta = swapDelta(owner, prev, p, r, window);
        if (delta !== undefined && delta < 0) {
          owner[p] = owner[r];
          owner[r] = a;
          improved = true;
          break;
        }
      }
    }
  }
}

/**
 * A way off a plateau: for each partition still in a conflict, the first swap that leaves the
 * conflicts as they are but changes the neighbourhoods, for the next descent to start from.
 */
function kick(owner: Int32Array, prev: Int32Array, crowded: Int32Array, window: number, budget: { left: number }): boolean {
  const q = owner.length;
  const mask = q - 1;
  let kicked = false;
  for (let p = 0; p < q; p++) {
    const a = owner[p];
    if (crowded[a] || neighbours(owner, p, a, window) === 0) continue;
    for (let k = window; k <= q - window; k++) {
      const r = (p + k) & mask;
      if (owner[r] === a || crowded[owner[r]]) continue;
      if (--budget.left < 0) return kicked;
      if (swapDelta(owner, prev, p, r, window) === 0) {
        owner[p] = owner[r];
        owner[r] = a;
        kicked = true;
        break;
      }
    }
  }
  return kicked;
}
