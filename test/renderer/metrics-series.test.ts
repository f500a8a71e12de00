// The Metrics page's pure parts (renderer/pages/metrics): the buffer puts live samples on the
// console's clock, skips a sample the history already holds and keeps what came before the first
// history; samples land one a second per node whatever their jitter, and a node that missed a
// second leaves a gap; the cluster's figure is the nodes' sum, its latency the slowest node's;
// fault periods are clipped to the window with an ongoing one drawn to now; band labels take the
// first row free; the figures read as a person writes them.

import { describe, expect, it } from 'vitest';
import type { MetricSample, MetricsHistory } from '../../core/admin/admin-api.js';
import { MetricsBuffer } from '../../renderer/pages/metrics/metrics-buffer.js';
import { faultDuration, formatByteRate, formatLatency, formatNumber } from '../../renderer/pages/metrics/metrics-format.js';
import { alignSamples, clusterFigures, faultBands, labelRows, latestFigures, latestIndex, nodeBeat, pickers, scopeValues } from '../../renderer/pages/metrics/metrics-series.js';

const sample = (get: number, p99 = 2): MetricSample => ({
  opsPerSecond: { get, put: 1, delete: 0 },
  requestsInFlight: 0,
  hintsPending: 2,
  transfersPending: 0,
  keysRepaired: 0,
  peerBytesIn: 10,
  peerBytesOut: 20,
  latencyMs: { get: { p50: 1, p99, p999: p99 * 2 }, put: null, delete: null },
});

const t0 = 1_800_000_000_000;

describe('MetricsBuffer', () => {
  it('puts live samples on the console clock and skips one the history already holds', () => {
    const buffer = new MetricsBuffer();
    // The browser's clock is 5 s behind the console's.
    buffer.addSample('n1', sample(1), t0 - 5000 - 300); // before the history: waits for it
    const history: MetricsHistory = {
      now: t0,
      windowMs: 15 * 60_000,
      points: [
        { node: 'n1', at: t0 - 1300, sample: sample(1) },
        { node: 'n1', at: t0 - 300, sample: sample(2) },
      ],
      faults: [{ node: 'n3', kind: 'killed', label: 'n3 killed', from: t0 - 10_000 }],
    };
    buffer.loadHistory(history, t0 - 5000);
    expect(buffer.loaded).toBe(true);
    expect(buffer.consoleTime(t0 - 4000)).toBe(t0 + 1000);
    buffer.addSample('n1', sample(2), t0 - 5000 + 20); // the history's newest again, arriving late
    buffer.addSample('n1', sample(3), t0 - 5000 + 700);
    buffer.addSample('n2', sample(4), t0 - 5000 + 710);
    expect(buffer.samples.get('n1')?.map((s) => [s.at - t0, s.sample.opsPerSecond.get])).toEqual([
      [-1300, 1],
      [-300, 2],
      [700, 3],
    ]);
    expect(buffer.samples.get('n2')?.map((s) => s.at - t0)).toEqual([710]);
    expect(buffer.faults).toEqual(history.faults);
  });

  it('keeps newer live samples when the history is read again, and forgets what left the window', () => {
    const buffer = new MetricsBuffer();
    buffer.loadHistory({ now: t0, windowMs: 60_000, points: [{ node: 'n1', at: t0 - 59_000, sample: sample(1) }], faults: [] }, t0);
    buffer.addSample('n1', sample(2), t0 + 1000);
    buffer.addSample('n1', sample(3), t0 + 2000);
    // The second read holds the first live sample but not yet the second.
    buffer.loadHistory({ now: t0 + 1500, windowMs: 60_000, points: [{ node: 'n1', at: t0 + 1000, sample: sample(2) }], faults: [] }, t0 + 1500);
    expect(buffer.samples.get('n1')?.map((s) => s.sample.opsPerSecond.get)).toEqual([2, 3]);
    buffer.trim(t0 + 61_500);
    expect(buffer.samples.get('n1')?.map((s) => s.sample.opsPerSecond.get)).toEqual([3]);
    buffer.trim(t0 + 70_000);
    expect(buffer.samples.size).toBe(0);
  });
});

