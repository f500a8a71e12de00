// Hinted handoff (Dynamo §4.6): a fallback node keeps the writes meant for a down primary in
// its durable hints space; once the primary answers again, this loop delivers them (a normal
// replica merge) and removes each hint only after the primary acknowledged it and only if it
// did not change meanwhile. Delivery is throttled (a batch per target per tick, a few requests
// in flight) so it never starves client traffic.
//
// A target that has left the cluster never comes back for its hints: they go to the key's
// current replicas instead (its partitions were handed off when it left, but a write hinted
// while it was down may not have been among them).
//
// Progress per target, for operators: how long its backlog has waited (from the first handoff
// tick that saw hints for it while it had none, so to within a tick; a restarted node starts
// counting again) and, while it is delivered, hints handed over per second in the last
// hintRateWindowMs.

import type { HintTarget } from '../admin/events.js';
import type { Clock } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import type { Transport } from '../net/transport.js';
import { dataKeyPartition, decodeDataKey } from '../storage/keys.js';
import type { Bytes } from '../storage/store.js';
import { decodeRecord } from './record-codec.js';
import type { BackgroundFailures } from './background-failures.js';
import type { FailureDetector } from './failure-detector.js';
import { hintRateRoundsMax, hintRateWindowMs } from './limits.js';
import type { NodeEvents } from './node-events.js';
import { PeriodicTask } from './periodic-task.js';
import type { Replica } from './replica.js';

export interface HintedHandoffOptions {
  self: NodeId;
  replica: Replica;
  /** Whether `id` is no longer a member (it left or was removed). */
  departed: (id: NodeId) => boolean;
  /** The current replicas of a partition (its preference list). */
  replicasOf: (partition: number) => readonly NodeId[];
  transport: Transport;
  detector: FailureDetector;
  failures: BackgroundFailures;
  events: NodeEvents;
  clock: Clock;
  intervalMs: number;
  batchMax: number;
  inFlightMax: number;
  requestTimeoutMs: number;
}

export class HintedHandoff {
  private readonly loop: PeriodicTask;
  private running = false;
  /** Since when each target with hints pending has had some (clock ms). */
  private readonly waitingSince = new Map<NodeId, number>();
  /** Recent delivery rounds per target that delivered any: [started, hints delivered], oldest first. */
  private readonly rounds = new Map<NodeId, Array<[startedAt: number, delivered: number]>>();
  /** The target a round is delivering to now, if any. */
  private current: NodeId | undefined;
  delivered = 0;
  failed = 0;

