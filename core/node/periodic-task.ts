// A background loop on the injected clock: runs `task` every `intervalMs`, never two runs at
// once (the next interval starts when a run ends), errors swallowed (a background run that
// fails just tries again next time). The failure detector's probes, hint delivery,
// anti-entropy and tombstone collection all run on one of these.

import type { Clock, TimerHandle } from '../common/clock.js';

export class PeriodicTask {
  private timer: TimerHandle | undefined;
  private stopped = true;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.task()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
