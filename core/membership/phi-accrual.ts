// The phi-accrual failure detector (Hayashibara et al., "The φ Accrual Failure Detector", 2004),
// as Cassandra uses it on gossip heartbeats. Instead of a yes/no timeout, it outputs a suspicion
// level phi that grows the longer a member stays silent, scaled by how often its heartbeats
// usually arrive here:
//
//     phi(t) = -log10( P(the next heartbeat arrives later than t after the last one) )
//
// With inter-arrival times modelled as exponential with the observed mean (Cassandra's choice,
// robust to the bursty arrivals of gossip, where a heartbeat reaches a node through whichever
// peer happens to gossip with it), P = e^(-t/mean) and so phi = t / (mean · ln 10). A threshold
// of 8 then judges a member down after about 18.4 mean intervals of silence. phi = 1 means about
// a 10% chance that the member is merely slow.
//
// Heartbeats travel by gossip, so a node sees a member's counter advance in jumps; a jump of k
// beats counts as k intervals (see heartbeat), and the window learns the member's own pace. At
// one beat a second and threshold 8, a crashed member is judged down about 18 s after the last
// news of it reached the node (a few rounds after the crash, growing like log S).
//
// The window keeps the last `windowSize` intervals. An interval longer than `sampleMsMax` is
// not learned from (a member back from a long silence must not teach the detector that long
// silences are normal), and a fresh detector starts with one interval of `firstIntervalMs`,
// the expected gossip interval, so a member just learned of is judged by the usual pace.
// Pure: times are the caller's clock, in ms.

import { assert } from '../common/assert.js';
import { phiWindowSizeMax } from './limits.js';

export interface PhiAccrualOptions {
  /** Intervals kept, 1…phiWindowSizeMax. */
  windowSize: number;
  /** Longest interval learned from, ms. */
  sampleMsMax: number;
  /** The interval the window starts with, ms (the gossip interval). */
  firstIntervalMs: number;
}

/** log10(e): phi = t / mean · log10(e) for exponential inter-arrival times. */
const log10e = Math.LOG10E;

export class PhiAccrualDetector {
  private readonly intervals: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;
  private lastMs: number;

  /** `nowMs`: when the member became known; silence is measured from then until a heartbeat. */
  constructor(
    private readonly options: PhiAccrualOptions,
    nowMs: number,
  ) {
    const { windowSize, sampleMsMax, firstIntervalMs } = options;
    assert(Number.isInteger(windowSize) && windowSize >= 1 && windowSize <= phiWindowSizeMax, `phi: bad window size ${windowSize}`);
    assert(firstIntervalMs > 0 && sampleMsMax >= firstIntervalMs, 'phi: need 0 < firstIntervalMs <= sampleMsMax');
    this.intervals = new Float64Array(windowSize);
    this.lastMs = nowMs;
    this.add(firstIntervalMs);
  }

  /**
   * A fresh heartbeat of the member arrived at `nowMs`, `beats` beats past the last one seen
   * here. Gossip delivers a member's counter in jumps (it advanced twice while no peer brought
   * news of it); a jump of k beats counts as k intervals of elapsed / k, so the window learns the
   * member's pace of beating rather than the pace of the news, and phi does not drift up because
   * gossip happened to bring two beats at once.
   */
  heartbeat(nowMs: number, beats = 1): void {
    const elapsed = nowMs - this.lastMs;
    const k = Math.max(1, Math.min(Math.floor(beats), this.intervals.length));
    if (elapsed > 0 && elapsed / k <= this.options.sampleMsMax) for (let i = 0; i < k; i++) this.add(elapsed / k);
    if (nowMs > this.lastMs) this.lastMs = nowMs;
  }

  /** The suspicion level at `nowMs`: 0 right after a heartbeat, growing linearly with silence. */
  phi(nowMs: number): number {
    const silence = Math.max(0, nowMs - this.lastMs);
    return (silence / this.mean()) * log10e;
  }

  /** The mean inter-arrival time in the window, ms. */
  mean(): number {
    return this.sum / this.count;
  }

  /** When the last heartbeat arrived, ms. */
  lastHeartbeatMs(): number {
    return this.lastMs;
  }

  /** How long a silence from `lastHeartbeatMs()` makes phi reach `threshold`, at the current mean. */
  silenceMsFor(threshold: number): number {
    return (threshold * this.mean()) / log10e;
  }

  private add(interval: number): void {
    if (this.count === this.intervals.length) this.sum -= this.intervals[this.next];
    else this.count++;
    this.intervals[this.next] = interval;
    this.sum += interval;
    this.next = (this.next + 1) % this.intervals.length;
  }
}
