// The Traces page's words: times since a trace began, what came back for a message, what each
// node was to the request, the machine's states and events as a timeline, whether a trace is
// still recording, and the sentence that names a space-time diagram for a screen reader. Pure:
// every value comes in as an argument.

import type { TraceJson, TraceMessage, TraceReply, TraceView } from '../../../core/admin/admin-api.js';
import { formatCount, joinWords, plural } from '../../lib/format.js';

/** Dots a reply shows before it says "+N more". */
const dotsShownMax = 2;

/** Milliseconds since the trace began: "0 ms", "12 ms", "1,204 ms", "0.42 ms" (nodes give whole milliseconds). */
export function formatMs(ms: number): string {
  if (Number.isInteger(ms)) return `${formatCount(ms)} ms`;
  const digits = Math.abs(ms) < 10 ? 2 : 1;
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`;
}

/** A request's duration in a table: "3 ms", or "open" while it waits for its answer. */
export function formatDuration(durationMs: number | null): string {
  return durationMs === null ? 'open' : formatMs(durationMs);
}

/** Epoch milliseconds as local "10:00:05.123". */
export function formatTimeOfDay(at: number): string {
  const date = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** "n1:3, n2:1", at most dotsShownMax of them and "+2 more". */
function dotList(dots: readonly string[]): string {
  const shown = dots.slice(0, dotsShownMax).join(', ');
  return dots.length > dotsShownMax ? `${shown} +${dots.length - dotsShownMax} more` : shown;
}

/** What came back, in a few words: "1 version n1:3", "2 siblings n1:3, n2:1", "not found", "ack", "timeout", "error unreachable". */
export function replyText(reply: TraceReply | null): string {
  if (reply === null) return 'no reply yet';
  switch (reply.kind) {
    case 'version': {
      const live = reply.siblings - reply.deleted;
      const what = live === 0 ? (reply.deleted === 1 ? 'tombstone' : plural(reply.deleted, 'tombstone')) : live === 1 ? '1 version' : `${formatCount(live)} siblings`;
      const tombstones = live > 0 && reply.deleted > 0 ? ` + ${plural(reply.deleted, 'tombstone')}` : '';
      return reply.dots.length === 0 ? `${what}${tombstones}` : `${what}${tombstones} ${dotList(reply.dots)}`;
    }
    case 'not_found':
      return 'not found';
    case 'ack':
      return reply.durable === true ? 'ack, durable' : 'ack';
    case 'answer':
      return `answered ${reply.status}`;
    case 'timeout':
      return 'timeout';
    case 'error':
      return `error ${reply.code}`;
  }
}

/** A message that failed: timed out or answered with an error. */
export function failed(message: TraceMessage): boolean {
  return message.reply?.kind === 'timeout' || message.reply?.kind === 'error';
}

/** What the node was to the request: "primary", "fallback for n2", "future replica", "coordinator" (a forward's target). */
export function roleText(message: TraceMessage): string {
  if (message.kind === 'forward') return 'coordinator';
  if (message.role === 'fallback') return message.hintFor === undefined ? 'fallback' : `fallback for ${message.hintFor}`;
  return message.future === true ? 'future replica' : 'primary';
}

/** "R = 2" for a get, "W = 2" for a put or delete, or undefined when the trace does not say. */
export function quorumName(trace: Pick<TraceJson, 'op' | 'r' | 'w'>): string | undefined {
  const required = trace.op === 'get' ? trace.r : trace.w;
  if (required === null) return undefined;
  return `${trace.op === 'get' ? 'R' : 'W'} = ${required}`;
}

/** The messages that made the quorum, and the moment the last of them arrived (undefined when none did). */
export function quorumMet(trace: Pick<TraceJson, 'messages'>): number | undefined {
  let at: number | undefined;
  for (const message of trace.messages) {
    if (message.quorum && message.answeredAtMs !== null) at = Math.max(at ?? 0, message.answeredAtMs);
  }
  return at;
}

/** Replies still outstanding. */
export function outstanding(trace: Pick<TraceJson, 'messages'>): number {
  return trace.messages.filter((message) => message.reply === null).length;
}

/** The final state both coordinator machines end in (core/coordinator/*.machine.ts). */
const finalState = 'done';

/**
 * Whether a trace can still change: the node keeps a trace open after its answer, so late
 * replies, fallback writes and read repairs land in it. It is settled once answered, every
 * message has its reply and the machine (if it ran one here) is done.
 */
export function settled(trace: Pick<TraceJson, 'answer' | 'messages' | 'states'>): boolean {
  const machineDone = trace.states.length === 0 || trace.states[trace.states.length - 1].state === finalState;
  return trace.answer !== null && machineDone && outstanding(trace) === 0;
}

/** One line of the machine's timeline: a state it entered, or an event it received. */
export interface TimelineEntry {
  kind: 'state' | 'event';
  atMs: number;
  /** The state's name, or the event's type. */
  name: string;
  /** In words: "waiting for the replicas", "reply from n2". */
  text: string;
}

const stateWords: Record<string, string> = {
  coordinating: 'storing the write locally',
  waitingForReplicas: 'waiting for the replicas',
  readRepairing: 'answered; waiting for the last replies to repair stale replicas',
  done: 'done',
};

function eventWords(type: string, node: string | undefined): string {
  const from = node === undefined ? '' : ` from ${node}`;
  switch (type) {
    case 'REPLY':
      return `reply${from}`;
    case 'ACK':
      return `ack${from}`;
    case 'FAILED':
      return node === undefined ? 'a replica failed' : `${node} failed`;
    case 'STORED':
      return 'stored on this node';
    case 'REJECTED':
      return 'the local write was refused';
    case 'TIMEOUT':
      return 'the request timed out';
    case 'xstate.init':
      return 'the machine started';
    default:
      return `${type}${from}`;
  }
}

/**
 * States and events in the order the machine took them. Nodes record whole milliseconds, so
 * several can share a time: the actor's start and its first state come first, then an event
 * before a later state entered in the same millisecond (events move the machine, not the other
 * way round).
 */
export function timeline(trace: Pick<TraceJson, 'states' | 'events'>): TimelineEntry[] {
  const entries: Array<TimelineEntry & { order: number }> = [];
  trace.states.forEach((entry, i) =>
    entries.push({ kind: 'state', atMs: entry.atMs, name: entry.state, text: stateWords[entry.state] ?? entry.state, order: i === 0 ? 0 : 2 }),
  );
  // XState's own init event starts the actor: it comes before the first state.
  for (const event of trace.events) {
    entries.push({ kind: 'event', atMs: event.atMs, name: event.type, text: eventWords(event.type, event.node), order: event.type === 'xstate.init' ? -1 : 1 });
  }
  // Array.prototype.sort is stable: within one kind the recorded order stays.
  entries.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
  return entries.map(({ order: _order, ...entry }) => entry);
}

/** "get traced/read-me". */
export function requestName(trace: Pick<TraceJson, 'op' | 'bucket' | 'key'>): string {
  return `${trace.op} ${trace.bucket}/${trace.key}`;
}

/** How the trace came to be kept, in words. */
export function reasonText(reason: TraceJson['reason']): string {
  return reason === 'requested' ? 'traced on request' : 'sampled';
}

/** The nodes the trace's messages went to, in the order they were first sent to. */
export function nodesMessaged(trace: Pick<TraceJson, 'messages'>): string[] {
  const nodes: string[] = [];
  for (const message of trace.messages) if (!nodes.includes(message.node)) nodes.push(message.node);
  return nodes;
}

/**
 * The accessible name of a trace's space-time diagram: the request, who coordinated it, the
 * messages by kind and to whom, the quorum and the answer, in one sentence.
 */
export function diagramName(trace: TraceView): string {
  const kinds = ['read', 'write', 'forward', 'repair'] as const;
  const byKind = kinds
    .map((kind) => {
      const sent = trace.messages.filter((message) => message.kind === kind);
      if (sent.length === 0) return undefined;
      const to = joinWords(nodesMessaged({ messages: sent }));
      return `${plural(sent.length, kind)} to ${to}`;
    })
    .filter((part): part is string => part !== undefined);
  const fallbacks = trace.messages.filter((message) => message.role === 'fallback');
  const hinted = fallbacks.length === 0 ? '' : `; ${joinWords(fallbacks.map((m) => (m.hintFor === undefined ? `${m.node} as a fallback` : `${m.node} keeps a hint for ${m.hintFor}`)))}`;
  const quorum = trace.messages.filter((message) => message.quorum);
  const name = quorumName(trace);
  const met = quorum.length === 0 ? '' : `; ${plural(quorum.length, 'reply', 'replies')} from ${joinWords(quorum.map((m) => m.node))} made ${name ?? 'the quorum'}`;
  const answer = trace.answer === null ? '; not answered yet' : `; answered ${trace.answer.status} (${trace.answer.summary}) after ${formatMs(trace.answer.atMs)}`;
  const messages = trace.messages.length === 0 ? 'no messages' : `${plural(trace.messages.length, 'message')}: ${byKind.join(', ')}`;
  return `Space-time diagram of ${requestName(trace)} coordinated by ${trace.coordinator}, ${messages}${hinted}${met}${answer}.`;
}

/** A Mantine colour for an answer status, always shown with the status word. */
export function statusColour(status: string | null): string {
  if (status === null) return 'gray';
  if (status === 'ok') return 'green';
  if (status === 'siblings') return 'orange';
  if (status === 'not_found') return 'blue';
  return 'red';
}

/** A Mantine colour for an HTTP status, shown with the status and its summary. */
export function httpColour(status: number): string {
  if (status < 300) return 'green';
  if (status === 300 || status === 404) return 'blue';
  if (status < 500) return 'orange';
  return 'red';
}
