// DynamoNode: one storage node, wired from the pure parts (ring, versioning, coordinator
// machines) and the injected world (Store, Transport, Clock). The same class runs as a real
// process over TCP and LevelDB, and many times over in the deterministic simulator.
//
// Data path (Dynamo §4.5): any node coordinates a GET (it reads the key's N replicas and
// answers after R); a PUT is coordinated by a node of the key's preference list, which mints
// the new version against its own replica and sends the result to the others (W acks answer).
// A node outside the preference list forwards a PUT to the first preference-list node that
// answers.
//
// Failures (§4.6): requests go to the first N healthy nodes of the key's extended preference
// list (sloppy quorum); a fallback standing in for a down primary keeps the write as a durable
// hint and hands it off when the primary answers again. PeerHealth is the local failure
// detector; `hintedHandoff: false` keeps requests on the primaries alone.

import { createHash } from 'node:crypto';
import { createActor } from 'xstate';
import type { Clock, TimerHandle } from '../common/clock.js';
import { requestTimeoutMsDefault } from '../common/limits.js';
import { CodedError } from '../common/coded-error.js';
import type { Random } from '../common/random.js';
import type { Member, MemberState, NodeId } from '../common/types.js';
import { repairs as repairsOf } from '../coordinator/get-core.js';
import type { GetResponse } from '../coordinator/get-core.js';
import { getMachine } from '../coordinator/get.machine.js';
import type { GetEvent } from '../coordinator/get.machine.js';
import { putMachine } from '../coordinator/put.machine.js';
import type { PutEvent, PutInput, PutResponse, PutWrite } from '../coordinator/put.machine.js';
import type { PeerMessage, Transport } from '../net/transport.js';
import { TransportError } from '../net/transport.js';
import { partitionOfDigest } from '../ring/partitioner.js';
import { annotatedPreferenceList } from '../ring/preference-list.js';
import type { Ring } from '../ring/ring.js';
import type { Store } from '../storage/store.js';
import type { SiblingSet } from '../version/sibling-set.js';
import type { CausalContext } from '../version/causal-context.js';
import { AntiEntropy } from './anti-entropy.js';
import { ClusterMembership } from './cluster-membership.js';
import { Transfers } from './transfers.js';
import { HintedHandoff } from './hinted-handoff.js';
import { TombstoneReaper } from './tombstone-reaper.js';
import { MessageError, validatePeerRequest } from './messages.js';
import type { CoordinatePut, PutDone, ReplicaState } from './messages.js';
import { PeerHealth } from './peer-health.js';
import { decodeRecord, encodeRecord, validateCausalContext } from './record-codec.js';
import { Replica } from './replica.js';

export interface DynamoNodeOptions {
  id: NodeId;
  store: Store;
  transport: Transport;
  clock: Clock;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  /** This node as members see it (addresses, weight). */
  self: Member;
  /** Seed nodes: "host:peerport" over TCP, node ids in the simulator. */
  seeds?: readonly string[];
  /**
   * A cluster formed from a static member list (`cluster start` on a fresh directory): every
   * node starts with the same membership and ring. Ignored once a snapshot is persisted.
   */
  formed?: { cluster: string; members: readonly Member[] };
  random: Random;
  /** Seeds are "host:port" addresses (TCP) rather than node ids (the simulator). */
  seedsAreAddresses?: boolean;
  gossipIntervalMs?: number;
  /** Phi-accrual threshold for judging a silent member down (default 8). */
  phiThreshold?: number;
  requestTimeoutMs?: number;
  /** Sloppy quorum with hinted handoff (default on). */
  hintedHandoff?: boolean;
  /** Timings of failure detection and hint delivery (tests shorten them). */
  probeIntervalMs?: number;
  handoffIntervalMs?: number;
  /** Background anti-entropy: one partition exchange per interval (default 10 s). */
  antiEntropyIntervalMs?: number;
  /** Time after a delete before its tombstone may be collected (default one hour). */
  tombstoneGraceMs?: number;
}

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

export interface NodeCounters {
  gets: number;
  puts: number;
  forwardedPuts: number;
  readRepairs: number;
  hintedWrites: number;
  peerRequests: number;
  peerRequestsRejected: number;
}

