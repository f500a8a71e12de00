// The event log's sentences: each console event becomes a line a person reads ("n3 is down",
// "Partition 12 moved from n1 to n6 (340 keys)"), newest first. Every node reports what it
// sees, so one change arrives several times (n1, n2 and n4 all see n3 go down): reports of the
// same fact within a few seconds merge into one line that names who saw it. Metric samples are
// not log lines.

import type { ConsoleEvent } from '../../core/admin/admin-api.js';
import { formatCount, joinWords, plural } from './format.js';

export type LogTone = 'info' | 'good' | 'warning' | 'bad';

export type ObserverStyle = 'seen' | 'by' | 'of';

export interface LogEntry {
  /** Increasing; a React key. */
  id: number;
  /** When the first report arrived (epoch ms). */
  at: number;
  tone: LogTone;
  text: string;
  /** Nodes that reported it, when that matters ("seen by n1 and n2"). */
  observers: string[];
  /** How the observers are named: "(seen by n1)", "… by n1" or "… of n1". */
  observerStyle: ObserverStyle;
  /** Reports with equal keys within the merge window are one entry. */
  mergeKey: string | undefined;
}

interface Description {
  tone: LogTone;
  text: string;
  mergeKey?: string;
  /** Whether (and how) the reporting node is worth naming. */
  observed?: ObserverStyle;
}

export function describeEvent(event: ConsoleEvent): Description | undefined {
  switch (event.type) {
    case 'member': {
      const tone: LogTone = event.state === 'up' ? 'good' : event.state === 'down' ? 'bad' : 'info';
      const text = event.state === 'left' ? `${event.id} left the cluster` : `${event.id} is ${event.state}`;
      return { tone, text, mergeKey: `member:${event.id}:${event.state}`, observed: 'seen' };
    }
    case 'ring':
      return { tone: 'info', text: `Ring version ${event.version} adopted`, mergeKey: `ring:${event.version}`, observed: 'by' };
    case 'faults':
      return event.isolated.length === 0
        ? { tone: 'good', text: `${event.node} healed: its peer traffic flows again` }
        : { tone: 'warning', text: `${event.node} cut off from ${joinWords(event.isolated)}` };
    case 'transfer':
      return event.state === 'done'
        ? { tone: 'good', text: `Partition ${event.partition} moved from ${event.from} to ${event.to} (${plural(event.keysSent, 'key')})` }
        : { tone: 'bad', text: `Transfer of partition ${event.partition} from ${event.from} to ${event.to} failed after ${plural(event.keysSent, 'key')}` };
    case 'hints-delivered':
      return {
        tone: 'good',
        text: `${event.node} handed ${plural(event.delivered, 'hint')} to ${event.target} (${formatCount(event.pending)} still pending)`,
      };
    case 'anti-entropy': {
      const { report } = event;
      const withPeer = event.peer === undefined ? '' : ` with ${event.peer}`;
      const trigger = event.trigger === 'manual' ? 'Anti-entropy' : 'Background anti-entropy';
      return {
        tone: report.keysRepaired > 0 ? 'warning' : 'info',
        text: `${trigger} on ${event.node}${withPeer}: ${plural(report.partitionsCompared, 'partition')} compared, ${plural(report.keysRepaired, 'key')} repaired`,
      };
    }
    case 'metrics':
      return undefined;
    case 'process':
      return describeProcess(event);
    case 'connection':
      if (event.node === 'console') {
        return event.connected
          ? { tone: 'good', text: "Following the console's live events", mergeKey: 'connection:console:up' }
          : { tone: 'warning', text: `Lost the console's live events${event.message === undefined ? '' : `: ${event.message}`}`, mergeKey: 'connection:console:down' };
      }
      return event.connected
        ? { tone: 'good', text: 'Following the live events', mergeKey: 'connection:up', observed: 'of' }
        : {
            tone: 'warning',
            text: `Lost ${event.node}'s live events${event.message === undefined ? '' : `: ${event.message}`}`,
            mergeKey: `connection:${event.node}:down`,
          };
    case 'join-plan':
      return {
        tone: event.state === 'cancelled' ? 'info' : 'good',
        text: `Join of ${event.node} ${event.state}`,
      };
  }
}

function describeProcess(event: Extract<ConsoleEvent, { type: 'process' }>): Description {
  const pid = event.pid === undefined ? '' : ` (pid ${event.pid})`;
  const why = event.message === undefined ? '' : `: ${event.message}`;
  // The message, when there is one, already says why; otherwise the reason does.
  const reason = event.reason === undefined ? '' : ` (${event.reason})`;
  switch (event.state) {
    case 'up':
      return { tone: 'good', text: `${event.node}'s process is running${pid}` };
    case 'crashed':
      return { tone: 'bad', text: `${event.node}'s process crashed${why || reason}` };
    case 'stopped':
      return { tone: event.reason === 'clean-exit' || event.reason === undefined ? 'info' : 'bad', text: `${event.node}'s process stopped${why || reason}` };
    case 'killing':
      return { tone: 'warning', text: `${event.node}'s process is being killed${pid}` };
    default:
      return { tone: 'info', text: `${event.node}'s process is ${event.state}${pid}${why}` };
  }
}

export interface AppendOptions {
  maxEntries: number;
  mergeWindowMs: number;
}

export const defaultAppendOptions: AppendOptions = { maxEntries: 300, mergeWindowMs: 5000 };

/**
 * The log with `event` added at the front (or merged into a recent entry reporting the same
 * fact); at most `maxEntries` long. Returns the same array when the event is not a log line.
 */
export function appendEvent(log: readonly LogEntry[], event: ConsoleEvent, nextId: number, options = defaultAppendOptions): readonly LogEntry[] {
  const description = describeEvent(event);
  if (description === undefined) return log;
  const observer = description.observed === undefined ? [] : [event.node];
  if (description.mergeKey !== undefined) {
    const position = log.findIndex((entry) => entry.mergeKey === description.mergeKey && event.at - entry.at <= options.mergeWindowMs);
    if (position >= 0) {
      const entry = log[position];
      const observers = entry.observers.includes(event.node) || observer.length === 0 ? entry.observers : [...entry.observers, event.node];
      if (observers === entry.observers) return log;
      const merged = [...log];
      merged[position] = { ...entry, observers };
      return merged;
    }
  }
  const entry: LogEntry = { id: nextId, at: event.at, tone: description.tone, text: description.text, observers: observer, observerStyle: description.observed ?? 'seen', mergeKey: description.mergeKey };
  return [entry, ...log].slice(0, options.maxEntries);
}

/** The line as shown: "n3 is down (seen by n1, n2 and n4)". */
export function entrySentence(entry: LogEntry): string {
  if (entry.observers.length === 0) return `${entry.text}.`;
  if (entry.observerStyle !== 'seen') return `${entry.text} ${entry.observerStyle} ${joinWords(entry.observers)}.`;
  return `${entry.text} (seen by ${joinWords(entry.observers)}).`;
}
