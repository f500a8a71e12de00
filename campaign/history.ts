// A Jepsen-style history: every client operation is an `invoke` event followed by exactly one
// completion, `ok` (acknowledged), `fail` (refused: a 4xx answer, the operation did not happen)
// or `info` (unknown: a time-out, a lost connection or a 5xx answer; it may have happened).
// Times are milliseconds since the campaign began.

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

export interface HistoryEvent {
  index: number;
  process: string;
  type: EventType;
  f: 'read' | 'write' | 'delete' | 'add';
  key: string;
  value?: string;
  node?: string;
  status?: number;
  error?: string;
  time: number;
}

export class OperationLog {
  readonly events: HistoryEvent[] = [];
  private readonly started = performance.now();

  now(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  record(event: Omit<HistoryEvent, 'index' | 'time'>): void {
    this.events.push({ index: this.events.length, time: this.now(), ...event });
  }

  /** How many completions of each type, for the report. */
  counts(): Record<EventType, number> {
    const counts: Record<EventType, number> = { invoke: 0, ok: 0, fail: 0, info: 0 };
    for (const event of this.events) counts[event.type]++;
    return counts;
  }
}
