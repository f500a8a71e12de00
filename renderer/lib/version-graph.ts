// A key's version graph (Dynamo §4.4, Figure 3): its versions (the kept history and the current
// siblings), an edge from A to B when B descends A and nothing in between does (the transitive
// reduction: direct parents only), laid out in layers from the oldest down, concurrent versions
// side by side and the current siblings together in the last layer. The common ancestor of the
// siblings is the newest version every sibling descends. Pure: clocks in, placed versions and
// edges out; the component only draws them.
//
// B descends A when B's past (what its writer had seen: its clock without its own dot) covers
// A's dot. Comparing whole clocks would mostly agree, but cannot tell apart two blind writes
// coordinated by one node: {n1: 1} and {n1: 2} look ordered, yet the second never saw the first.

import type { HistoryEntry, VersionView } from '../../core/admin/admin-api.js';
import { vvCovers, vvGet } from '../../core/version/vector-clock.js';
import { compareNodeIds, formatClockTime, joinWords, plural } from './format.js';
import { formatDot } from './key-text.js';

/** Most versions drawn: the current siblings and the newest of the rest (history is bounded too). */
export const versionGraphMax = 48;
/** Most edges spelled out in the figure's accessible name; past this it only counts them. */
const edgesNamedMax = 12;

export type Clock = Record<string, number>;

export interface GraphVersion {
  /** "n1:3": the write's dot (formatDot), node and counter. */
  id: string;
  dot: { node: string; counter: number };
  clock: Clock;
  /** Its clock without its own dot: what its writer had seen. */
  past: Clock;
  /** ISO 8601. */
  lastModified: string;
  deleted: boolean;
  /** The key holds it now. */
  current: boolean;
  /** Its "Sibling N" number when it is one of the read's siblings. */
  sibling: number | undefined;
}

export interface PlacedVersion extends GraphVersion {
  /** 0 for the oldest layer. */
  layer: number;
  /** 0-based position within its layer, left to right. */
  column: number;
  commonAncestor: boolean;
}

export interface VersionEdge {
  /** The parent's id and the child's: the child's clock descends the parent's. */
  from: string;
  to: string;
}

export interface VersionGraph {
  versions: PlacedVersion[];
  edges: VersionEdge[];
  /** How many versions each layer holds. */
  layerWidths: number[];
  /** The siblings' ids, in sibling order. */
  siblings: string[];
  /** The newest version every sibling descends (undefined with fewer than two siblings, or when history lacks it). */
  commonAncestor: string | undefined;
  /** What every sibling's writer had seen: the entry-wise minimum of their pasts. */
  sharedPast: Clock;
  /** Older versions left out to stay within versionGraphMax. */
  omitted: number;
}

type Causal = Pick<GraphVersion, 'dot' | 'past'>;

/** True when `later`'s writer had seen `earlier` (a version never descends itself). */
export function descends(later: Causal, earlier: Causal): boolean {
  return vvCovers(later.past, earlier.dot.node, earlier.dot.counter) && !vvCovers(earlier.past, later.dot.node, later.dot.counter);
}

/** A clock's entries in natural node order: [["n1", 2], ["n3", 1]]. */
export function clockEntries(clock: Clock): [string, number][] {
  return Object.keys(clock)
    .sort(compareNodeIds)
    .map((node) => [node, vvGet(clock, node)]);
}

