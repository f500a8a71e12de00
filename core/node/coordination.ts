// Client operations on one node (Dynamo §4.5): the glue between the requests and their XState
// machines. Any node coordinates a GET; a PUT is coordinated by a node of the key's preference
// list, which mints the new version against its own replica and sends the result to the others;
// a node outside the preference list forwards the PUT (put-forwarding.ts). The machines (core/coordinator) decide; this file gives them their effects: replica
// reads and writes (replica-rpc.ts), read repairs, one timer per request. A request the node
// traces (tracing.ts) carries its RequestTrace in the machine's input and runs in an XState
// actor, whose inspection events the trace records; every other request runs the same machine
// in a MachineRun (XState's transition function without the actor, machine-run.ts). Every place
// below that records into a trace tests `trace !== undefined` first, so a request not traced
// pays one branch.
//
// Durable writes: a put with dw > 0 (a request's `dw`) stores the coordinator's own write with a
// synced write and asks every replica it writes to for one (replica-rpc.ts); the machine answers
// once W acks are in and dw of them are durable (put-core.ts). A put with dw = 0 asks for nothing
// and runs exactly as before: no extra await, field or object on its path.
//
// Bounds: at most clientRequestsInFlightMax requests at once (past it: `overloaded`, at once).
// An unexpected failure is `internal` and logged, never disguised as a quorum failure.

import { createActor } from 'xstate';
import type { Clock, TimerHandle } from '../common/clock.js';
import { CodedError, errorText } from '../common/coded-error.js';
import type { Log } from '../common/log.js';
import type { NodeId } from '../common/types.js';
import { repairs as repairsOf, type GetResponse } from '../coordinator/get-core.js';
import { getMachine, type GetEvent, type GetInput } from '../coordinator/get.machine.js';
import { deliver, MachineRun, type RunRef } from '../coordinator/machine-run.js';
import { putMachine, type PutEvent, type PutInput, type PutResponse, type PutWrite } from '../coordinator/put.machine.js';
import type { AnnotatedNode } from '../ring/preference-list.js';
import type { CausalContext } from '../version/causal-context.js';
import type { SiblingSet } from '../version/sibling-set.js';
import type { BackgroundFailures } from './background-failures.js';
import type { KeyPlacement } from './key-placement.js';
import { forwardTimeoutFactor } from './limits.js';
import { encodeRecord } from './record-codec.js';
import { forwardPut } from './put-forwarding.js';
import type { Replica } from './replica.js';
import type { ReplicaRpc } from './replica-rpc.js';
import { ackReply, stateReply, type RequestTrace, type TraceRecorder, type TraceReply } from './tracing.js';

/** The id of the request's trace, when the node kept one (tracing.ts). */
export interface Traced {
  traceId?: string;
}

export type GetOutcome = ({ kind: 'ok'; state: SiblingSet } | { kind: 'quorum'; replies: number; required: number }) & Traced;

export type PutOutcome = (
  | { kind: 'ok'; state: SiblingSet; dot: [NodeId, number] }
  /** `durable` and `requiredDurable` only when the put asked for durable acks (dw > 0). */
  | { kind: 'quorum'; acks: number; required: number; durable?: number; requiredDurable?: number }
  | { kind: 'error'; code: string; message: string }
) &
  Traced;

export interface PutRequest {
  /** What the client has seen: every sibling it covers is superseded by this write. */
  context: CausalContext;
  value: Uint8Array;
  contentType: string;
  deleted: boolean;
  w?: number;
  /**
   * Acks that must be durable (the replica synced the write to disk first), 0…w; absent or 0:
   * none, and no write is asked to sync. Checked at the edge (HTTP, peer messages).
   */
  dw?: number;
  /** Trace this request whatever the sample rate (X-Dynamo-Trace, or a forwarding node's trace). */
  trace?: boolean;
}

/** The node is coordinating as many client requests as it may; the client should retry shortly. */
export class OverloadedError extends CodedError<'overloaded'> {
  override name = 'OverloadedError';
}

