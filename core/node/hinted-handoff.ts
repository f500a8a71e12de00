// Hinted handoff (Dynamo §4.6): a fallback node keeps the writes meant for a down primary in
// its durable hints space; once the primary answers again, this loop delivers them (a normal
// replica merge) and removes each hint only after the primary acknowledged it and only if it
// did not change meanwhile. Delivery is throttled (a batch per target per tick, a few requests
// in flight) so it never starves client traffic.

import type { Clock } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import type { Transport } from '../net/transport.js';
import { decodeDataKey } from '../storage/keys.js';
import type { PeerHealth } from './peer-health.js';
import { PeriodicTask } from './periodic-task.js';
import type { Replica } from './replica.js';

export interface HintedHandoffOptions {
  replica: Replica;
  transport: Transport;
  health: PeerHealth;
  clock: Clock;
  intervalMs: number;
  batchMax: number;
  inFlightMax: number;
  requestTimeoutMs: number;
}

export class HintedHandoff {
  private readonly loop: PeriodicTask;
  private running = false;
  delivered = 0;
  failed = 0;

  constructor(private readonly options: HintedHandoffOptions) {
    this.loop = new PeriodicTask(options.clock, options.intervalMs, () => this.deliverNow());
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One delivery round: a batch to every target that is up. Resolves when the round is done. */
  async deliverNow(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { replica, health } = this.options;
      for (const target of replica.hintTargets()) {
        if (health.isUp(target)) await this.deliverTo(target);
      }
    } finally {
      this.running = false;
    }
  }

  private async deliverTo(target: NodeId): Promise<void> {
    const { replica, transport, health } = this.options;
    const hints = await replica.hintsFor(target, this.options.batchMax);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < hints.length) {
        const hint = hints[next++];
        const { bucket, key } = decodeDataKey(hint.dataKey);
        try {
          await transport.request(
            target,
            { type: 'replica.merge', b: bucket, k: key, rec: hint.bytes },
            { timeoutMs: this.options.requestTimeoutMs },
          );
        } catch (error) {
          // The target went away again: stop this round; the next one retries.
          failed = true;
          this.failed++;
          health.reportFailure(target, error);
          return;
        }
        if (await replica.removeHint(target, hint.hintKey, hint.bytes)) this.delivered++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.inFlightMax, hints.length) }, worker));
  }
}
