// Request traces (CONTRACT.md: the `X-Dynamo-Trace` header, GET /v1/admin/traces): what one
// client request did on the node that coordinated it. A trace holds the request (operation,
// key, partition, quorum), the path of its XState actor (the states it entered and the events it
// received, from XState's inspection API), every replica message it caused (to which node,
// primary or fallback and for whom, when sent and answered, what came back, which replies made
// the R or W quorum), the answer, and the read repairs sent after it.
//
// A node traces a sampled fraction of its requests (--trace-sample, 1% by default) and every
// request that asks. The decision is one call per request (`sampled`), before anything else is
// done for the trace: a request that is not traced allocates nothing here, attaches no
// inspector and formats nothing; coordination.ts tests `trace !== undefined` where it would
// record. Traces live in a ring of tracesKeptMax per node (in memory: a restart forgets them),
// each bounded in messages, events and states, and stay open after the answer so that late
// replies and read repairs land in them.

import type { InspectionEvent } from 'xstate';
import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import { SeededRandom, type Random } from '../common/random.js';
import type { NodeId } from '../common/types.js';
import type { PreferenceRole } from '../ring/preference-list.js';
import { liveSiblings, type SiblingSet } from '../version/sibling-set.js';
import { TransportError } from '../net/transport.js';
import { CodedError, errorText } from '../common/coded-error.js';
import type { TraceAnswer, TraceEvent, TraceJson, TraceMessage, TraceMessageKind, TraceOp, TraceReply, TraceStateEntry, TraceSummary } from '../admin/traces.js';
import { traceDotsMax, traceEventsMax, traceMessagesMax, tracesKeptMax, traceStatesMax } from './limits.js';

export type { TraceAnswer, TraceEvent, TraceJson, TraceMessage, TraceMessageKind, TraceOp, TraceReply, TraceStateEntry, TraceSummary } from '../admin/traces.js';

export interface TraceQuery {
  op?: TraceOp;
  bucket?: string;
  key?: string;
  /** Slowest first (unanswered last); otherwise newest first. */
  slowest: boolean;
  limit: number;
}

export interface TraceHead {
  op: TraceOp;
  bucket: string;
  key: string;
  partition: number;
  r?: number;
  w?: number;
  requested: boolean;
}

/** Where a message went: a target of the request (an AnnotatedNode fits). */
export interface TraceTarget {
  node: NodeId;
  role: PreferenceRole;
  hintFor?: NodeId;
}

const errorMessageCharsMax = 200;
/** A trace id from a peer is ours to show, not to trust: at most this long. */
const traceIdCharsMax = 128;

/** The trace of one request, recorded as it runs. */
export class RequestTrace {
  readonly id: string;
  private readonly startedAt: number;
  private forwardedTo: NodeId | null = null;
  private coordinatorTraceId: string | null = null;
  private readonly states: TraceStateEntry[] = [];
  private readonly events: TraceEvent[] = [];
  private readonly messages: TraceMessage[] = [];
  /**
   * The replicas whose REPLY (get) or ACK (put; STORED is the coordinator's own) the actor
   * received before the answer, in the order it processed them: the first R (or W) of them made
   * the quorum, exactly as the pure core counted them.
   */
  private readonly counted: NodeId[] = [];
  private answer: TraceAnswer | null = null;
  private readonly dropped = { messages: 0, events: 0, states: 0 };

  constructor(
    id: string,
    private readonly clock: Clock,
    private readonly coordinator: NodeId,
    private readonly head: TraceHead,
  ) {
    this.id = id;
    this.startedAt = clock.now();
  }

  /** XState's inspection observer (`createActor(logic, { inspect })`) for this request's actor. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.event') this.received(event.event);
    else if (event.type === '@xstate.microstep' || event.type === '@xstate.snapshot') this.entered((event.snapshot as { value?: unknown }).value);
  };

  /** Records a message sent to `target`; undefined when the trace has no room left for it. */
  sent(kind: TraceMessageKind, target: TraceTarget, future = false): TraceMessage | undefined {
    if (this.messages.length >= traceMessagesMax) {
      this.dropped.messages++;
      return undefined;
    }
    const message: TraceMessage = {
      kind,
      node: target.node,
      role: target.role,
      ...(target.hintFor === undefined ? {} : { hintFor: target.hintFor }),
      ...(future ? { future: true } : {}),
      sentAtMs: this.elapsed(),
      answeredAtMs: null,
      reply: null,
      quorum: false,
    };
    this.messages.push(message);
    return message;
  }

  /** Records how `promise`, the reply to `message`, settles; passes its value or error through. */
  observe<T>(message: TraceMessage | undefined, promise: Promise<T>, reply: (value: T) => TraceReply): Promise<T> {
    if (message === undefined) return promise;
    return promise.then(
      (value) => {
        this.replied(message, reply(value));
        return value;
      },
      (error: unknown) => {
        this.replied(message, errorReply(error));
        throw error;
      },
    );
  }

