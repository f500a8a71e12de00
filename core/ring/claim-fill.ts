// Claim's movement step (claim.ts): over-target members release their surplus partitions,
// spread evenly round the ring, and every free partition goes to an under-target member, keeping
// spacing where it can and varying who neighbours whom. Works on owner indices in place.

import { assert } from '../common/assert.js';
import { claimSharedMembersMax } from '../common/limits.js';
import { neighbours } from './claim-spacing.js';

/**
 * Frees the partitions over-target members must give up (owner = -1): first those in a spacing
 * conflict (giving one up mends it), then partitions as evenly spread round the ring as the
 * owners allow, so that whoever receives them receives them well apart.
 */
export function releaseSurplus(owner: Int32Array, targets: Int32Array, current: Int32Array, window: number): void {
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
export function fillFree(owner: Int32Array, targets: Int32Array, window: number): void {
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
  const tracked = window > 1 && memberCount <= claimSharedMembersMax;
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