/** Most hints a node keeps for one down target; past it, hinted writes are refused (counted). */
export const hintsPerTargetMax = 200_000;
const probeIntervalMsDefault = 500;
const handoffIntervalMsDefault = 250;
const handoffBatchMax = 128;
const handoffInFlightMax = 4;
const antiEntropyIntervalMsDefault = 10_000;
const gossipIntervalMsDefault = 1_000;
const transfersInFlightMax = 2;
const tombstoneGraceMsDefault = 3_600_000;
/** Client requests in flight above which background anti-entropy skips its turn. */
const antiEntropyForegroundMax = 64;

/** A request to a node that knows no ring yet (it has not joined, or not heard from a seed). */
export class NotInClusterError extends CodedError<'unavailable'> {
  override name = 'NotInClusterError';
}

type Sender<E> = { send(event: E): void; getSnapshot(): { status: string } };

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

/** Sends to an actor only while it runs: replies that arrive after it answered are dropped. */
function deliver<E>(actor: Sender<E>, event: E): void {
  if (actor.getSnapshot().status === 'active') actor.send(event);
}

export class DynamoNode {
  readonly id: NodeId;
  readonly ringSize: number;
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly requestTimeoutMs: number;
  readonly counters: NodeCounters = {
    gets: 0,
    puts: 0,
    forwardedPuts: 0,
    readRepairs: 0,
    hintedWrites: 0,
    peerRequests: 0,
    peerRequestsRejected: 0,
  };
  readonly membership: ClusterMembership;
  readonly transfers: Transfers;
  readonly hintedHandoff: boolean;
  readonly replica: Replica;
  readonly health: PeerHealth;
  readonly handoff: HintedHandoff;
  readonly antiEntropy: AntiEntropy;
  readonly reaper: TombstoneReaper;
  /** Client requests (get, put) this node is coordinating or forwarding now. */
  inFlight = 0;
  private readonly store: Store;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly getLogic;
  private readonly putLogic;
  private readonly isUp = (id: NodeId) => id === this.id || (this.health.isUp(id) && this.membership.isUp(id));

  constructor(options: DynamoNodeOptions) {
    this.id = options.id;
    this.ringSize = options.ringSize;
    this.n = options.n;
    this.r = options.r;
    this.w = options.w;
    this.requestTimeoutMs = options.requestTimeoutMs ?? requestTimeoutMsDefault;
    this.store = options.store;
    this.transport = options.transport;
    this.clock = options.clock;
    this.membership = new ClusterMembership({
      self: options.self,
      store: options.store,
      transport: options.transport,
      clock: options.clock,
      random: options.random,
      ringSize: options.ringSize,
      n: options.n,
      seeds: options.seeds ?? [],
      formed: options.formed,
      gossipIntervalMs: options.gossipIntervalMs ?? gossipIntervalMsDefault,
      phiThreshold: options.phiThreshold,
      requestTimeoutMs: this.requestTimeoutMs,
      seedsAreAddresses: options.seedsAreAddresses ?? true,
    });
    this.hintedHandoff = options.hintedHandoff ?? true;
    this.replica = new Replica({ store: options.store, hintsPerTargetMax });
    this.health = new PeerHealth({
      self: this.id,
      transport: this.transport,
      clock: this.clock,
      probeIntervalMs: options.probeIntervalMs ?? probeIntervalMsDefault,
      probeTimeoutMs: this.requestTimeoutMs,
    });
    this.handoff = new HintedHandoff({
      replica: this.replica,
      transport: this.transport,
      health: this.health,
      clock: this.clock,
      intervalMs: options.handoffIntervalMs ?? handoffIntervalMsDefault,
      batchMax: handoffBatchMax,
      inFlightMax: handoffInFlightMax,
      requestTimeoutMs: this.requestTimeoutMs,
    });
    // What the background services share: this node's replica, its peers, its ring.
    const services = {
      self: this.id,
      store: this.store,
      replica: this.replica,
      transport: this.transport,
      clock: this.clock,
      replicasOf: (partition: number) => this.membership.ring()?.preferenceList(partition) ?? [],
      isUp: this.isUp,
      requestTimeoutMs: this.requestTimeoutMs,
    };
    this.antiEntropy = new AntiEntropy({
      ...services,
      partitions: () => this.partitionsWhere((preference) => preference.includes(this.id)),
      foreground: () => this.inFlight,
      foregroundMax: antiEntropyForegroundMax,
      intervalMs: options.antiEntropyIntervalMs ?? antiEntropyIntervalMsDefault,
    });
    this.replica.onDataWrite = (partition, dataKey, before, after) => this.antiEntropy.record(partition, dataKey, before, after);
    const graceMs = options.tombstoneGraceMs ?? tombstoneGraceMsDefault;
    this.reaper = new TombstoneReaper({
      ...services,
      partitions: () => this.partitionsWhere((preference) => preference[0] === this.id),
      graceMs,
      intervalMs: Math.max(1000, Math.min(graceMs, 60_000)),
    });
    this.transfers = new Transfers({
      self: this.id,
      membership: this.membership,
      store: this.store,
      replica: this.replica,
      transport: this.transport,
      clock: this.clock,
      requestTimeoutMs: this.requestTimeoutMs,
      inFlightMax: transfersInFlightMax,
      retryIntervalMs: options.gossipIntervalMs ?? gossipIntervalMsDefault,
    });
    this.health.onChange((id, up) => {
      if (up) this.membership.reportReachable(id);
      else this.membership.reportUnreachable(id);
    });
    this.getLogic = this.provideGet();
    this.putLogic = this.providePut();
  }

