// The version graph of the Conflicts page: built from vector clocks alone, it must draw the
// paper's Figure 3 (D1 → D2, then D3 and D4 concurrent from D2), only direct-parent edges, the
// siblings side by side in the last layer, and D2 as their common ancestor.

import { describe, expect, it } from 'vitest';
import type { HistoryEntry, VersionView } from '../../core/admin/admin-api.js';
import { formatClock } from '../../renderer/lib/key-text.js';
import { buildVersionGraph, descends, graphGeometry, graphName, versionGraphMax } from '../../renderer/lib/version-graph.js';

/** The clock without its own dot, as a node gives a version's past when its writer had seen its coordinator's previous write. */
function pastOf(node: string, counter: number, clock: Record<string, number>): Record<string, number> {
  const past = { ...clock };
  if (counter <= 1) delete past[node];
  else past[node] = counter - 1;
  return past;
}

function entry(node: string, counter: number, clock: Record<string, number>, second: number, current = false, past = pastOf(node, counter, clock)): HistoryEntry {
  return {
    dot: { node, counter },
    clock,
    past,
    node,
    lastModified: `2026-11-22T10:00:${String(second).padStart(2, '0')}.000Z`,
    size: 10,
    hash: 'abcd',
    deleted: false,
    current,
  };
}

function sibling(index: number, history: HistoryEntry): VersionView {
  return { index, value: '', contentType: 'text/plain', clock: history.clock, past: history.past, dot: history.dot, lastModified: history.lastModified, deleted: false };
}

// Figure 3 with Sx, Sy, Sz as n1, n2, n3.
const d1 = entry('n1', 1, { n1: 1 }, 1);
const d2 = entry('n1', 2, { n1: 2 }, 2);
const d3 = entry('n2', 1, { n1: 2, n2: 1 }, 3, true);
const d4 = entry('n3', 1, { n1: 2, n3: 1 }, 4, true);

