// The charts' series, from the nodes' samples: pure functions, tested in
// test/renderer/metrics-series.test.ts.
//
// A chart draws one x value per second, so each node's samples are put in the second they belong
// to. A node samples once a second on its own timer, and its samples arrive with a little jitter:
// two may land in one calendar second and none in the next. The buckets follow each node's own
// beat instead: a sample in the same second as the previous one moves to the next second, and a
// sample that leaves a one-second hole less than 1.5 s after the previous one fills the hole. A
// node that really missed a second (it was down) leaves it empty, and the chart shows the gap.
//
// The cluster's figure for a second is the nodes' sum for counts and rates (operations, hints,
// transfers, keys repaired, bytes), and the highest node's for latency: percentiles of different
// nodes cannot be added or averaged into a percentile, and the slowest node is what a client
// waiting on a quorum meets.

import type { FaultPeriod, MetricSample } from '../../../core/admin/admin-api.js';
import { compareNodeIds } from '../../lib/format.js';
import type { TimedSample } from './metrics-buffer.js';

export type Operation = 'get' | 'put' | 'delete';
export const operations: readonly Operation[] = ['get', 'put', 'delete'];

/** The whole cluster, or one node. */
export type Scope = { kind: 'cluster' } | { kind: 'node'; node: string };

export type Values = Array<number | null>;

export interface AlignedSamples {
  /** Epoch seconds, one per bucket, oldest first. */
  x: number[];
  nodes: string[];
  /** Per node, its sample in each bucket, or null. */
  byNode: Map<string, Array<MetricSample | null>>;
}

/** A sample further from the previous one than this after a hole is a node that missed a second. */
const holeFillMs = 1500;

/**
 * The samples put in one-second buckets from `fromMs` up to the last whole second before `toMs`
 * (the current second is still filling: some nodes have not sent theirs), or the one before it
 * while the last is short of reports (see below).
 */
export function alignSamples(byNode: ReadonlyMap<string, readonly TimedSample[]>, fromMs: number, toMs: number): AlignedSamples {
  const first = Math.ceil(fromMs / 1000);
  const last = Math.floor(toMs / 1000) - 1;
  const length = Math.max(0, last - first + 1);
  const x = Array.from({ length }, (_, i) => first + i);
  const nodes = [...byNode.keys()].sort(compareNodeIds);
  const aligned = new Map<string, Array<MetricSample | null>>();
  for (const node of nodes) {
    const buckets: Array<MetricSample | null> = new Array<MetricSample | null>(length).fill(null);
    for (const { second, sample } of nodeBeat(byNode.get(node) ?? [])) {
      if (second >= first && second <= last) buckets[second - first] = sample;
    }
    aligned.set(node, buckets);
  }
  // Nodes sample out of step: a node whose sample for the newest second is still on its way
  // would make the cluster's figure dip at the right edge every second. The newest second waits
  // one tick when fewer nodes have reported it than the second before.
  const reported = (i: number) => nodes.filter((node) => aligned.get(node)?.[i] !== null).length;
  if (length >= 2 && reported(length - 1) < reported(length - 2)) {
    x.pop();
    for (const buckets of aligned.values()) buckets.pop();
  }
  return { x, nodes, byNode: aligned };
}

/** Each sample of one node with the second it fills (see the module comment). */
export function nodeBeat(samples: readonly TimedSample[]): Array<{ second: number; sample: MetricSample }> {
  const beat: Array<{ second: number; sample: MetricSample }> = [];
  let previous = Number.NEGATIVE_INFINITY;
  let previousAt = Number.NEGATIVE_INFINITY;
  for (const { at, sample } of samples) {
    const natural = Math.floor(at / 1000);
    let second = natural;
    if (second <= previous) second = previous + 1;
    else if (second === previous + 2 && at - previousAt < holeFillMs) second = previous + 1;
    // More than one sample a second: there is no second left for this one.
    if (second > natural + 1) continue;
    beat.push({ second, sample });
    previous = second;
    previousAt = at;
  }
  return beat;
}

/** One figure per bucket for the scope: the nodes' sum (or highest), null where no node has one. */
export function scopeValues(aligned: AlignedSamples, scope: Scope, pick: (sample: MetricSample) => number | null, combine: 'sum' | 'max'): Values {
  const nodes = scope.kind === 'node' ? [scope.node] : aligned.nodes;
  return aligned.x.map((_, i) => {
    let value: number | null = null;
    for (const node of nodes) {
      const sample = aligned.byNode.get(node)?.[i];
      if (sample === null || sample === undefined) continue;
      const figure = pick(sample);
      if (figure === null) continue;
      value = value === null ? figure : combine === 'sum' ? value + figure : Math.max(value, figure);
    }
    return value;
  });
}