export function buildVersionGraph(history: readonly HistoryEntry[], siblings: readonly VersionView[], max = versionGraphMax): VersionGraph {
  const byId = new Map<string, GraphVersion>();
  for (const entry of history) {
    const id = formatDot(entry.dot);
    byId.set(id, { id, dot: entry.dot, clock: entry.clock, past: entry.past, lastModified: entry.lastModified, deleted: entry.deleted, current: entry.current, sibling: undefined });
  }
  for (const version of siblings) {
    const id = formatDot(version.dot);
    // The read is the authority for a sibling; history supplies the rest.
    byId.set(id, { id, dot: version.dot, clock: version.clock, past: version.past, lastModified: version.lastModified, deleted: version.deleted, current: true, sibling: version.index });
  }
  const all = [...byId.values()];
  const kept = keepNewest(all, max).sort(compareTimes);
  const omitted = all.length - kept.length;

  // Direct parents: the ancestors no other ancestor descends.
  const parents = new Map<string, GraphVersion[]>();
  for (const child of kept) {
    const ancestors = kept.filter((other) => other !== child && descends(child, other));
    parents.set(child.id, ancestors.filter((candidate) => !ancestors.some((between) => between !== candidate && descends(between, candidate))));
  }

  // Layers: the longest path from a root; the current siblings all go to the last layer.
  const layer = new Map<string, number>();
  const layerOf = (version: GraphVersion, depth: number): number => {
    const known = layer.get(version.id);
    if (known !== undefined) return known;
    // Descent is acyclic; the depth bound only guards against a history that says otherwise.
    const ps = depth > kept.length ? [] : (parents.get(version.id) ?? []);
    const value = ps.length === 0 ? 0 : 1 + Math.max(...ps.map((p) => layerOf(p, depth + 1)));
    layer.set(version.id, value);
    return value;
  };
  for (const version of kept) layerOf(version, 0);
  const siblingVersions = kept.filter((v) => v.sibling !== undefined).sort((x, y) => (x.sibling ?? 0) - (y.sibling ?? 0));
  const last = Math.max(0, ...layer.values());
  for (const version of siblingVersions) layer.set(version.id, last);

  // Columns: each layer ordered by the mean position of its parents (fewer crossings), then by
  // time; the siblings' layer by sibling number first.
  const layerCount = kept.length === 0 ? 0 : last + 1;
  const rows: GraphVersion[][] = Array.from({ length: layerCount }, () => []);
  for (const version of kept) rows[layer.get(version.id) ?? 0].push(version);
  const position = new Map<string, number>();
  for (const row of rows) {
    const centre = (id: string) => {
      const ps = parents.get(id) ?? [];
      return ps.length === 0 ? 0 : ps.reduce((sum, p) => sum + (position.get(p.id) ?? 0), 0) / ps.length;
    };
    row.sort(
      (x, y) =>
        (x.sibling ?? Number.MAX_SAFE_INTEGER) - (y.sibling ?? Number.MAX_SAFE_INTEGER) || centre(x.id) - centre(y.id) || compareTimes(x, y),
    );
    row.forEach((version, column) => position.set(version.id, column - (row.length - 1) / 2));
  }

  const commonAncestor = findCommonAncestor(kept, siblingVersions);
  const versions = rows.flatMap((row) =>
    row.map((version, column): PlacedVersion => ({ ...version, layer: layer.get(version.id) ?? 0, column, commonAncestor: version.id === commonAncestor })),
  );
  const edges = versions.flatMap((child) => (parents.get(child.id) ?? []).map((parent) => ({ from: parent.id, to: child.id })));
  return {
    versions,
    edges,
    layerWidths: rows.map((row) => row.length),
    siblings: siblingVersions.map((v) => v.id),
    commonAncestor,
    sharedPast: sharedPast(siblingVersions.map((v) => v.past)),
    omitted,
  };
}

/** Of the versions every sibling descends, the causally newest (the latest in time among several). */
function findCommonAncestor(versions: readonly GraphVersion[], siblings: readonly GraphVersion[]): string | undefined {
  if (siblings.length < 2) return undefined;
  const covered = versions.filter((v) => v.sibling === undefined && siblings.every((s) => descends(s, v)));
  const newest = covered.filter((v) => !covered.some((other) => descends(other, v)));
  newest.sort((x, y) => -compareTimes(x, y));
  return newest[0]?.id;
}

function sharedPast(clocks: readonly Clock[]): Clock {
  if (clocks.length === 0) return {};
  const shared: Clock = {};
  for (const [node] of clockEntries(clocks[0])) {
    const least = Math.min(...clocks.map((clock) => vvGet(clock, node)));
    if (least > 0) shared[node] = least;
  }
  return shared;
}