  get ring(): Ring {
    const ring = this.membership.ring();
    if (ring === undefined) throw new NotInClusterError('unavailable', `${this.id} has not joined a cluster yet`);
    return ring;
  }

  /** Partitions whose preference list satisfies `test` (none before the node knows a ring). */
  private partitionsWhere(test: (preference: readonly NodeId[]) => boolean): number[] {
    const ring = this.membership.ring();
    if (ring === undefined) return [];
    const out: number[] = [];
    for (let p = 0; p < ring.ringSize; p++) if (test(ring.preferenceList(p))) out.push(p);
    return out;
  }

  /** Members with the state of CONTRACT.md: joining, up, down (this node's verdict), leaving. */
  memberStates(): Array<Member & { state: MemberState }> {
    return this.membership.members().flatMap((member) => {
      const gossiped = this.membership.memberState(member.id);
      if (gossiped === undefined) return [];
      const state: MemberState = member.id !== this.id && !this.health.isUp(member.id) ? 'down' : gossiped;
      return [{ id: member.id, http: member.http, peer: member.peer, weight: member.weight, state }];
    });
  }

  transfersPending(): number {
    return this.membership.ring() === undefined ? 0 : this.transfers.list().pending;
  }

  async start(): Promise<void> {
    await this.membership.load();
    this.membership.onChange(() => this.transfers.reconcile());
    await this.replica.loadHintCounts();
    await this.antiEntropy.rebuild();
    this.transport.onRequest((from, message) => this.handlePeer(from, message));
    this.health.start();
    this.handoff.start();
    this.antiEntropy.start();
    this.reaper.start();
    this.membership.start();
    this.transfers.start();
    this.transfers.reconcile();
  }

  stop(): void {
    this.transfers.stop();
    this.membership.stop();
    this.reaper.stop();
    this.antiEntropy.stop();
    this.handoff.stop();
    this.health.stop();
  }

  /**
   * The nodes a request for `partition` goes to: the first N healthy nodes of the extended
   * preference list, fallbacks tagged with the primary they stand in for; with hinted handoff
   * off, the primaries alone (down ones included: they fail and count against the quorum).
   */
  targetsOf(partition: number): { targets: NodeId[]; hintFor: (NodeId | undefined)[] } {
    if (!this.hintedHandoff) {
      const targets = [...this.ring.preferenceList(partition)];
      return { targets, hintFor: targets.map(() => undefined) };
    }
    const annotated = annotatedPreferenceList(this.ring, partition, this.isUp);
    return { targets: annotated.map((entry) => entry.node), hintFor: annotated.map((entry) => entry.hintFor) };
  }

  /** Where a key lives: its partition and preference list. */
  locate(bucket: string, key: string): { partition: number; preference: readonly NodeId[] } {
    const ring = this.ring;
    const partition = partitionOfDigest(keyDigest(bucket, key), ring.ringSize);
    return { partition, preference: ring.preferenceList(partition) };
  }

  // ── Client operations ───────────────────────────────────────────────────────────────────

  get(bucket: string, key: string, r = this.r): Promise<GetOutcome> {
    this.counters.gets++;
    this.inFlight++;
    return settle(() => this.coordinateGet(bucket, key, r)).finally(() => this.inFlight--);
  }