describe('version graph', () => {
  it('draws Figure 3: D1 → D2 → D3 and D2 → D4, D3 and D4 concurrent, D2 their common ancestor', () => {
    const graph = buildVersionGraph([d4, d1, d3, d2], [sibling(1, d3), sibling(2, d4)]);
    expect(graph.edges).toEqual([
      { from: 'n1:1', to: 'n1:2' },
      { from: 'n1:2', to: 'n2:1' },
      { from: 'n1:2', to: 'n3:1' },
    ]);
    expect(graph.commonAncestor).toBe('n1:2');
    expect(graph.siblings).toEqual(['n2:1', 'n3:1']);
    expect(graph.layerWidths).toEqual([1, 1, 2]);
    const placed = Object.fromEntries(graph.versions.map((v) => [v.id, [v.layer, v.column]]));
    expect(placed).toEqual({ 'n1:1': [0, 0], 'n1:2': [1, 0], 'n2:1': [2, 0], 'n3:1': [2, 1] });
    expect(graph.versions.filter((v) => v.commonAncestor).map((v) => v.id)).toEqual(['n1:2']);
    expect(graph.versions.find((v) => v.id === 'n3:1')?.sibling).toBe(2);
    expect(formatClock(graph.sharedPast)).toBe('n1:2');
    expect(graphName(graph)).toBe(
      'Version graph of 4 versions; n1:1 → n1:2, n1:2 → n2:1, n1:2 → n3:1; current siblings n2:1 (Sibling 1) and n3:1 (Sibling 2); common ancestor n1:2.',
    );
  });

  it('draws only direct parents, and D5 (the reconciliation) below both siblings', () => {
    const d5 = entry('n1', 3, { n1: 3, n2: 1, n3: 1 }, 5, true);
    const graph = buildVersionGraph([d1, d2, { ...d3, current: false }, { ...d4, current: false }, d5], [sibling(1, d5)]);
    expect(graph.edges).toEqual([
      { from: 'n1:1', to: 'n1:2' },
      { from: 'n1:2', to: 'n2:1' },
      { from: 'n1:2', to: 'n3:1' },
      { from: 'n2:1', to: 'n1:3' },
      { from: 'n3:1', to: 'n1:3' },
    ]);
    expect(graph.layerWidths).toEqual([1, 1, 2, 1]);
    // One version: nothing to have in common.
    expect(graph.commonAncestor).toBeUndefined();
  });

  it('puts every sibling in the last layer, however short its past', () => {
    // A blind write (no context) beside a key written three times: concurrent with all of it.
    const blind = entry('n2', 1, { n2: 1 }, 9, true);
    const third = entry('n1', 3, { n1: 3 }, 3, true);
    const graph = buildVersionGraph([d1, d2, third, blind], [sibling(1, third), sibling(2, blind)]);
    const layers = Object.fromEntries(graph.versions.map((v) => [v.id, v.layer]));
    expect(layers['n1:3']).toBe(2);
    expect(layers['n2:1']).toBe(2);
    expect(graph.edges).toEqual([
      { from: 'n1:1', to: 'n1:2' },
      { from: 'n1:2', to: 'n1:3' },
    ]);
    expect(graph.commonAncestor).toBeUndefined();
    expect(graph.sharedPast).toEqual({});
    expect(graphName(graph)).toMatch(/their common ancestor is not in the kept history\.$/);
  });

  it('works from the siblings alone when history is off, and finds the shared past', () => {
    const graph = buildVersionGraph([], [sibling(1, d3), sibling(2, d4)]);
    expect(graph.versions.map((v) => v.id)).toEqual(['n2:1', 'n3:1']);
    expect(graph.edges).toEqual([]);
    expect(graph.commonAncestor).toBeUndefined();
    expect(graph.sharedPast).toEqual({ n1: 2 });
  });

  it('picks the newest of several common ancestors, never a sibling', () => {
    const a = entry('n1', 1, { n1: 1 }, 1);
    const b = entry('n2', 1, { n2: 1 }, 2);
    const s1 = entry('n3', 1, { n1: 1, n2: 1, n3: 1 }, 3, true);
    const s2 = entry('n4', 1, { n1: 1, n2: 1, n4: 1 }, 4, true);
    const graph = buildVersionGraph([a, b, s1, s2], [sibling(1, s1), sibling(2, s2)]);
    expect(graph.commonAncestor).toBe('n2:1');
    expect(graph.layerWidths).toEqual([2, 2]);
  });

  it('keeps the siblings and the newest others past the bound', () => {
    const chain = Array.from({ length: versionGraphMax + 10 }, (_, i) => entry('n1', i + 1, { n1: i + 1 }, i % 60));
    const last = chain[chain.length - 1];
    const graph = buildVersionGraph(chain, [sibling(1, { ...last, current: true })]);
    expect(graph.versions).toHaveLength(versionGraphMax);
    expect(graph.omitted).toBe(10);
    expect(graph.versions.some((v) => v.sibling === 1)).toBe(true);
  });

  it('keeps two blind writes of one coordinator concurrent, though their clocks look ordered', () => {
    // {n1: 1} and {n1: 2}: the second writer had seen nothing (its past is empty).
    const first = entry('n1', 1, { n1: 1 }, 1, true, {});
    const second = entry('n1', 2, { n1: 2 }, 2, true, {});
    const graph = buildVersionGraph([first, second], [sibling(1, first), sibling(2, second)]);
    expect(graph.edges).toEqual([]);
    expect(graph.layerWidths).toEqual([2]);
    expect(graph.sharedPast).toEqual({});
  });

  it('decides descent by the past covering the dot, and lays the layers out centred', () => {
    expect(descends(d3, d2)).toBe(true);
    expect(descends(d3, d1)).toBe(true);
    expect(descends(d2, d2)).toBe(false);
    expect(descends(d3, d4)).toBe(false);
    expect(descends(d4, d3)).toBe(false);
    const graph = buildVersionGraph([d1, d2, d3, d4], [sibling(1, d3), sibling(2, d4)]);
    const geometry = graphGeometry(graph, { nodeWidth: 100, nodeHeight: 40, columnGap: 20, layerGap: 30, margin: 10 });
    expect(geometry.width).toBe(240);
    expect(geometry.height).toBe(3 * 40 + 2 * 30 + 20);
    expect(geometry.boxes.get('n1:1')).toEqual({ x: 70, y: 10 });
    expect(geometry.boxes.get('n2:1')).toEqual({ x: 10, y: 150 });
    expect(geometry.boxes.get('n3:1')).toEqual({ x: 130, y: 150 });
    expect(geometry.lines[1]).toEqual({ from: 'n1:2', to: 'n2:1', x1: 120, y1: 120, x2: 60, y2: 150 });
  });
});
