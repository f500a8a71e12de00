// A background loop on the injected clock: runs `task` every `intervalMs`, never two runs at
// once (the next interval starts when a run ends). A run that throws is reported to `onError`
// (counted and logged by the node) and the loop goes on: a background run that fails just tries
// again next time. `stop()` resolves once a run in progress has ended, so the node can close its
// store without a background write still running. The failure detector's probes, hint
// delivery, anti-entropy, gossip, transfers and tombstone collection all run on one of these.

import type { Clock, TimerHandle } from '../common/clock.js';

export class PeriodicTask {
  private timer: TimerHandle | undefined;
  private stopped = true;
  private running: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops the loop; resolves when a run in progress (if any) has finished. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    return this.running ?? Promise.resolve();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.task().then(
        () => undefined,
        (error: unknown) => this.onError(error),
      );
      this.running.finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.intervalMs);
  }
}