  private coordinateGet(bucket: string, key: string, r: number): Promise<GetOutcome> {
    const { partition } = this.locate(bucket, key);
    const { targets, hintFor } = this.targetsOf(partition);
    return new Promise((resolve) => {
      const respond = (response: GetResponse) =>
        resolve(response.kind === 'ok' ? { kind: 'ok', state: response.state } : response);
      const timer = new RequestTimer(this.clock);
      const input = { bucket, key, partition, targets, hintFor, r, timeoutMs: this.requestTimeoutMs, respond, finish: timer.clear };
      timer.start(createActor(this.getLogic, { input }).start(), this.requestTimeoutMs);
    });
  }

  put(bucket: string, key: string, request: PutRequest): Promise<PutOutcome> {
    this.counters.puts++;
    this.inFlight++;
    return settle(() => this.coordinatePut(bucket, key, request)).finally(() => this.inFlight--);
  }

  private coordinatePut(bucket: string, key: string, request: PutRequest): Promise<PutOutcome> {
    const w = request.w ?? this.w;
    const { partition, preference } = this.locate(bucket, key);
    if (!preference.includes(this.id)) return this.forwardPut(bucket, key, request, w, preference);
    const chosen = this.targetsOf(partition);
    // During a transfer, the nodes that will replicate the partition get every write too, so
    // nothing written meanwhile is lost (transfers.ts).
    const future = this.membership.futureRing();
    if (future !== undefined && future !== this.membership.ring()) {
      for (const node of future.preferenceList(partition)) {
        if (!chosen.targets.includes(node)) {
          chosen.targets.push(node);
          chosen.hintFor.push(undefined);
        }
      }
    }
    // The coordinator's own replica comes first: it mints the version.
    const targets = [this.id];
    const hintFor: (NodeId | undefined)[] = [undefined];
    for (let i = 0; i < chosen.targets.length; i++) {
      if (chosen.targets[i] === this.id) continue;
      targets.push(chosen.targets[i]);
      hintFor.push(chosen.hintFor[i]);
    }
    const write: PutWrite = { value: request.value, contentType: request.contentType, deleted: request.deleted };
    return this.coordinate({ bucket, key, partition, targets, hintFor, w, context: request.context, write });
  }

  /** Asks this node to join the cluster `seed` (host:peerport) belongs to. */
  join(seed: string): Promise<void> {
    return this.membership.join(seed);
  }

  /** Hands this node's partitions off, then leaves. */
  leave(): Promise<void> {
    return this.membership.leave();
  }

  /** This node's own replica of a key, without quorum or forwarding. */
  async localState(bucket: string, key: string): Promise<SiblingSet | undefined> {
    return this.replica.read(this.locate(bucket, key).partition, bucket, key);
  }

  // ── Coordination ────────────────────────────────────────────────────────────────────────

  private coordinate(request: Omit<PutInput, 'timeoutMs' | 'respond' | 'finish'>): Promise<PutOutcome> {
    return new Promise((resolve) => {
      const respond = (response: PutResponse) => {
        if (response.kind !== 'ok') return resolve(response);
        const counter = response.state.vv[this.id];
        resolve({ kind: 'ok', state: response.state, dot: [this.id, counter] });
      };
      const timer = new RequestTimer(this.clock);
      const input = { ...request, timeoutMs: this.requestTimeoutMs, respond, finish: timer.clear };
      timer.start(createActor(this.putLogic, { input }).start(), this.requestTimeoutMs);
    });
  }

  private async forwardPut(
    bucket: string,
    key: string,
    request: PutRequest,
    w: number,
    preference: readonly NodeId[],
  ): Promise<PutOutcome> {
    this.counters.forwardedPuts++;
    const message: CoordinatePut = {
      type: 'coord.put',
      b: bucket,
      k: key,
      ctx: request.context,
      v: request.value,
      ct: request.contentType,
      del: request.deleted,
      w,
    };
    let acks = 0;
    const ordered = [...preference.filter(this.isUp), ...preference.filter((node) => !this.isUp(node))];
    for (const node of ordered) {
      let reply: PeerMessage;
      try {
        reply = await this.transport.request(node, message, { timeoutMs: this.requestTimeoutMs * 2 });
        this.health.reportSuccess(node);
      } catch (error) {
        this.health.reportFailure(node, error);
        // Try the next preference-list node. A timed-out request may still have been applied;
        // then the retry adds a second version with the same value, a sibling nobody has seen
        // yet, which is what Dynamo accepts to stay writable (§4.4: clients reconcile).
        if (error instanceof TransportError && error.code !== 'remote' && error.code !== 'closed') continue;
        return { kind: 'quorum', acks, required: w };
      }
      const done = reply as PutDone;
      if (done.type !== 'coord.put.done') return { kind: 'error', code: 'internal', message: 'bad reply from coordinator' };
      if (done.outcome === 'ok' && done.rec instanceof Uint8Array) {
        const state = decodeRecord(done.rec);
        return { kind: 'ok', state, dot: [String(done.node), Number(done.counter)] };
      }
      if (done.outcome === 'quorum') {
        acks = Number(done.acks ?? 0);
        return { kind: 'quorum', acks, required: w };
      }
      return { kind: 'error', code: String(done.code ?? 'internal'), message: String(done.message ?? '') };
    }
    return { kind: 'quorum', acks: 0, required: w };
  }