export interface CoordinationCounters {
  gets: number;
  puts: number;
  forwardedPuts: number;
  readRepairs: number;
  hintedWrites: number;
  /** Client requests refused because too many were in flight. */
  overloaded: number;
  /** Client requests that failed unexpectedly (answered `internal`). */
  internalErrors: number;
}

export interface CoordinationOptions {
  self: NodeId;
  n: number;
  r: number;
  w: number;
  /** Superseded versions a state keeps (the node's --history). */
  historyMax: number;
  clock: Clock;
  placement: KeyPlacement;
  replica: Replica;
  rpc: ReplicaRpc;
  requestTimeoutMs: number;
  /** Most client requests at once (limits.ts: clientRequestsInFlightMax). */
  inFlightMax: number;
  failures: BackgroundFailures;
  log: Log;
  tracing: TraceRecorder;
}

/** A machine's input as this node builds it: with the request's trace, or undefined when not traced. */
interface TracedInput {
  trace: RequestTrace | undefined;
}

function traceOf(input: GetInput | PutInput): RequestTrace | undefined {
  return (input as unknown as TracedInput).trace;
}

/**
 * The one timer of a request: raises TIMEOUT in its actor after the request's time-out, unless
 * the actor finished first and cleared it. An actor that finishes synchronously while starting
 * clears it before it is set, so no timer is left behind.
 */
class RequestTimer {
  private handle: TimerHandle | undefined;
  private done = false;

  constructor(private readonly clock: Clock) {}

  readonly clear = (): void => {
    this.done = true;
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  };

  start(actor: RunRef<{ type: 'TIMEOUT' }>, timeoutMs: number): void {
    if (this.done) return;
    this.handle = this.clock.setTimeout(() => {
      this.handle = undefined;
      deliver(actor, { type: 'TIMEOUT' });
    }, timeoutMs);
  }
}

export class Coordination {
  /** Client requests (get, put) this node is coordinating or forwarding now. */
  inFlight = 0;
  readonly counters: CoordinationCounters = {
    gets: 0,
    puts: 0,
    forwardedPuts: 0,
    readRepairs: 0,
    hintedWrites: 0,
    overloaded: 0,
    internalErrors: 0,
  };
  private readonly getLogic;
  private readonly putLogic;

  constructor(private readonly options: CoordinationOptions) {
    this.getLogic = this.provideGet();
    this.putLogic = this.providePut();
  }

  /** `trace`: trace this request whatever the sample rate. */
  get(bucket: string, key: string, r = this.options.r, trace = false): Promise<GetOutcome> {
    this.counters.gets++;
    return this.admit(() => this.coordinateGet(bucket, key, r, trace));
  }

  put(bucket: string, key: string, request: PutRequest): Promise<PutOutcome> {
    this.counters.puts++;
    return this.admit(() => this.coordinatePut(bucket, key, request));
  }

  /** Runs a client request within the in-flight bound; a synchronous throw (no ring yet) rejects. */
  private admit<T>(start: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.options.inFlightMax) {
      this.counters.overloaded++;
      return Promise.reject(new OverloadedError('overloaded', `${this.options.inFlightMax} requests are in flight already`));
    }
    this.inFlight++;
    let running: Promise<T>;
    try {
      running = start();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.finally(() => this.inFlight--);
  }

  private coordinateGet(bucket: string, key: string, r: number, requested: boolean): Promise<GetOutcome> {
    const { placement, clock, requestTimeoutMs, tracing } = this.options;
    const partition = placement.partitionOf(bucket, key);
    const targets = placement.targets(partition);
    const trace = tracing.sampled(requested) ? tracing.begin({ op: 'get', bucket, key, partition, r, requested }) : undefined;
    return new Promise((resolve) => {
      const respond = (response: GetResponse) => {
        const outcome: GetOutcome = response.kind === 'ok' ? { kind: 'ok', state: response.state } : response;
        if (trace !== undefined) {
          trace.answerGet(outcome);
          outcome.traceId = trace.id;
        }
        resolve(outcome);
      };
      const timer = new RequestTimer(clock);
      const input: GetInput & TracedInput = { bucket, key, partition, targets, r, historyMax: this.options.historyMax, timeoutMs: requestTimeoutMs, respond, finish: timer.clear, trace };
      timer.start(trace === undefined ? new MachineRun(this.getLogic, input) : createActor(this.getLogic, { input, inspect: trace.inspect }).start(), requestTimeoutMs);
    });
  }

