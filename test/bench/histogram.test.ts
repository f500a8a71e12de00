// Latencies go into an HDR histogram as microseconds and come out as milliseconds: this proves
// the percentiles of a known set of latencies come back to within HDR's three significant
// digits, that histograms merge and reset, and that an empty one reports zeros.

import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../bench/histogram.js';

describe('LatencyHistogram', () => {
  it('reports p50, p99, p99.9 and max of 1..10000 µs within 0.1 %', () => {
    const histogram = new LatencyHistogram();
    for (let us = 1; us <= 10_000; us++) histogram.record(us / 1000);
    const summary = histogram.summary();
    expect(summary.count).toBe(10_000);
    expect(summary.p50Ms).toBeCloseTo(5, 2);
    expect(Math.abs(summary.p99Ms - 9.9) / 9.9).toBeLessThan(0.001);
    expect(Math.abs(summary.p999Ms - 9.99) / 9.99).toBeLessThan(0.001);
    expect(Math.abs(summary.maxMs - 10) / 10).toBeLessThan(0.001);
    expect(summary.meanMs).toBeCloseTo(5.0005, 2);
    expect(histogram.percentileMs(99)).toBe(summary.p99Ms);
  });

  it('keeps a rare slow operation visible at p99.9 and in the maximum', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 9_990; i++) histogram.record(1);
    for (let i = 0; i < 10; i++) histogram.record(250);
    const summary = histogram.summary();
    expect(summary.p99Ms).toBeCloseTo(1, 2);
    expect(summary.p999Ms).toBeCloseTo(1, 2);
    histogram.record(250);
    expect(histogram.summary().p999Ms).toBeGreaterThan(249);
    expect(histogram.summary().maxMs).toBeGreaterThan(249);
  });

  it('counts sub-microsecond and beyond-a-minute latencies instead of dropping them', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0);
    histogram.record(120_000);
    expect(histogram.count).toBe(2);
    expect(histogram.summary().maxMs).toBeGreaterThan(119_000);
  });

  it('merges with add and empties with reset', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(1);
    b.record(3);
    b.record(3);
    a.add(b);
    expect(a.count).toBe(3);
    expect(a.summary().p50Ms).toBeCloseTo(3, 2);
    a.reset();
    expect(a.summary()).toEqual({ count: 0, meanMs: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
    expect(a.percentileMs(99)).toBe(0);
  });
});
