// The ring's geometry: Q arcs clockwise from twelve o'clock, in index order, each with a path
// and centroid; the image's and the arcs' accessible names; arrow keys walking the ring.

import { describe, expect, it } from 'vitest';
import { ownerColours, ownerPalette } from '../../renderer/lib/owner-colours.js';
import { nextArcPosition, ownershipCounts, partitionLabel, ringArcs, ringName } from '../../renderer/lib/ring-geometry.js';
import { clusterView } from './fixtures.js';

describe('ring geometry', () => {
  const view = clusterView();
  const ring = view.ring!;

  it('draws one arc per partition, in index order, starting at twelve o\'clock', () => {
    const arcs = ringArcs({ ...ring, partitions: [...ring.partitions].reverse() }, { inner: 90, outer: 140 });
    expect(arcs).toHaveLength(64);
    expect(arcs.map((a) => a.index)).toEqual(ring.partitions.map((p) => p.index));
    for (const shape of arcs) expect(shape.path).toMatch(/^M/);
    // Partition 0's middle lies just right of twelve o'clock (d3 angles run clockwise from the top; y points down).
    const [x, y] = arcs[0].centroid;
    expect(x).toBeGreaterThan(0);
    expect(y).toBeLessThan(0);
    expect(Math.hypot(x, y)).toBeCloseTo(115, 0);
    // Partition 16 of 64 sits at three o'clock.
    const [x16, y16] = arcs[16].centroid;
    expect(x16).toBeGreaterThan(100);
    expect(Math.abs(y16)).toBeLessThan(10);
  });

  it('names the image and each arc', () => {
    expect(ringName(ring)).toBe('Ring: 64 partitions over 5 nodes');
    const moving = { ...ring, partitions: ring.partitions.map((p) => (p.index < 3 ? { ...p, movingTo: 'n6' } : p)) };
    expect(ringName(moving)).toBe('Ring: 64 partitions over 5 nodes, 3 in transfer');
    expect(partitionLabel(ring.partitions[4])).toBe('Partition 4; owner n5; preference list n5, n1 and n2');
    expect(partitionLabel({ ...ring.partitions[4], movingTo: 'n6' })).toMatch(/; moving to n6$/);
  });

  it('counts partitions per owner', () => {
    const counts = ownershipCounts(ring);
    expect(counts.get('n1')).toBe(13);
    expect(counts.get('n5')).toBe(12);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(64);
  });

  it('gives owners distinct colours in natural id order', () => {
    const colours = ownerColours(['n10', 'n2', 'n1']);
    expect([...colours.entries()]).toEqual([
      ['n1', ownerPalette[0]],
      ['n2', ownerPalette[1]],
      ['n10', ownerPalette[2]],
    ]);
    const many = ownerColours(Array.from({ length: ownerPalette.length }, (_, i) => `n${i + 1}`));
    expect(new Set(many.values()).size).toBe(ownerPalette.length);
  });

  it('walks the ring with arrow keys, wrapping around', () => {
    expect(nextArcPosition(0, 'ArrowRight', 64)).toBe(1);
    expect(nextArcPosition(0, 'ArrowLeft', 64)).toBe(63);
    expect(nextArcPosition(63, 'ArrowDown', 64)).toBe(0);
    expect(nextArcPosition(10, 'Home', 64)).toBe(0);
    expect(nextArcPosition(10, 'End', 64)).toBe(63);
    expect(nextArcPosition(60, 'PageDown', 64)).toBe(4);
    expect(nextArcPosition(10, 'Enter', 64)).toBeUndefined();
    expect(nextArcPosition(0, 'ArrowRight', 0)).toBeUndefined();
  });
});