  private coordinatePut(bucket: string, key: string, request: PutRequest): Promise<PutOutcome> {
    const w = request.w ?? this.options.w;
    const dw = request.dw ?? 0;
    const { partition, preference } = this.options.placement.locate(bucket, key);
    const { clock, requestTimeoutMs, self, tracing } = this.options;
    const requested = request.trace === true;
    const trace = tracing.sampled(requested) ? tracing.begin({ op: request.deleted ? 'delete' : 'put', bucket, key, partition, w, requested }) : undefined;
    if (!preference.includes(self)) {
      this.counters.forwardedPuts++;
      const { rpc, placement, log } = this.options;
      const forwarding = forwardPut(
        { rpc, placement, log, timeoutMs: requestTimeoutMs * forwardTimeoutFactor, internal: (message, fields) => this.internal(message, fields) },
        { bucket, key, request, w, dw, preference, trace },
      );
      return trace === undefined ? forwarding : forwarding.then((outcome) => answeredPut(trace, outcome));
    }
    const { targets, counted } = this.options.placement.writeTargets(partition);
    const write: PutWrite = { value: request.value, contentType: request.contentType, deleted: request.deleted };
    return new Promise((resolve) => {
      const respond = (response: PutResponse) => {
        let outcome: PutOutcome;
        if (response.kind === 'ok') outcome = { kind: 'ok', state: response.state, dot: [self, response.state.vv[self]] };
        else if (response.kind === 'error' && response.code === 'internal') outcome = this.internal(response.message, { bucket, key });
        else outcome = response;
        resolve(trace === undefined ? outcome : answeredPut(trace, outcome));
      };
      const timer = new RequestTimer(clock);
      const input: PutInput & TracedInput = {
        bucket,
        key,
        partition,
        targets,
        counted,
        w,
        dw,
        context: request.context,
        write,
        timeoutMs: requestTimeoutMs,
        respond,
        finish: timer.clear,
        trace,
      };
      timer.start(trace === undefined ? new MachineRun(this.putLogic, input) : createActor(this.putLogic, { input, inspect: trace.inspect }).start(), requestTimeoutMs);
    });
  }

  /** An unexpected failure: counted, logged, answered `internal`. */
  private internal(message: string, fields: Record<string, unknown>): PutOutcome {
    this.counters.internalErrors++;
    this.options.log.error(fields, `put failed: ${message}`);
    return { kind: 'error', code: 'internal', message };
  }

  private provideGet() {
    const { rpc, failures } = this.options;
    const counters = this.counters;
    return getMachine.provide({
      actions: {
        sendReads: ({ context, self }) => {
          const request = context.request;
          const trace = traceOf(request);
          for (const target of request.targets) {
            const node = target.node;
            const reading = rpc.read(node, target.hintFor, request);
            (trace === undefined ? reading : trace.observe(trace.sent('read', target), reading, stateReply)).then(
              (state) => deliver<GetEvent>(self, { type: 'REPLY', node, state }),
              () => deliver<GetEvent>(self, { type: 'FAILED', node }),
            );
          }
        },
        sendRepairs: ({ context }) => {
          const request = context.request;
          const trace = traceOf(request);
          let encoded: Uint8Array | undefined;
          for (const repair of repairsOf(context.core)) {
            encoded ??= encodeRecord(repair.state);
            counters.readRepairs++;
            const target = targetOf(request.targets, repair.node);
            const writing = rpc.write(repair.node, target.hintFor, request, encoded);
            (trace === undefined ? writing : trace.observe(trace.sent('repair', target), writing, ackReply)).catch((error: unknown) =>
              failures.record('read-repair', error, { node: repair.node, bucket: request.bucket, key: request.key }),
            );
          }
        },
      },
    });
  }