export const pickers = {
  ops: (op: Operation) => (sample: MetricSample) => sample.opsPerSecond[op],
  allOps: (sample: MetricSample) => sample.opsPerSecond.get + sample.opsPerSecond.put + sample.opsPerSecond.delete,
  latency: (op: Operation, percentile: 'p50' | 'p99' | 'p999') => (sample: MetricSample) => sample.latencyMs?.[op]?.[percentile] ?? null,
  hints: (sample: MetricSample) => sample.hintsPending,
  transfers: (sample: MetricSample) => sample.transfersPending,
  repaired: (sample: MetricSample) => sample.keysRepaired,
  peerIn: (sample: MetricSample) => sample.peerBytesIn,
  peerOut: (sample: MetricSample) => sample.peerBytesOut,
};

/**
 * The newest bucket where any of a chart's series has a value: the chart's "now". Every series
 * is read there, so a node silent since its kill reads as no figure rather than its last one.
 */
export function latestIndex(series: readonly Values[]): number | undefined {
  const length = Math.max(0, ...series.map((values) => values.length));
  for (let i = length - 1; i >= 0; i--) if (series.some((values) => values[i] !== null && values[i] !== undefined)) return i;
  return undefined;
}

// ── Latest figures, for the table under the charts ──────────────────────────────────────────

/** A sample older than this is no longer the node's current figure: the node stopped sending. */
export const silentAfterMs = 5000;

export interface NodeFigures {
  node: string;
  /** The node's newest sample and when it came; undefined when it sent none in the window. */
  latest: TimedSample | undefined;
  /** Whether that sample is recent enough to be the node's figure now. */
  current: boolean;
}

export function latestFigures(byNode: ReadonlyMap<string, readonly TimedSample[]>, nodes: readonly string[], consoleNow: number): NodeFigures[] {
  return [...new Set([...nodes, ...byNode.keys()])].sort(compareNodeIds).map((node) => {
    const samples = byNode.get(node);
    const latest = samples?.[samples.length - 1];
    return { node, latest, current: latest !== undefined && consoleNow - latest.at <= silentAfterMs };
  });
}

/** The cluster's figures now: current samples summed (latency: the highest), or undefined when none is current. */
export function clusterFigures(figures: readonly NodeFigures[]): MetricSample | undefined {
  const current = figures.filter((figure) => figure.current).map((figure) => (figure.latest as TimedSample).sample);
  if (current.length === 0) return undefined;
  const sum = (pick: (sample: MetricSample) => number) => current.reduce((total, sample) => total + pick(sample), 0);
  const highest = (op: Operation) => {
    const seen = current.map((sample) => sample.latencyMs?.[op]).filter((latency) => latency !== null && latency !== undefined);
    if (seen.length === 0) return null;
    return { p50: Math.max(...seen.map((l) => l.p50)), p99: Math.max(...seen.map((l) => l.p99)), p999: Math.max(...seen.map((l) => l.p999)) };
  };
  return {
    opsPerSecond: { get: sum((s) => s.opsPerSecond.get), put: sum((s) => s.opsPerSecond.put), delete: sum((s) => s.opsPerSecond.delete) },
    requestsInFlight: sum((s) => s.requestsInFlight),
    hintsPending: sum((s) => s.hintsPending),
    transfersPending: sum((s) => s.transfersPending),
    keysRepaired: sum((s) => s.keysRepaired),
    peerBytesIn: sum((s) => s.peerBytesIn),
    peerBytesOut: sum((s) => s.peerBytesOut),
    latencyMs: { get: highest('get'), put: highest('put'), delete: highest('delete') },
  };
}

// ── Fault periods ───────────────────────────────────────────────────────────────────────────

export type FaultKind = FaultPeriod['kind'];

export const faultKinds: readonly FaultKind[] = ['killed', 'crashed', 'stopped', 'isolated', 'down'];

/** A fault period within the shown window, its end filled in with now while it lasts. */
export interface FaultBand {
  period: FaultPeriod;
  /** Epoch ms, clipped to the window. */
  from: number;
  to: number;
  ongoing: boolean;
}

/** The periods that overlap [fromMs, nowMs], clipped to it, oldest first. */
export function faultBands(faults: readonly FaultPeriod[], fromMs: number, nowMs: number): FaultBand[] {
  return faults
    .filter((period) => (period.to ?? nowMs) >= fromMs && period.from <= nowMs)
    .map((period) => ({ period, from: Math.max(period.from, fromMs), to: Math.min(period.to ?? nowMs, nowMs), ongoing: period.to === undefined }))
    .sort((a, b) => a.period.from - b.period.from || compareNodeIds(a.period.node, b.period.node));
}

/**
 * The row of each band's label along the chart's top: the first row whose previous label ends
 * before this band starts (`xs` are the bands' left edges and label widths in pixels, in order).
 */
export function labelRows(spans: ReadonlyArray<{ left: number; width: number }>, gap = 6): number[] {
  const rowEnds: number[] = [];
  return spans.map(({ left, width }) => {
    let row = rowEnds.findIndex((end) => end + gap <= left);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(0);
    }
    rowEnds[row] = left + width;
    return row;
  });
}
