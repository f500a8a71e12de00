// The metric samples and fault periods of the last minutes (AdminApi.metricsHistory).
// TO BE WRITTEN.

import type { MetricsHistory } from '../admin/admin-api.js';
import type { ConsoleEvent } from '../admin/events.js';
import type { Clock } from '../common/clock.js';
import { metricsWindowMs } from './limits.js';

export class MetricsRecorder {
  constructor(private readonly clock: Clock) {}

  record(_event: ConsoleEvent): void {}

  history(): MetricsHistory {
    return { now: this.clock.now(), windowMs: metricsWindowMs, points: [], faults: [] };
  }
}
