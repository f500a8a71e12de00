// The Metrics page's samples: the history the console kept (AdminApi.metricsHistory) with the live
// samples appended as the one event subscription delivers them, each node's kept in time order
// for the window and no longer. Pure: every time comes in as an argument.
//
// One time line: the console stamps history points with its own clock, so live samples are put on
// that clock too: the browser's time of arrival plus the difference between the two clocks, as
// measured when the history arrived (off by the network's delay, a few milliseconds). A sample
// that arrived while the history was on its way is in both; a node sends one a second, so a live
// sample within half a second of the node's newest kept one is that one again and is skipped.
// Samples that arrive before the first history wait for it to learn the clocks' difference.

import type { FaultPeriod, MetricsHistory, MetricSample } from '../../../core/admin/admin-api.js';

export interface TimedSample {
  /** Epoch ms on the console's clock. */
  at: number;
  sample: MetricSample;
}

/** A live sample within this of the node's newest kept one is the same sample again. */
export const sameSampleMs = 500;
/** Samples kept per node at most (one a second for 15 minutes, and some room). */
export const samplesPerNodeMax = 1000;

export class MetricsBuffer {
  private readonly byNode = new Map<string, TimedSample[]>();
  private readonly early: Array<{ node: string; receivedAt: number; sample: MetricSample }> = [];
  private offsetMs: number | undefined;
  private faultPeriods: readonly FaultPeriod[] = [];
  private window = 15 * 60_000;

  /** Whether a history has arrived (until then the page knows nothing of the past). */
  get loaded(): boolean {
    return this.offsetMs !== undefined;
  }

  get windowMs(): number {
    return this.window;
  }

  get faults(): readonly FaultPeriod[] {
    return this.faultPeriods;
  }

  /** Every node's samples, oldest first. */
  get samples(): ReadonlyMap<string, readonly TimedSample[]> {
    return this.byNode;
  }

  /** The console's time when the browser's clock reads `browserNow` (the browser's, until a history came). */
  consoleTime(browserNow: number): number {
    return browserNow + (this.offsetMs ?? 0);
  }

  /** Takes the console's history (read at `receivedAt` on the browser's clock) as the truth, keeping newer live samples. */
  loadHistory(history: MetricsHistory, receivedAt: number): void {
    this.offsetMs = history.now - receivedAt;
    this.window = history.windowMs;
    this.faultPeriods = history.faults;
    const live = new Map(this.byNode);
    this.byNode.clear();
    for (const point of history.points) this.append(point.node, { at: point.at, sample: point.sample });
    for (const [node, samples] of live) for (const sample of samples) this.appendLive(node, sample);
    for (const { node, receivedAt: at, sample } of this.early.splice(0)) this.appendLive(node, { at: this.consoleTime(at), sample });
    this.trim(history.now);
  }

  /** A live sample of `node` that arrived at `receivedAt` (browser clock). */
  addSample(node: string, sample: MetricSample, receivedAt: number): void {
    if (this.offsetMs === undefined) {
      this.early.push({ node, receivedAt, sample });
      if (this.early.length > samplesPerNodeMax) this.early.shift();
      return;
    }
    this.appendLive(node, { at: this.consoleTime(receivedAt), sample });
  }

  /** Forgets samples older than the window before `consoleNow`, and nodes left with none. */
  trim(consoleNow: number): void {
    const since = consoleNow - this.window;
    for (const [node, samples] of this.byNode) {
      let first = 0;
      while (first < samples.length && samples[first].at < since) first++;
      if (first === samples.length) this.byNode.delete(node);
      else if (first > 0) samples.splice(0, first);
    }
  }

  private appendLive(node: string, sample: TimedSample): void {
    const samples = this.byNode.get(node);
    const last = samples?.[samples.length - 1];
    if (last !== undefined && sample.at <= last.at + sameSampleMs) return;
    this.append(node, sample);
  }

  private append(node: string, sample: TimedSample): void {
    let samples = this.byNode.get(node);
    if (samples === undefined) {
      samples = [];
      this.byNode.set(node, samples);
    }
    samples.push(sample);
    if (samples.length > samplesPerNodeMax) samples.splice(0, samples.length - samplesPerNodeMax);
  }
}
