// Client operations on one node (Dynamo §4.5): the glue between the requests and their XState
// machines. Any node coordinates a GET; a PUT is coordinated by a node of the key's preference
// list, which mints the new version against its own replica and sends the result to the others;
// a node outside the preference list forwards the PUT to the first preference-list node that
// answers. The machines (core/coordinator) decide; this file gives them their effects: replica
// reads and writes (replica-rpc.ts), read repairs, one timer per request.
//
// Bounds: at most clientRequestsInFlightMax requests at once (past it: `overloaded`, at once).
// An unexpected failure is `internal` and logged, never disguised as a quorum failure.

import { createActor } from 'xstate';
import type { Clock, TimerHandle } from '../common/clock.js';
import { CodedError } from '../common/coded-error.js';
import type { Log } from '../common/log.js';
import type { NodeId } from '../common/types.js';
import { repairs as repairsOf, type GetResponse } from '../coordinator/get-core.js';
import { getMachine, type GetEvent } from '../coordinator/get.machine.js';
import { putMachine, type PutEvent, type PutInput, type PutResponse, type PutWrite } from '../coordinator/put.machine.js';
import { TransportError, type PeerMessage } from '../net/transport.js';
import type { AnnotatedNode } from '../ring/preference-list.js';
import type { CausalContext } from '../version/causal-context.js';
import type { SiblingSet } from '../version/sibling-set.js';
import type { BackgroundFailures } from './background-failures.js';
import type { KeyPlacement } from './key-placement.js';
import { forwardTimeoutFactor } from './limits.js';
import type { CoordinatePut, PutDone } from './messages.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import type { Replica } from './replica.js';
import type { ReplicaRpc } from './replica-rpc.js';

export type GetOutcome =
  | { kind: 'ok'; state: SiblingSet }
  | { kind: 'quorum'; replies: number; required: number };

export type PutOutcome =
  | { kind: 'ok'; state: SiblingSet; dot: [NodeId, number] }
  | { kind: 'quorum'; acks: number; required: number }
  | { kind: 'error'; code: string; message: string };

export interface PutRequest {
  /** What the client has seen: every sibling it covers is superseded by this write. */
  context: CausalContext;
  value: Uint8Array;
  contentType: string;
  deleted: boolean;
  w?: number;
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
}

type Sender<E> = { send(event: E): void; getSnapshot(): { status: string } };