  constructor(private readonly options: HintedHandoffOptions) {
    this.loop = new PeriodicTask(options.clock, options.intervalMs, () => this.deliverNow(), (error) =>
      options.failures.record('handoff', error),
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One delivery round: a batch to every target that is up. Resolves when the round is done. */
  async deliverNow(): Promise<void> {
    this.track(this.options.replica.hintsPending().byTarget);
    if (this.running) return;
    this.running = true;
    try {
      const { replica, detector } = this.options;
      for (const target of replica.hintTargets()) {
        if (this.options.departed(target)) await this.deliverTo(target, (hint) => this.reroute(hint));
        else if (detector.answers(target)) await this.deliverTo(target, (hint) => this.send(target, hint.dataKey, hint.bytes));
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Each target with hints pending or delivered to lately, by id: pending counts as given
   * (the replica's), the backlog's age, and the pace of delivery.
   */
  targets(byTarget: Readonly<Record<NodeId, number>>): HintTarget[] {
    this.track(byTarget);
    const now = this.options.clock.now();
    const ids = new Set([...Object.keys(byTarget), ...this.rounds.keys()]);
    return [...ids].sort().map((target) => this.figures(target, byTarget[target] ?? 0, now));
  }

  private figures(target: NodeId, pending: number, now: number): HintTarget {
    const rounds = this.prune(target, now);
    let delivered = 0;
    for (const [, count] of rounds) delivered += count;
    // Over the time since the first round in the window began, and at least one tick, so one
    // quick first round does not read as a burst.
    const spanMs = rounds.length === 0 ? 1 : Math.max(this.options.intervalMs, now - rounds[0][0]);
    const since = this.waitingSince.get(target);
    return {
      target,
      pending,
      oldestAgeMs: pending > 0 && since !== undefined ? now - since : 0,
      delivering: pending > 0 && (this.current === target || rounds.length > 0),
      deliveredPerSec: (delivered * 1000) / spanMs,
    };
  }

  /** Starts the clock of a target whose hints were first seen, and stops it for one with none left. */
  private track(byTarget: Readonly<Record<NodeId, number>>): void {
    const now = this.options.clock.now();
    for (const target of Object.keys(byTarget)) if (!this.waitingSince.has(target)) this.waitingSince.set(target, now);
    for (const target of this.waitingSince.keys()) if (byTarget[target] === undefined) this.waitingSince.delete(target);
  }

  /** The target's rounds within the rate window (forgetting older ones, and the target once none remain). */
  private prune(target: NodeId, now: number): ReadonlyArray<[number, number]> {
    const rounds = this.rounds.get(target);
    if (rounds === undefined) return [];
    while (rounds.length > 0 && now - rounds[0][0] > hintRateWindowMs) rounds.shift();
    if (rounds.length === 0) this.rounds.delete(target);
    return rounds;
  }

  private async deliverTo(target: NodeId, deliver: (hint: { dataKey: Bytes; bytes: Bytes }) => Promise<void>): Promise<void> {
    this.current = target;
    try {
      await this.deliverBatch(target, deliver);
    } finally {
      this.current = undefined;
    }
  }

  private async deliverBatch(target: NodeId, deliver: (hint: { dataKey: Bytes; bytes: Bytes }) => Promise<void>): Promise<void> {
    const { replica, clock } = this.options;
    const startedAt = clock.now();
    const deliveredBefore = this.delivered;
    const hints = await replica.hintsFor(target, this.options.batchMax);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < hints.length) {
        const hint = hints[next++];
        try {
          await deliver(hint);
        } catch (error) {
          // The target went away again: stop this round; the next one retries.
          failed = true;
          this.failed++;
          this.options.failures.record('handoff', error, { target });
          return;
        }
        if (await replica.removeHint(target, hint.hintKey, hint.bytes)) this.delivered++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.inFlightMax, hints.length) }, worker));
    const delivered = this.delivered - deliveredBefore;
    if (delivered > 0) {
      const rounds = this.rounds.get(target) ?? [];
      rounds.push([startedAt, delivered]);
      if (rounds.length > hintRateRoundsMax) rounds.shift();
      this.rounds.set(target, rounds);
      const pending = replica.hintsPending().byTarget[target] ?? 0;
      const { oldestAgeMs, deliveredPerSec } = this.figures(target, pending, clock.now());
      this.options.events.emit({ type: 'hints-delivered', target, delivered, pending, oldestAgeMs, deliveredPerSec });
    }
  }

  /** Merges one hinted state into `to`'s replica (a normal replica merge). */
  private async send(to: NodeId, dataKey: Bytes, bytes: Bytes): Promise<void> {
    const { bucket, key } = decodeDataKey(dataKey);
    try {
      await this.options.transport.request(to, { type: 'replica.merge', b: bucket, k: key, rec: bytes }, { timeoutMs: this.options.requestTimeoutMs });
    } catch (error) {
      this.options.detector.reportFailure(to, error);
      throw error;
    }
  }

  /** A hint for a departed node: merged into every current replica of its key, this node included. */
  private async reroute(hint: { dataKey: Bytes; bytes: Bytes }): Promise<void> {
    const partition = dataKeyPartition(hint.dataKey);
    for (const node of this.options.replicasOf(partition)) {
      if (node !== this.options.self) await this.send(node, hint.dataKey, hint.bytes);
      else {
        const { bucket, key } = decodeDataKey(hint.dataKey);
        await this.options.replica.mergeData(partition, bucket, key, decodeRecord(hint.bytes));
      }
    }
  }
}