/** The siblings and the newest others, when there are more than `max`. */
function keepNewest(all: GraphVersion[], max: number): GraphVersion[] {
  if (all.length <= max) return all;
  const siblings = all.filter((v) => v.sibling !== undefined);
  const others = all.filter((v) => v.sibling === undefined).sort((x, y) => -compareTimes(x, y));
  return [...siblings, ...others.slice(0, Math.max(0, max - siblings.length))];
}

function compareTimes(x: GraphVersion, y: GraphVersion): number {
  return Date.parse(x.lastModified) - Date.parse(y.lastModified) || compareNodeIds(x.id, y.id);
}

/** "n1:3 at 10:00:03". */
export function versionLabel(version: Pick<GraphVersion, 'id' | 'lastModified'>): string {
  const at = Date.parse(version.lastModified);
  return Number.isNaN(at) ? version.id : `${version.id} at ${formatClockTime(at)}`;
}

/** The figure's accessible name: what is drawn, in words. */
export function graphName(graph: VersionGraph): string {
  if (graph.versions.length === 0) return 'Version graph: no versions recorded';
  const byId = new Map(graph.versions.map((v) => [v.id, v]));
  const siblingWord = (id: string) => {
    const sibling = byId.get(id)?.sibling;
    return sibling === undefined ? id : `${id} (Sibling ${sibling})`;
  };
  const parts = [`Version graph of ${plural(graph.versions.length, 'version')}`];
  if (graph.edges.length === 0) parts.push('no version descends another');
  else if (graph.edges.length <= edgesNamedMax) parts.push(`${graph.edges.map((e) => `${e.from} → ${e.to}`).join(', ')}`);
  else parts.push(`${plural(graph.edges.length, 'edge')}`);
  if (graph.siblings.length > 0) parts.push(`current ${graph.siblings.length === 1 ? 'version' : 'siblings'} ${joinWords(graph.siblings.map(siblingWord))}`);
  if (graph.siblings.length > 1) {
    parts.push(graph.commonAncestor === undefined ? 'their common ancestor is not in the kept history' : `common ancestor ${graph.commonAncestor}`);
  }
  if (graph.omitted > 0) parts.push(`${plural(graph.omitted, 'older version')} not drawn`);
  return `${parts.join('; ')}.`;
}

// ── Geometry ─────────────────────────────────────────────────────────────────────────────────

export interface GraphSizes {
  nodeWidth: number;
  nodeHeight: number;
  columnGap: number;
  layerGap: number;
  /** Room around the drawing (for the siblings' tags below the last layer). */
  margin: number;
}

export interface GraphGeometry {
  width: number;
  height: number;
  /** Each version's box, by id (x and y of its top left corner). */
  boxes: Map<string, { x: number; y: number }>;
  /** Each edge from the bottom middle of the parent to the top middle of the child. */
  lines: { from: string; to: string; x1: number; y1: number; x2: number; y2: number }[];
}

/** Pixel positions for a graph: layers top to bottom (time flows down), each layer centred. */
export function graphGeometry(graph: VersionGraph, sizes: GraphSizes): GraphGeometry {
  const { nodeWidth, nodeHeight, columnGap, layerGap, margin } = sizes;
  const widest = Math.max(1, ...graph.layerWidths);
  const width = widest * nodeWidth + (widest - 1) * columnGap + 2 * margin;
  const height = graph.layerWidths.length * nodeHeight + Math.max(0, graph.layerWidths.length - 1) * layerGap + 2 * margin;
  const boxes = new Map<string, { x: number; y: number }>();
  for (const version of graph.versions) {
    const count = graph.layerWidths[version.layer];
    const rowWidth = count * nodeWidth + (count - 1) * columnGap;
    const x = (width - rowWidth) / 2 + version.column * (nodeWidth + columnGap);
    boxes.set(version.id, { x, y: margin + version.layer * (nodeHeight + layerGap) });
  }
  const lines = graph.edges.map((edge) => {
    const from = boxes.get(edge.from) ?? { x: 0, y: 0 };
    const to = boxes.get(edge.to) ?? { x: 0, y: 0 };
    return { ...edge, x1: from.x + nodeWidth / 2, y1: from.y + nodeHeight, x2: to.x + nodeWidth / 2, y2: to.y };
  });
  return { width, height, boxes, lines };
}