  private provideGet() {
    return getMachine.provide({
      actions: {
        sendReads: ({ context, self }) => {
          const request = context.request;
          for (let i = 0; i < request.targets.length; i++) {
            const node = request.targets[i];
            this.readReplica(node, request.hintFor[i], request.partition, request.bucket, request.key).then(
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
            this.counters.readRepairs++;
            const hint = request.hintFor[request.targets.indexOf(repair.node)];
            this.writeReplica(repair.node, hint, request.partition, request.bucket, request.key, encoded).catch(() => {});
          }
        },
      },
    });
  }

  private providePut() {
    return putMachine.provide({
      actions: {
        coordinateLocally: ({ context, self }) => {
          const request = context.request;
          this.coordinateLocally(request).then(
            (stored) => deliver<PutEvent>(self, stored),
            (error: unknown) =>
              deliver<PutEvent>(self, { type: 'REJECTED', code: 'internal', message: String(error) }),
          );
        },
        sendWrites: ({ context, self }) => {
          const request = context.request;
          const encoded = context.encoded!;
          const used = new Set(request.targets);
          for (let i = 1; i < request.targets.length; i++) {
            const node = request.targets[i];
            this.writeReplica(node, request.hintFor[i], request.partition, request.bucket, request.key, encoded)
              .catch((error: unknown) => this.writeToFallback(request, node, request.hintFor[i], used, encoded, error))
              .then(
                () => deliver<PutEvent>(self, { type: 'ACK', node }),
                () => deliver<PutEvent>(self, { type: 'FAILED', node }),
              );
          }
        },
      },
    });
  }

  // ── Replica operations ──────────────────────────────────────────────────────────────────

  private async readReplica(
    node: NodeId,
    hint: NodeId | undefined,
    partition: number,
    bucket: string,
    key: string,
  ): Promise<SiblingSet | null> {
    if (node === this.id) {
      const bytes = await this.replica.readBytes(partition, bucket, key);
      return bytes === undefined ? null : decodeRecord(bytes);
    }
    const message = hint === undefined ? { type: 'replica.get', b: bucket, k: key } : { type: 'replica.get', b: bucket, k: key, h: hint };
    const reply = (await this.peerRequest(node, message)) as ReplicaState;
    if (reply.type !== 'replica.state') throw new MessageError('bad reply to replica.get');
    return reply.rec === null ? null : decodeRecord(reply.rec);
  }

  private async writeReplica(
    node: NodeId,
    hint: NodeId | undefined,
    partition: number,
    bucket: string,
    key: string,
    encoded: Uint8Array,
  ): Promise<void> {
    if (node === this.id) return this.replica.mergeData(partition, bucket, key, decodeRecord(encoded));
    if (hint !== undefined) this.counters.hintedWrites++;
    const message =
      hint === undefined
        ? { type: 'replica.merge', b: bucket, k: key, rec: encoded }
        : { type: 'replica.merge', b: bucket, k: key, rec: encoded, h: hint };
    const reply = await this.peerRequest(node, message);
    if (reply.type !== 'ack') throw new MessageError('bad reply to replica.merge');
  }

  /**
   * A primary failed a replicated write (§4.6: "if A is temporarily down or unreachable during
   * a write operation then a replica that would normally have lived on A will now be sent to
   * node D"): the write goes to the next healthy node beyond the request's targets, with a hint
   * for the primary; its ack stands for the primary's. Rethrows when there is no such node, when
   * hinted handoff is off, or when the failed target was itself a fallback.
   */
  private async writeToFallback(
    request: PutInput,
    primary: NodeId,
    hint: NodeId | undefined,
    used: Set<NodeId>,
    encoded: Uint8Array,
    error: unknown,
  ): Promise<void> {
    if (!this.hintedHandoff || hint !== undefined) throw error;
    const fallback = this.ring.extendedPreferenceList(request.partition).find((node) => !used.has(node) && this.isUp(node));
    if (fallback === undefined) throw error;
    used.add(fallback);
    await this.writeReplica(fallback, primary, request.partition, request.bucket, request.key, encoded);
  }

  /** A request to a peer that keeps the failure detector informed. */
  private async peerRequest(node: NodeId, message: PeerMessage): Promise<PeerMessage> {
    try {
      const reply = await this.transport.request(node, message, { timeoutMs: this.requestTimeoutMs });
      this.health.reportSuccess(node);
      return reply;
    } catch (error) {
      this.health.reportFailure(node, error);
      throw error;
    }
  }

  private async coordinateLocally(request: PutInput): Promise<PutEvent> {
    const { result, encoded } = await this.replica.coordinate(request.partition, request.bucket, request.key, request.context, this.id, {
      value: request.write.value,
      contentType: request.write.contentType,
      deleted: request.write.deleted,
      lastModified: this.clock.now(),
    });
    if (!result.ok) return { type: 'REJECTED', code: result.code, message: result.message };
    return { type: 'STORED', state: result.state, encoded: encoded! };
  }

  // ── Peer requests ───────────────────────────────────────────────────────────────────────

  private async handlePeer(from: NodeId, message: PeerMessage): Promise<PeerMessage> {
    this.counters.peerRequests++;
    let request;
    try {
      request = validatePeerRequest(message);
    } catch (error) {
      this.counters.peerRequestsRejected++;
      throw error;
    }
    switch (request.type) {
      case 'replica.get': {
        const { partition } = this.locate(request.b, request.k);
        const rec =
          request.h === undefined
            ? await this.replica.readBytes(partition, request.b, request.k)
            : await this.replica.readHint(request.h, partition, request.b, request.k);
        return { type: 'replica.state', rec: rec ?? null } satisfies ReplicaState;
      }
      case 'replica.merge': {
        const { partition } = this.locate(request.b, request.k);
        const incoming = decodeRecord(request.rec);
        if (request.h === undefined || request.h === this.id) await this.replica.mergeData(partition, request.b, request.k, incoming);
        else await this.replica.mergeHint(request.h, partition, request.b, request.k, incoming);
        return { type: 'ack' };
      }
      case 'coord.put': {
        const context = validateCausalContext(request.ctx);
        const outcome = await this.put(request.b, request.k, {
          context,
          value: request.v,
          contentType: request.ct,
          deleted: request.del,
          w: Math.min(request.w, this.n),
        });
        return putDone(outcome);
      }
      case 'replica.reap': {
        const { partition } = this.locate(request.b, request.k);
        return { type: 'reaped', removed: await this.replica.reap(partition, request.b, request.k, request.rec) };
      }
      case 'ping':
        return { type: 'pong' };
      case 'ae.hashes':
      case 'ae.keys':
      case 'ae.fetch':
        return this.antiEntropy.answer(request);
      case 'transfer.batch':
        return this.transfers.receive(request);
      default:
        return this.membership.answer(from, request);
    }
  }
}

/** Runs `start`, turning a synchronous throw (no ring yet) into a rejected promise. */
function settle<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error);
  }
}

function putDone(outcome: PutOutcome): PutDone {
  switch (outcome.kind) {
    case 'ok':
      return {
        type: 'coord.put.done',
        outcome: 'ok',
        rec: encodeRecord(outcome.state),
        node: outcome.dot[0],
        counter: outcome.dot[1],
      };
    case 'quorum':
      return { type: 'coord.put.done', outcome: 'quorum', acks: outcome.acks, required: outcome.required };
    case 'error':
      return { type: 'coord.put.done', outcome: 'error', code: outcome.code, message: outcome.message };
  }
}

const bucketLengthByte = Buffer.alloc(1);

/** md5(len(bucket) || bucket || key): the key's place on the ring (Dynamo §4.2). */
export function keyDigest(bucket: string, key: string): Buffer {
  bucketLengthByte[0] = Buffer.byteLength(bucket);
  return createHash('md5').update(bucketLengthByte).update(bucket).update(key).digest();
}
