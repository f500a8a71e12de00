// The causal context a client holds: a version vector plus a few loose dots. A GET's context
// is the merged vector of what it read (no dots). A PUT's context is what that client has now
// seen: the context it wrote with, plus the dot of its own new write, and nothing else.
//
// Why the loose dots: a vector can only say "writes 1..k of node n". When two clients write
// the same key blindly through n, their writes get dots (n,1) and (n,2); the second client's
// returned context must cover (n,2) but not (n,1), which it never saw. Returning the
// coordinator's whole vector {n: 2} would let that client's next write silently supersede the
// first client's value: a lost update. Dots are folded into the vector whenever they extend it
// contiguously, so a single writer's context stays a plain vector; at most contextDotsMax
// loose dots are kept (dropping one only makes a later write keep an extra sibling, never lose
// one).

import { contextDotsMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { vvGet, vvMerge, vvSize, type VersionVector } from './vector-clock.js';

export type Dot = readonly [node: NodeId, counter: number];

export interface CausalContext {
  vv: VersionVector;
  /** Dots seen beyond `vv`, sorted, none covered by `vv`. */
  dots: readonly Dot[];
}

export function emptyContext(): CausalContext {
  return { vv: {}, dots: [] };
}

export function contextOf(vv: VersionVector): CausalContext {
  return { vv, dots: [] };
}

/** True when the context has seen the write with dot (node, counter). */
export function contextCovers(context: CausalContext, node: NodeId, counter: number): boolean {
  if (counter <= vvGet(context.vv, node)) return true;
  const dots = context.dots;
  for (let i = 0; i < dots.length; i++) {
    if (dots[i][0] === node && dots[i][1] === counter) return true;
  }
  return false;
}

/** The highest counter of `node` the context has seen. */
export function contextMaxCounter(context: CausalContext, node: NodeId): number {
  let max = vvGet(context.vv, node);
  const dots = context.dots;
  for (let i = 0; i < dots.length; i++) if (dots[i][0] === node && dots[i][1] > max) max = dots[i][1];
  return max;
}

/**
 * `vv` extended by every dot of `dots` that continues it (counter = vv[node] + 1, repeatedly),
 * and the dots that remain loose. `vv` is not changed.
 */
export function foldDots(vv: VersionVector, dots: readonly Dot[]): CausalContext {
  if (dots.length === 0) return { vv, dots };
  const sorted = [...dots].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
  const extension: VersionVector = {};
  const loose: Dot[] = [];
  for (const dot of sorted) {
    const [node, counter] = dot;
    const seen = Math.max(vvGet(vv, node), vvGet(extension, node));
    if (counter <= seen) continue;
    if (counter === seen + 1) extension[node] = counter;
    else {
      const last = loose[loose.length - 1];
      if (last === undefined || last[0] !== node || last[1] !== counter) loose.push(dot);
    }
  }
  // A loose dot may have become contiguous once an earlier one folded (sorted order handles
  // runs); drop those now covered.
  const folded = vvSize(extension) === 0 ? vv : vvMerge(vv, extension);
  const remaining = loose.filter(([node, counter]) => counter > vvGet(folded, node));
  return { vv: folded, dots: remaining };
}

/** The context a client holds after its write with `dot`, made under `context`. */
export function contextAfterWrite(context: CausalContext, dot: Dot): CausalContext {
  const folded = foldDots(context.vv, [...context.dots, dot]);
  if (folded.dots.length <= contextDotsMax) return folded;
  // Keep the new write's dot; drop the oldest others (by counter), which only weakens the context.
  const others = folded.dots.filter((d) => d !== dot && !(d[0] === dot[0] && d[1] === dot[1]));
  others.sort((a, b) => b[1] - a[1]);
  const kept = [...others.slice(0, contextDotsMax - 1)];
  if (contextCovers({ vv: folded.vv, dots: [] }, dot[0], dot[1]) === false) kept.push(dot);
  kept.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
  return { vv: folded.vv, dots: kept };
}