  private providePut() {
    const { rpc } = this.options;
    return putMachine.provide({
      actions: {
        coordinateLocally: ({ context, self }) => {
          const trace = traceOf(context.request);
          const storing = this.coordinateLocally(context.request);
          (trace === undefined ? storing : trace.observe(trace.sent('write', context.request.targets[0]), storing, storedReply)).then(
            (stored) => deliver<PutEvent>(self, stored),
            (error: unknown) => deliver<PutEvent>(self, rejected(error)),
          );
        },
        sendWrites: ({ context, self }) => {
          const request = context.request;
          const trace = traceOf(request);
          const encoded = context.encoded!;
          const durable = request.dw > 0;
          const used = new Set<NodeId>();
          for (const target of request.targets) used.add(target.node);
          for (let i = 1; i < request.targets.length; i++) {
            const { node, hintFor } = request.targets[i];
            const writing = rpc.write(node, hintFor, request, encoded, durable);
            (trace === undefined ? writing : trace.observe(trace.sent('write', request.targets[i], i >= request.counted), writing, ackReply))
              .catch((error: unknown) =>
                rpc.writeToFallback(request, node, hintFor, used, encoded, durable, error, trace === undefined ? undefined : fallbackObserver(trace)),
              )
              .then(
                (acked: boolean) => deliver<PutEvent>(self, { type: 'ACK', node, durable: acked }),
                () => deliver<PutEvent>(self, { type: 'FAILED', node }),
              );
          }
        },
      },
    });
  }

  private async coordinateLocally(request: PutInput): Promise<PutEvent> {
    const { replica } = this.options;
    const durable = request.dw > 0;
    const { result, encoded } = await replica.coordinate(
      request.partition,
      request.bucket,
      request.key,
      request.context,
      this.options.self,
      { value: request.write.value, contentType: request.write.contentType, deleted: request.write.deleted, lastModified: this.options.clock.now() },
      durable,
    );
    if (!result.ok) return { type: 'REJECTED', code: result.code, message: result.message };
    // The coordinator's own write is one of the acks, durable when it was synced.
    return { type: 'STORED', state: result.state, encoded: encoded!, durable: durable || replica.syncsEveryWrite };
  }
}

/** The target of this request that is `node` (a primary, when it is none of them). */
function targetOf(targets: readonly AnnotatedNode[], node: NodeId): AnnotatedNode {
  for (const target of targets) if (target.node === node) return target;
  return { node, role: 'primary' };
}

/** Records the answer in the request's trace and names the trace in the outcome. */
function answeredPut(trace: RequestTrace, outcome: PutOutcome): PutOutcome {
  trace.answerPut(outcome);
  outcome.traceId = trace.id;
  return outcome;
}

/** Records a fallback's hinted write, sent after a primary's write failed, in the request's trace. */
function fallbackObserver(trace: RequestTrace) {
  return (fallback: NodeId, primary: NodeId, writing: Promise<boolean>) =>
    trace.observe(trace.sent('write', { node: fallback, role: 'fallback', hintFor: primary }), writing, ackReply);
}

/** The coordinator's own write, as its trace shows it: the new state, or why it was refused. */
function storedReply(event: PutEvent): TraceReply {
  if (event.type === 'STORED') return stateReply(event.state);
  // coordinateLocally answers STORED or REJECTED, nothing else.
  return event.type === 'REJECTED' ? { kind: 'error', code: event.code, message: event.message } : { kind: 'error', code: 'internal', message: event.type };
}

/** A local write that threw: an operating error keeps its code; anything else is `internal`. */
function rejected(error: unknown): PutEvent {
  if (error instanceof CodedError && error.code === 'overloaded') return { type: 'REJECTED', code: 'overloaded', message: error.message };
  return { type: 'REJECTED', code: 'internal', message: errorText(error) };
}