/** Sends to an actor only while it runs: replies that arrive after it answered are dropped. */
function deliver<E>(actor: Sender<E>, event: E): void {
  if (actor.getSnapshot().status === 'active') actor.send(event);
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

  start(actor: Sender<{ type: 'TIMEOUT' }>, timeoutMs: number): void {
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

  get(bucket: string, key: string, r = this.options.r): Promise<GetOutcome> {
    this.counters.gets++;
    return this.admit(() => this.coordinateGet(bucket, key, r));
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

  private coordinateGet(bucket: string, key: string, r: number): Promise<GetOutcome> {
    const { placement, clock, requestTimeoutMs } = this.options;
    const partition = placement.partitionOf(bucket, key);
    const targets = placement.targets(partition);
    return new Promise((resolve) => {
      const respond = (response: GetResponse) => resolve(response.kind === 'ok' ? { kind: 'ok', state: response.state } : response);
      const timer = new RequestTimer(clock);
      const input = { bucket, key, partition, targets, r, historyMax: this.options.historyMax, timeoutMs: requestTimeoutMs, respond, finish: timer.clear };
      timer.start(createActor(this.getLogic, { input }).start(), requestTimeoutMs);
    });
  }

  private coordinatePut(bucket: string, key: string, request: PutRequest): Promise<PutOutcome> {
    const w = request.w ?? this.options.w;
    const { partition, preference } = this.options.placement.locate(bucket, key);
    if (!preference.includes(this.options.self)) return this.forwardPut(bucket, key, request, w, preference);
    const { targets, counted } = this.options.placement.writeTargets(partition);
    const write: PutWrite = { value: request.value, contentType: request.contentType, deleted: request.deleted };
    const { clock, requestTimeoutMs, self } = this.options;
    return new Promise((resolve) => {
      const respond = (response: PutResponse) => {
        if (response.kind === 'ok') resolve({ kind: 'ok', state: response.state, dot: [self, response.state.vv[self]] });
        else if (response.kind === 'error' && response.code === 'internal') resolve(this.internal(response.message, { bucket, key }));
        else resolve(response);
      };
      const timer = new RequestTimer(clock);
      const input: PutInput = { bucket, key, partition, targets, counted, w, context: request.context, write, timeoutMs: requestTimeoutMs, respond, finish: timer.clear };
      timer.start(createActor(this.putLogic, { input }).start(), requestTimeoutMs);
    });
  }

  /**
   * Forwards a put to the first preference-list node that takes it (up ones first). A node that
   * cannot be reached, or that is itself overloaded or not in the cluster yet, passes the turn to
   * the next; any other failure is a bug somewhere and answers `internal`.
   */
  private async forwardPut(bucket: string, key: string, request: PutRequest, w: number, preference: readonly NodeId[]): Promise<PutOutcome> {
    const { rpc, placement, requestTimeoutMs } = this.options;
    this.counters.forwardedPuts++;
    const message: CoordinatePut = { type: 'coord.put', b: bucket, k: key, ctx: request.context, v: request.value, ct: request.contentType, del: request.deleted, w };
    const isUp = (node: NodeId) => placement.isUp(node);
    const ordered = [...preference.filter(isUp), ...preference.filter((node) => !isUp(node))];
    let lastError: unknown;
    for (const node of ordered) {
      let reply: PeerMessage;
      try {
        reply = await rpc.request(node, message, requestTimeoutMs * forwardTimeoutFactor);
      } catch (error) {
        if (passesTheTurn(error)) {
          lastError = error;
          continue;
        }
        if (error instanceof TransportError && error.code === 'closed') return { kind: 'error', code: 'unavailable', message: 'this node is stopping' };
        // The coordinator may have applied it (it timed out, or the link failed after the
        // request left): sending it to another would make one client write two versions, and
        // the client's next write, with the context we answer, would supersede only one of
        // them. The outcome is unknown, as with any quorum failure.
        if (error instanceof TransportError && error.maybeDelivered) {
          this.options.log.debug({ bucket, key, node, error: describe(error) }, 'a forwarded put may or may not have been applied');
          return { kind: 'quorum', acks: 0, required: w };
        }
        return this.internal(`forwarding to ${node} failed: ${describe(error)}`, { bucket, key, node });
      }
      return this.forwardedOutcome(reply as PutDone, w, { bucket, key, node });
    }
    this.options.log.debug({ bucket, key, error: describe(lastError) }, 'no preference-list node took a forwarded put');
    return { kind: 'quorum', acks: 0, required: w };
  }

  private forwardedOutcome(done: PutDone, w: number, where: Record<string, unknown>): PutOutcome {
    if (done.type !== 'coord.put.done') return this.internal('bad reply from the coordinator', where);
    if (done.outcome === 'ok' && done.rec instanceof Uint8Array) {
      return { kind: 'ok', state: decodeRecord(done.rec), dot: [String(done.node), Number(done.counter)] };
    }
    if (done.outcome === 'quorum') return { kind: 'quorum', acks: Number(done.acks ?? 0), required: w };
    return { kind: 'error', code: String(done.code ?? 'internal'), message: String(done.message ?? '') };
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
          for (const target of request.targets) {
            const node = target.node;
            rpc.read(node, target.hintFor, request).then(
              (state) => deliver<GetEvent>(self, { type: 'REPLY', node, state }),
              () => deliver<GetEvent>(self, { type: 'FAILED', node }),
            );
          }
        },
        sendRepairs: ({ context }) => {
          const request = context.request;
          let encoded: Uint8Array | undefined;
          for (const repair of repairsOf(context.core)) {
            encoded ??= encodeRecord(repair.state);
            counters.readRepairs++;
            const hint = hintOf(request.targets, repair.node);
            rpc.write(repair.node, hint, request, encoded).catch((error: unknown) =>
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
          this.coordinateLocally(context.request).then(
            (stored) => deliver<PutEvent>(self, stored),
            (error: unknown) => deliver<PutEvent>(self, rejected(error)),
          );
        },
        sendWrites: ({ context, self }) => {
          const request = context.request;
          const encoded = context.encoded!;
          const used = new Set<NodeId>();
          for (const target of request.targets) used.add(target.node);
          for (let i = 1; i < request.targets.length; i++) {
            const { node, hintFor } = request.targets[i];
            rpc
              .write(node, hintFor, request, encoded)
              .catch((error: unknown) => rpc.writeToFallback(request, node, hintFor, used, encoded, error))
              .then(
                () => deliver<PutEvent>(self, { type: 'ACK', node }),
                () => deliver<PutEvent>(self, { type: 'FAILED', node }),
              );
          }
        },
      },
    });
  }

  private async coordinateLocally(request: PutInput): Promise<PutEvent> {
    const { result, encoded } = await this.options.replica.coordinate(request.partition, request.bucket, request.key, request.context, this.options.self, {
      value: request.write.value,
      contentType: request.write.contentType,
      deleted: request.write.deleted,
      lastModified: this.options.clock.now(),
    });
    if (!result.ok) return { type: 'REJECTED', code: result.code, message: result.message };
    return { type: 'STORED', state: result.state, encoded: encoded! };
  }
}

/** The hint a target of this request carries, if it is a fallback. */
function hintOf(targets: readonly AnnotatedNode[], node: NodeId): NodeId | undefined {
  for (const target of targets) if (target.node === node) return target.hintFor;
  return undefined;
}

/** A local write that threw: an operating error keeps its code; anything else is `internal`. */
function rejected(error: unknown): PutEvent {
  if (error instanceof CodedError && error.code === 'overloaded') return { type: 'REJECTED', code: 'overloaded', message: error.message };
  return { type: 'REJECTED', code: 'internal', message: describe(error) };
}

/**
 * Failures of a forwarded put after which the next preference-list node is tried: those where
 * the put surely was not applied (it never left this node, or the coordinator refused it).
 */
function passesTheTurn(error: unknown): boolean {
  if (!(error instanceof TransportError)) return false;
  if (error.code === 'overloaded') return true;
  if ((error.code === 'unreachable' || error.code === 'timeout') && !error.maybeDelivered) return true;
  return error.code === 'remote' && (error.remoteCode === 'overloaded' || error.remoteCode === 'unavailable');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