  /** A put this node forwarded: the node that coordinated it, and that node's trace of it. */
  forwarded(node: NodeId, traceId: unknown): void {
    this.forwardedTo = node;
    this.coordinatorTraceId = typeof traceId === 'string' ? traceId.slice(0, traceIdCharsMax) : null;
  }

  /** The answer to a GET: the merged state, or too few replies. */
  answerGet(outcome: { kind: 'ok'; state: SiblingSet } | { kind: 'quorum'; replies: number; required: number }): void {
    if (outcome.kind === 'quorum') return this.answered('quorum', `${outcome.replies} of ${outcome.required} replies`, false);
    const live = liveSiblings(outcome.state);
    const dots = live.map((sibling) => `${sibling.node}:${sibling.counter}`).join(' ');
    if (live.length === 1) this.answered('ok', `1 version ${dots}`, true);
    else if (live.length > 1) this.answered('siblings', `${live.length} siblings ${dots}`, true);
    else this.answered('not_found', outcome.state.siblings.length > 0 ? 'deleted' : 'not found', true);
  }

  /** The answer to a PUT or DELETE: the new version's dot, too few acks, or an error. */
  answerPut(
    outcome:
      | { kind: 'ok'; dot: [NodeId, number] }
      | { kind: 'quorum'; acks: number; required: number; durable?: number; requiredDurable?: number }
      | { kind: 'error'; code: string; message: string },
  ): void {
    if (outcome.kind === 'ok') this.answered('ok', `stored as ${outcome.dot[0]}:${outcome.dot[1]}`, true);
    else if (outcome.kind === 'quorum') this.answered('quorum', quorumSummary(outcome), false);
    else this.answered(outcome.code, outcome.message.slice(0, errorMessageCharsMax), false);
  }

  matches(query: TraceQuery): boolean {
    const { op, bucket, key } = this.head;
    return (query.op === undefined || query.op === op) && (query.bucket === undefined || query.bucket === bucket) && (query.key === undefined || query.key === key);
  }

  get durationMs(): number | null {
    return this.answer?.atMs ?? null;
  }

  summary(): TraceSummary {
    const { op, bucket, key } = this.head;
    return { id: this.id, op, bucket, key, startedAt: this.startedAt, durationMs: this.durationMs, status: this.answer?.status ?? null, messages: this.messages.length };
  }

  toJSON(): TraceJson {
    const { op, bucket, key, partition, r, w, requested } = this.head;
    return {
      id: this.id,
      op,
      bucket,
      key,
      partition,
      coordinator: this.coordinator,
      forwardedTo: this.forwardedTo,
      coordinatorTraceId: this.coordinatorTraceId,
      r: r ?? null,
      w: w ?? null,
      reason: requested ? 'requested' : 'sampled',
      startedAt: this.startedAt,
      durationMs: this.durationMs,
      states: this.states.map((entry) => ({ ...entry })),
      events: this.events.map((event) => ({ ...event })),
      messages: this.messages.map((message) => ({ ...message })),
      answer: this.answer === null ? null : { ...this.answer },
      dropped: { ...this.dropped },
    };
  }

  private elapsed(): number {
    return this.clock.now() - this.startedAt;
  }

  private replied(message: TraceMessage, reply: TraceReply): void {
    message.answeredAtMs = this.elapsed();
    message.reply = reply;
  }

  /**
   * The answer sent to the client. When it met the quorum, the machine answered on the reply
   * that completed R (or W): the first `required` counted replicas made it. A replica's message
   * is its read or write, or, for a primary whose write failed, the fallback's hinted write that
   * acked for it; a future replica's ack never counts (put-core.ts).
   */
  private answered(status: string, summary: string, metQuorum: boolean): void {
    if (this.answer !== null) return;
    this.answer = { status, summary, atMs: this.elapsed() };
    const required = this.head.op === 'get' ? this.head.r : this.head.w;
    if (!metQuorum || required === undefined) return;
    const kind = this.head.op === 'get' ? 'read' : 'write';
    let marked = 0;
    for (const node of this.counted) {
      if (marked >= required) break;
      const message = this.messages.find((m) => m.kind === kind && m.node === node && isOk(m.reply)) ?? this.messages.find((m) => m.kind === kind && m.hintFor === node && isOk(m.reply));
      if (message === undefined || message.future === true || message.quorum) continue;
      message.quorum = true;
      marked++;
    }
  }

  private received(event: { type: string; node?: unknown }): void {
    const node = event.type === 'STORED' ? this.coordinator : typeof event.node === 'string' ? event.node : undefined;
    if (this.answer === null && node !== undefined && (event.type === 'REPLY' || event.type === 'ACK' || event.type === 'STORED')) {
      if (this.counted.length < traceEventsMax) this.counted.push(node);
    }
    if (this.events.length >= traceEventsMax) {
      this.dropped.events++;
      return;
    }
    const entry: TraceEvent = { type: event.type, atMs: this.elapsed() };
    if (typeof event.node === 'string') entry.node = event.node;
    this.events.push(entry);
  }

