// Claim's spacing search (claim.ts, rule 3): a local search that swaps the owners of pairs of
// partitions while that removes spacing conflicts (two partitions closer than the window with one
// owner) without moving more partitions, with a few sideways swaps to leave a local optimum. A
// swap keeps every member's count, so balance holds throughout. Bounded and deterministic.

import { claimSpacingEvaluationsMax, claimSpacingKickConflictsMax, claimSpacingKicksMax } from '../common/limits.js';

/** How many of the partitions within distance 1..window-1 of p (both sides) member m owns. */
export function neighbours(owner: Int32Array, p: number, m: number, window: number): number {
  const mask = owner.length - 1;
  let found = 0;
  for (let d = 1; d < window; d++) {
    if (owner[(p + d) & mask] === m) found++;
    if (owner[(p - d) & mask] === m) found++;
  }
  return found;
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
export function improveSpacing(owner: Int32Array, prev: Int32Array, targets: Int32Array, window: number): void {
  if (window <= 1) return;
  const q = owner.length;
  // A member with more than q / window partitions cannot have them all window apart: its
  // conflicts are unavoidable, so the search does not try to mend them (it still moves them).
  const crowded = targets.map((target) => (target * window > q ? 1 : 0));
  const budget = { left: claimSpacingEvaluationsMax };
  descend(owner, prev, crowded, window, budget);
  let best = conflictPairs(owner, window);
  // Kicks pay off when a few conflicts are left; many left mean weights that forbid spacing.
  if (best === 0 || best > claimSpacingKickConflictsMax) return;
  let bestOwner = owner.slice();
  for (let round = 0; round < claimSpacingKicksMax && budget.left > 0; round++) {
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
