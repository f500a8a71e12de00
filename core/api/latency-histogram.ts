// Latency recording: an HDR histogram (Gil Tene's HdrHistogram, through hdr-histogram-js) of
// microseconds with three significant digits, so p99.9 is exact to 0.1 % whatever the spread, in
// a fixed footprint. Times go in and come out in milliseconds. The load generator records a run
// in it (bench/), and a node's event stream a second of requests per operation (event-stream.ts).

import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** Largest latency tracked before the histogram grows: one minute, in microseconds. */
export const latencyUsTrackedMax = 60_000_000;

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  private readonly histogram: Histogram;

  constructor() {
    this.histogram = build({
      bitBucketSize: 32,
      lowestDiscernibleValue: 1,
      highestTrackableValue: latencyUsTrackedMax,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
      useWebAssembly: false,
    });
  }

  /** Records one latency; anything under a microsecond counts as one. */
  record(latencyMs: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The latency at `percentile` (0 to 100), in milliseconds; 0 when nothing was recorded. */
  percentileMs(percentile: number): number {
    if (this.histogram.totalCount === 0) return 0;
    return this.histogram.getValueAtPercentile(percentile) / 1000;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, meanMs: 0, p50Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
    return {
      count: h.totalCount,
      meanMs: h.mean / 1000,
      p50Ms: h.getValueAtPercentile(50) / 1000,
      p99Ms: h.getValueAtPercentile(99) / 1000,
      p999Ms: h.getValueAtPercentile(99.9) / 1000,
      maxMs: h.maxValue / 1000,
    };
  }

  /** Adds every value recorded in `other`. */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  reset(): void {
    this.histogram.reset();
  }
}
