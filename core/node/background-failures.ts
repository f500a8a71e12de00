// Background work fails quietly unless someone counts it: a periodic task whose run threw, a
// membership snapshot that could not be persisted, a read repair a replica refused. Each such
// failure is counted by task (exposed in /metrics) and logged, never swallowed.
//
// A peer that is simply unreachable or slow is routine in a Dynamo cluster (the failure detector
// and hints deal with it): those are logged at debug level, anything else as a warning.

import type { Log } from '../common/log.js';
import { errorText } from '../common/coded-error.js';
import { TransportError } from '../net/transport.js';

export type BackgroundTask =
  | 'probe'
  | 'handoff'
  | 'anti-entropy'
  | 'tombstone-reaper'
  | 'gossip'
  | 'membership-snapshot'
  | 'transfers'
  | 'read-repair'
  | 'replica-write';

export class BackgroundFailures {
  private readonly counts = new Map<BackgroundTask, number>();

  constructor(private readonly log: Log) {}

  record(task: BackgroundTask, error: unknown, fields?: Record<string, unknown>): void {
    this.counts.set(task, (this.counts.get(task) ?? 0) + 1);
    const message = errorText(error);
    const routine = error instanceof TransportError && (error.code === 'unreachable' || error.code === 'timeout' || error.code === 'closed');
    const entry = { task, error: message, code: (error as { code?: unknown })?.code, ...fields };
    if (routine) this.log.debug(entry, `${task} failed`);
    else this.log.warn(entry, `${task} failed`);
  }

  /** Failures so far, by task (every task listed, zero included, so metrics keep their series). */
  totals(): Record<BackgroundTask, number> {
    const out = {} as Record<BackgroundTask, number>;
    for (const task of backgroundTasks) out[task] = this.counts.get(task) ?? 0;
    return out;
  }
}

export const backgroundTasks: readonly BackgroundTask[] = [
  'probe',
  'handoff',
  'anti-entropy',
  'tombstone-reaper',
  'gossip',
  'membership-snapshot',
  'transfers',
  'read-repair',
  'replica-write',
];
