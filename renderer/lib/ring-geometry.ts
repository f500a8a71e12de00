// The ring drawn as Q equal arcs (DESIGN.md, "Partitioning": Strategy 3). Partition 0 starts at
// twelve o'clock and the ring runs clockwise, as the preference list walks it. d3-shape draws
// the arcs; this module decides every arc's path, label and what the image is called, so the
// component only lays them out.

import { arc } from 'd3-shape';
import type { PartitionView, RingView } from '../../core/admin/admin-api.js';
import { formatCount, joinWords, plural } from './format.js';

export interface RingRadii {
  inner: number;
  outer: number;
}

export interface ArcShape {
  index: number;
  owner: string;
  preference: string[];
  movingTo: string | undefined;
  /** SVG path data, centred on (0, 0). */
  path: string;
  /** The middle of the arc, for placing its details. */
  centroid: [number, number];
}

const fullTurn = 2 * Math.PI;

export function ringArcs(ring: RingView, radii: RingRadii): ArcShape[] {
  const count = ring.partitions.length;
  const step = fullTurn / Math.max(count, 1);
  // A small gap between arcs, never more than a fifth of an arc.
  const padAngle = Math.min(0.01, step / 5);
  const generator = arc<{ startAngle: number; endAngle: number }>()
    .innerRadius(radii.inner)
    .outerRadius(radii.outer)
    .padAngle(padAngle);
  return [...ring.partitions]
    .sort((a, b) => a.index - b.index)
    .map((partition, position) => {
      const datum = { startAngle: position * step, endAngle: (position + 1) * step };
      return {
        index: partition.index,
        owner: partition.owner,
        preference: partition.preference,
        movingTo: partition.movingTo,
        path: generator(datum) ?? '',
        centroid: generator.centroid(datum),
      };
    });
}

/** The image's accessible name: "Ring: 64 partitions over 5 nodes, 3 in transfer". */
export function ringName(ring: RingView): string {
  const owners = new Set(ring.partitions.map((p) => p.owner));
  const moving = ring.partitions.filter((p) => p.movingTo !== undefined).length;
  const base = `Ring: ${plural(ring.partitions.length, 'partition')} over ${plural(owners.size, 'node')}`;
  return moving > 0 ? `${base}, ${formatCount(moving)} in transfer` : base;
}

/** One arc's accessible name and tooltip text. */
export function partitionLabel(partition: Pick<PartitionView, 'index' | 'owner' | 'preference' | 'movingTo'>): string {
  const parts = [`Partition ${partition.index}`, `owner ${partition.owner}`, `preference list ${joinWords(partition.preference)}`];
  if (partition.movingTo !== undefined) parts.push(`moving to ${partition.movingTo}`);
  return parts.join('; ');
}

/** Partitions owned per member, for the legend. */
export function ownershipCounts(ring: RingView): Map<string, number> {
  const counts = new Map<string, number>();
  for (const partition of ring.partitions) counts.set(partition.owner, (counts.get(partition.owner) ?? 0) + 1);
  return counts;
}

/**
 * Arrow keys walk the ring (a roving tab stop: one arc in the tab order, arrows move between
 * them): right/down clockwise, left/up back, Home and End to the ends, Page keys an eighth of
 * the ring. Undefined for any other key.
 */
export function nextArcPosition(position: number, key: string, count: number): number | undefined {
  if (count === 0) return undefined;
  const jump = Math.max(1, Math.round(count / 8));
  const wrap = (value: number) => ((value % count) + count) % count;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return wrap(position + 1);
    case 'ArrowLeft':
    case 'ArrowUp':
      return wrap(position - 1);
    case 'PageDown':
      return wrap(position + jump);
    case 'PageUp':
      return wrap(position - jump);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}

/**
 * How a key's preference list walks the ring (DESIGN.md, "Replication"): from the key's
 * partition clockwise, the first partition owned by each node of the list, in the list's order.
 * `partition` is undefined for a node that owns nothing on this ring (the ring moved on).
 */
export function preferenceWalk(ring: RingView, partition: number, preference: readonly string[]): Array<{ node: string; partition: number | undefined }> {
  const sorted = [...ring.partitions].sort((a, b) => a.index - b.index);
  const start = sorted.findIndex((p) => p.index === partition);
  return preference.map((node) => {
    if (start < 0) return { node, partition: undefined };
    for (let step = 0; step < sorted.length; step++) {
      const candidate = sorted[(start + step) % sorted.length];
      if (candidate.owner === node) return { node, partition: candidate.index };
    }
    return { node, partition: undefined };
  });
}