describe('series', () => {
  it('follows each node\u2019s beat: two samples in one second and a late one fill consecutive seconds', () => {
    const at = (ms: number) => ({ at: t0 + ms, sample: sample(ms) });
    const beat = nodeBeat([at(5), at(998), at(2003), at(2990), at(6001)]).map(({ second }) => second - t0 / 1000);
    // 5 and 998 share second 0: the second moves to 1; 2003 is second 2; 2990 shares it: 3;
    // 6001 comes three seconds later: the node missed seconds 4 and 5.
    expect(beat).toEqual([0, 1, 2, 3, 6]);
    // A sample 1.2 s after one whose second was 0 and in second 2 fills the hole at 1.
    expect(nodeBeat([at(990), at(2100)]).map(({ second }) => second - t0 / 1000)).toEqual([0, 1]);
    // More than one a second: the extra is dropped rather than running ahead of time.
    expect(nodeBeat([at(100), at(200), at(300)]).map(({ second }) => second - t0 / 1000)).toEqual([0, 1]);
  });

  it('sums the nodes for the cluster, takes the slowest node\u2019s latency, and leaves a gap where nobody reported', () => {
    const samples = new Map([
      ['n1', [0, 1000, 2000, 3000].map((ms) => ({ at: t0 + ms + 100, sample: sample(10, 2) }))],
      ['n2', [0, 1000, 3000].map((ms) => ({ at: t0 + ms + 400, sample: sample(5, 7) }))],
      ['n10', [1000].map((ms) => ({ at: t0 + ms + 50, sample: sample(1, 1) }))],
    ]);
    // The window ends during second 4: seconds 0 to 3 are whole.
    const aligned = alignSamples(samples, t0, t0 + 4300);
    expect(aligned.x).toEqual([0, 1, 2, 3].map((s) => t0 / 1000 + s));
    expect(aligned.nodes).toEqual(['n1', 'n2', 'n10']);
    expect(scopeValues(aligned, { kind: 'cluster' }, pickers.ops('get'), 'sum')).toEqual([15, 16, 10, 15]);
    expect(scopeValues(aligned, { kind: 'node', node: 'n2' }, pickers.ops('get'), 'sum')).toEqual([5, 5, null, 5]);
    expect(scopeValues(aligned, { kind: 'cluster' }, pickers.latency('get', 'p99'), 'max')).toEqual([7, 7, 2, 7]);
    expect(scopeValues(aligned, { kind: 'cluster' }, pickers.latency('put', 'p99'), 'max')).toEqual([null, null, null, null]);
    // A second later, second 4 has no report yet while 3 had two: it waits for the next tick.
    expect(alignSamples(samples, t0, t0 + 5300).x).toHaveLength(4);
    // Once a node has stopped for good, the seconds without it are shown, gaps and all.
    expect(alignSamples(samples, t0, t0 + 6300).x).toHaveLength(6);
    // A chart's "now" is its newest second with any value; a node silent there reads as nothing.
    const byNode = aligned.nodes.map((node) => scopeValues(aligned, { kind: 'node', node }, pickers.allOps, 'sum'));
    expect(latestIndex(byNode)).toBe(3);
    expect(byNode.map((values) => values[3])).toEqual([11, 6, null]);
    expect(latestIndex([[null, null]])).toBeUndefined();
  });

  it('gives each node\u2019s latest figures and the cluster\u2019s from the nodes still reporting', () => {
    const samples = new Map([
      ['n1', [{ at: t0 - 1000, sample: sample(10, 2) }]],
      ['n2', [{ at: t0 - 60_000, sample: sample(99, 50) }]],
      ['n3', [{ at: t0 - 2000, sample: sample(4, 9) }]],
    ]);
    const figures = latestFigures(samples, ['n1', 'n2', 'n3', 'n4'], t0);
    expect(figures.map((f) => [f.node, f.current])).toEqual([
      ['n1', true],
      ['n2', false],
      ['n3', true],
      ['n4', false],
    ]);
    const cluster = clusterFigures(figures);
    expect(cluster?.opsPerSecond.get).toBe(14);
    expect(cluster?.hintsPending).toBe(4);
    expect(cluster?.latencyMs?.get).toEqual({ p50: 1, p99: 9, p999: 18 });
    expect(cluster?.latencyMs?.put).toBeNull();
    expect(clusterFigures(figures.filter((f) => !f.current))).toBeUndefined();
  });

  it('clips fault periods to the window, draws an ongoing one to now, and drops those outside', () => {
    const faults = [
      { node: 'n1', kind: 'killed' as const, label: 'n1 killed', from: t0 - 120_000, to: t0 - 90_000 },
      { node: 'n2', kind: 'isolated' as const, label: 'n2 isolated from n1', from: t0 - 70_000, to: t0 - 30_000 },
      { node: 'n3', kind: 'crashed' as const, label: 'n3 crashed', from: t0 - 10_000 },
    ];
    const bands = faultBands(faults, t0 - 60_000, t0);
    expect(bands.map((b) => [b.period.node, b.from - t0, b.to - t0, b.ongoing])).toEqual([
      ['n2', -60_000, -30_000, false],
      ['n3', -10_000, 0, true],
    ]);
    expect(faultDuration(faults[1], t0)).toBe('40s');
    expect(faultDuration(faults[2], t0)).toBe('ongoing, 10s so far');
  });

  it('puts each band label on the first row where it does not overlap the one before', () => {
    expect(
      labelRows([
        { left: 0, width: 50 },
        { left: 30, width: 50 },
        { left: 60, width: 50 },
        { left: 90, width: 20 },
      ]),
    ).toEqual([0, 1, 0, 1]);
  });

  it('writes figures short and with their unit', () => {
    expect([0, 0.423, 3.46, 12.46, 1234.4, 25_300].map(formatNumber)).toEqual(['0', '0.42', '3.5', '12.5', '1,234', '25.3k']);
    expect([0.213, 3.4, 1250].map(formatLatency)).toEqual(['0.21 ms', '3.4 ms', '1.25 s']);
    expect([812, 12_595, 1_572_864].map(formatByteRate)).toEqual(['812 B/s', '12.3 KiB/s', '1.5 MiB/s']);
  });
});