  private entered(state: unknown): void {
    if (typeof state !== 'string' || state === this.states.at(-1)?.state) return;
    if (this.states.length >= traceStatesMax) {
      this.dropped.states++;
      return;
    }
    this.states.push({ state, atMs: this.elapsed() });
  }
}

function isOk(reply: TraceReply | null): boolean {
  return reply !== null && (reply.kind === 'version' || reply.kind === 'not_found' || reply.kind === 'ack');
}

/** Why a put missed its quorum: too few acks, or (with dw > 0) too few durable ones. */
function quorumSummary(outcome: { acks: number; required: number; durable?: number; requiredDurable?: number }): string {
  const acks = `${outcome.acks} of ${outcome.required} acks`;
  return outcome.requiredDurable === undefined ? acks : `${acks}, ${outcome.durable ?? 0} of ${outcome.requiredDurable} durable`;
}

/** A replica's state, or none, as a read reply. */
export function stateReply(state: SiblingSet | null): TraceReply {
  if (state === null) return { kind: 'not_found' };
  const { siblings } = state;
  let deleted = 0;
  for (const sibling of siblings) if (sibling.deleted) deleted++;
  const dots = siblings.slice(0, traceDotsMax).map((sibling) => `${sibling.node}:${sibling.counter}`);
  return { kind: 'version', siblings: siblings.length, deleted, dots };
}

/** A replica's ack; `durable` when it said the write is on stable storage (a plain ack carries nothing). */
export function ackReply(durable?: boolean | void): TraceReply {
  return durable === true ? { kind: 'ack', durable: true } : { kind: 'ack' };
}

/** A failed message: a time-out, or an error with its code (the peer's own code for a remote one). */
export function errorReply(error: unknown): TraceReply {
  if (error instanceof TransportError && error.code === 'timeout') return { kind: 'timeout' };
  const message = errorText(error).slice(0, errorMessageCharsMax);
  if (error instanceof TransportError) return { kind: 'error', code: error.remoteCode ?? error.code, message };
  return { kind: 'error', code: error instanceof CodedError ? String(error.code) : 'internal', message };
}

export interface TraceRecorderOptions {
  self: NodeId;
  clock: Clock;
  /** Seeds the recorder's own generator, so that sampling draws nothing from the node's. */
  random: Random;
  /** The fraction of requests traced, 0 to 1 (--trace-sample). */
  sampleRate: number;
}

/** A node's traces: the sampling decision, and the ring of the last tracesKeptMax traces. */
export class TraceRecorder {
  private readonly traces = new Map<string, RequestTrace>();
  private readonly random: SeededRandom;
  private readonly sampleRate: number;
  /** Ids are unique across restarts of the node too: a client holding an old id gets 404, not another trace. */
  private readonly idPrefix: string;
  private sequence = 0;

  constructor(private readonly options: TraceRecorderOptions) {
    const { sampleRate } = options;
    assert(Number.isFinite(sampleRate) && sampleRate >= 0 && sampleRate <= 1, 'the trace sample rate is from 0 to 1');
    this.sampleRate = sampleRate;
    this.random = new SeededRandom(options.random.int(2 ** 32));
    this.idPrefix = `${options.self}-${this.random.int(36 ** 4).toString(36).padStart(4, '0')}-`;
  }

  /** Whether to trace a request: always when asked, otherwise at the sample rate. Allocates nothing. */
  sampled(requested: boolean): boolean {
    return requested || (this.sampleRate > 0 && this.random.next() < this.sampleRate);
  }

  /** Starts the trace of a request `sampled` chose; the oldest trace goes when the ring is full. */
  begin(head: TraceHead): RequestTrace {
    if (this.traces.size >= tracesKeptMax) this.traces.delete(this.traces.keys().next().value!);
    const trace = new RequestTrace(`${this.idPrefix}${++this.sequence}`, this.options.clock, this.options.self, head);
    this.traces.set(trace.id, trace);
    return trace;
  }

  /** Summaries of the kept traces that match, newest (or slowest) first. */
  list(query: TraceQuery): TraceSummary[] {
    const matching: RequestTrace[] = [];
    for (const trace of this.traces.values()) if (trace.matches(query)) matching.push(trace);
    matching.reverse();
    // Stable: equally slow traces stay newest first.
    if (query.slowest) matching.sort((a, b) => (b.durationMs ?? -1) - (a.durationMs ?? -1));
    return matching.slice(0, query.limit).map((trace) => trace.summary());
  }

  /** The whole trace, or undefined once the ring has dropped it (or it never was). */
  get(id: string): TraceJson | undefined {
    return this.traces.get(id)?.toJSON();
  }

  get size(): number {
    return this.traces.size;
  }
}
