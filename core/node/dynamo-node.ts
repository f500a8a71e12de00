// DynamoNode: one storage node, composed from named parts, each a file with one job. The same
// class runs as a real process over TCP and LevelDB, and many times over in the deterministic
// simulator (the world — Store, Transport, Clock, Random, Log — is injected).
//
//   key-placement     where a key lives; the targets of a request (primaries, fallbacks, future replicas)
//   coordination      GET/PUT/DELETE: the XState machines' effects, forwarding, the in-flight bound
//   replica-rpc       reads and writes of a replica on a target node, sloppy-quorum fallback
//   replica           this node's data and hints (LevelDB), per-key locks; key-index: keys with siblings, counts
//   key-listing       finding keys and bucket counts across the cluster (GET /v1/admin/keys, /buckets)
//   tracing           traces of sampled (or asking) client requests: state path, messages, answer
//   peer-router       requests from peers, validated and routed
//   failure-detector  local verdicts plus gossiped phi: the node's one `isUp`
//   cluster-membership, transfers, hinted-handoff, anti-entropy, tombstone-reaper: background work
//   admin             the facade the HTTP API, metrics and the console use, and nothing else

import { assert } from '../common/assert.js';
import type { Clock } from '../common/clock.js';
import { historyVersionsDefault, requestTimeoutMsDefault, traceSampleDefault } from '../common/limits.js';
import { silentLog, type Log } from '../common/log.js';
import type { Random } from '../common/random.js';
import type { Member, NodeId } from '../common/types.js';
import { gossipIntervalMsDefault } from '../membership/limits.js';
import type { Transport } from '../net/transport.js';
import type { Store } from '../storage/store.js';
import { NodeAdmin } from './admin.js';
import { AntiEntropy } from './anti-entropy.js';
import { BackgroundFailures } from './background-failures.js';
import { ClusterMembership } from './cluster-membership.js';
import { Coordination, type GetOutcome, type PutOutcome, type PutRequest } from './coordination.js';
import { FailureDetector } from './failure-detector.js';
import { HintedHandoff } from './hinted-handoff.js';
import { KeyListing } from './key-listing.js';
import { KeyPlacement } from './key-placement.js';
import * as limits from './limits.js';
import { logEvent } from './node-log.js';
import { NodeEvents } from './node-events.js';
import { PeerRouter } from './peer-router.js';
import { Replica } from './replica.js';
import { ReplicaRpc } from './replica-rpc.js';
import { TombstoneReaper } from './tombstone-reaper.js';
import { TraceRecorder } from './tracing.js';
import { Transfers } from './transfers.js';

export type { GetOutcome, PutOutcome, PutRequest } from './coordination.js';
export { NotInClusterError } from './key-placement.js';

export interface DynamoNodeOptions {
  id: NodeId;
  store: Store;
  transport: Transport;
  clock: Clock;
  random: Random;
  /** Where the node logs (default: nowhere). */
  log?: Log;
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
  /** Seeds are "host:port" addresses (TCP) rather than node ids (the simulator). */
  seedsAreAddresses?: boolean;
  gossipIntervalMs?: number;
  /** Phi-accrual threshold for judging a silent member down (default 8). */
  phiThreshold?: number;
  requestTimeoutMs?: number;
  /** Sloppy quorum with hinted handoff (default on). */
  hintedHandoff?: boolean;
  /** Whether `admin.isolate` may cut peer traffic (fault injection; off by default). */
  allowFaultInjection?: boolean;
  /** Timings of failure detection and hint delivery (tests shorten them). */
  probeIntervalMs?: number;
  handoffIntervalMs?: number;
  /** Background anti-entropy: one partition exchange per interval (default 10 s). */
  antiEntropyIntervalMs?: number;
  /** Time after a delete before its tombstone may be collected (default one hour). */
  tombstoneGraceMs?: number;
  /** Client requests coordinated at once before `overloaded` (default clientRequestsInFlightMax). */
  clientRequestsInFlightMax?: number;
  /** Superseded versions each key keeps for inspection (default 8; 0 is off; the same on every node). */
  historyVersions?: number;
  /** The fraction of client requests traced, 0 to 1 (default traceSampleDefault, 1%). */
  traceSample?: number;
}

export class DynamoNode {
  readonly id: NodeId;
  readonly n: number;
  readonly r: number;
  readonly w: number;
  /** The facade for operators: the HTTP API, metrics and the console use it and nothing else. */
  readonly admin: NodeAdmin;
  private readonly coordination: Coordination;
  private readonly membership: ClusterMembership;
  private readonly replica: Replica;
  private readonly antiEntropy: AntiEntropy;
  private readonly detector: FailureDetector;
  private readonly router: PeerRouter;
  /** The background services, in the order they start; they stop together. */
  private readonly services: Array<{ start(): void; stop(): Promise<void> }>;
  private readonly transport: Transport;
  private readonly log: Log;
  private unsubscribeLog: (() => void) | undefined;

  constructor(options: DynamoNodeOptions) {
    const { id, store, transport, clock, ringSize, n, r, w } = options;
    assert(n >= 1 && r >= 1 && w >= 1, 'n, r and w are at least 1');
    assert(r <= n && w <= n, `r (${r}) and w (${w}) are at most n (${n})`);
    this.id = id;
    this.n = n;
    this.r = r;
    this.w = w;
    this.transport = transport;
    this.log = options.log ?? silentLog;
    const requestTimeoutMs = options.requestTimeoutMs ?? requestTimeoutMsDefault;
    const gossipIntervalMs = options.gossipIntervalMs ?? gossipIntervalMsDefault;
    const hintedHandoff = options.hintedHandoff ?? true;
    const failures = new BackgroundFailures(this.log);
    const events = new NodeEvents();

    this.membership = new ClusterMembership({
      self: options.self,
      store,
      transport,
      clock,
      random: options.random,
      ringSize,
      n,
      seeds: options.seeds ?? [],
      formed: options.formed,
      gossipIntervalMs,
      phiThreshold: options.phiThreshold,
      requestTimeoutMs,
      seedsAreAddresses: options.seedsAreAddresses ?? true,
      failures,
    });
    this.detector = new FailureDetector({
      self: id,
      membership: this.membership,
      transport,
      clock,
      probeIntervalMs: options.probeIntervalMs ?? limits.probeIntervalMsDefault,
      probeTimeoutMs: requestTimeoutMs,
      failures,
    });
    const isUp = this.detector.isUp;
    const placement = new KeyPlacement({ self: id, membership: this.membership, isUp, hintedHandoff });
    const historyMax = options.historyVersions ?? historyVersionsDefault;
    this.replica = new Replica({ store, hintsPerTargetMax: limits.hintsPerTargetMax, keyLockQueueMax: limits.keyLockQueueMax, historyMax });
    const rpc = new ReplicaRpc({
      self: id,
      replica: this.replica,
      transport,
      detector: this.detector,
      placement,
      hintedHandoff,
      requestTimeoutMs,
      onHintedWrite: () => this.coordination.counters.hintedWrites++,
    });
    const tracing = new TraceRecorder({ self: id, clock, random: options.random, sampleRate: options.traceSample ?? traceSampleDefault });
    this.coordination = new Coordination({
      self: id,
      n,
      r,
      w,
      historyMax,
      clock,
      placement,
      replica: this.replica,
      rpc,
      requestTimeoutMs,
      inFlightMax: options.clientRequestsInFlightMax ?? limits.clientRequestsInFlightMax,
      failures,
      log: this.log,
      tracing,
    });

    const handoff = new HintedHandoff({
      self: id,
      replica: this.replica,
      departed: (node) => this.membership.memberState(node) === undefined,
      replicasOf: (partition) => this.membership.ring()?.preferenceList(partition) ?? [],
      transport,
      detector: this.detector,
      clock,
      intervalMs: options.handoffIntervalMs ?? limits.handoffIntervalMsDefault,
      batchMax: limits.handoffBatchMax,
      inFlightMax: limits.handoffInFlightMax,
      requestTimeoutMs,
      failures,
      events,
    });
    // What the background services over the replica share: this node, its peers, its ring.
    const shared = {
      self: id,
      store,
      replica: this.replica,
      transport,
      clock,
      replicasOf: (partition: number) => this.membership.ring()?.preferenceList(partition) ?? [],
      isUp,
      requestTimeoutMs,
      failures,
      events,
    };
    this.antiEntropy = new AntiEntropy({
      ...shared,
      partitions: () => placement.partitionsWhere((preference) => preference.includes(id)),
      foreground: () => this.coordination.inFlight,
      foregroundMax: limits.antiEntropyForegroundMax,
      intervalMs: options.antiEntropyIntervalMs ?? limits.antiEntropyIntervalMsDefault,
    });
    this.replica.onDataWrite = (partition, dataKey, before, after) => this.antiEntropy.record(partition, dataKey, before, after);
    const graceMs = options.tombstoneGraceMs ?? limits.tombstoneGraceMsDefault;
    const reaper = new TombstoneReaper({
      ...shared,
      partitions: () => placement.partitionsWhere((preference) => preference[0] === id),
      members: () => this.admin.members().map((member) => member.id),
      graceMs,
      intervalMs: limits.reaperIntervalMs(graceMs),
    });
    const transfers = new Transfers({
      self: id,
      membership: this.membership,
      store,
      replica: this.replica,
      transport,
      clock,
      requestTimeoutMs,
      inFlightMax: limits.transfersInFlightMax,
      retryIntervalMs: gossipIntervalMs,
      failures,
      events,
      keysIn: (partition) => this.antiEntropy.keyCount(partition),
    });
    const keys = new KeyListing({ self: id, placement, index: this.replica.index, request: (node, message) => rpc.request(node, message) });
    this.router = new PeerRouter({
      self: id,
      n,
      placement,
      replica: this.replica,
      coordination: this.coordination,
      antiEntropy: this.antiEntropy,
      transfers,
      membership: this.membership,
      keys,
    });
    this.admin = new NodeAdmin({
      id,
      ringSize,
      n,
      r,
      w,
      allowFaultInjection: options.allowFaultInjection ?? false,
      membership: this.membership,
      placement,
      detector: this.detector,
      replica: this.replica,
      coordination: this.coordination,
      handoff,
      transfers,
      antiEntropy: this.antiEntropy,
      reaper,
      transport,
      events,
      failures,
      peerCounters: this.router.counters,
      keys,
      tracing,
    });
    this.membership.onChange(() => {
      transfers.reconcile();
      this.admin.watchMembers();
    });
    this.detector.onProbe(() => this.admin.watchMembers());
    this.services = [this.detector, handoff, this.antiEntropy, reaper, this.membership, transfers];
  }

  async start(): Promise<void> {
    await this.membership.load();
    await this.replica.loadHintCounts();
    // One scan of the data at start builds the anti-entropy trees and counts the keys per bucket
    // (the key index counts the keys with siblings from its own entries, built once if missing).
    await this.replica.index.load();
    await this.antiEntropy.rebuild((dataKey) => this.replica.index.countStored(dataKey));
    this.unsubscribeLog = this.admin.subscribe((event) => logEvent(this.log, event));
    this.admin.watchMembers();
    this.transport.onRequest(this.router.handle);
    for (const service of this.services) service.start();
    this.log.info({ id: this.id, n: this.n, r: this.r, w: this.w, ringSize: this.admin.status().ringSize }, 'node started');
  }

  /**
   * Stops the node: at once, no peer request is answered and no background task starts again
   * (a caller that does not wait, as the simulator's crash does, leaves nothing running on
   * its own); the promise resolves once the work in progress has finished, so the store can close.
   */
  stop(): Promise<void> {
    const answering = this.router.close();
    const services = this.services.map((service) => service.stop());
    return Promise.all([answering, ...services]).then(() => {
      this.unsubscribeLog?.();
      this.log.info({ id: this.id }, 'node stopped');
    });
  }

  /** Reads a key through its quorum (R replies, or the request's r); `trace`: trace it whatever the sample rate. */
  get(bucket: string, key: string, r?: number, trace?: boolean): Promise<GetOutcome> {
    return this.coordination.get(bucket, key, r, trace);
  }

  /** Writes (or deletes) a key with the context the client read; W acks, or the request's w. */
  put(bucket: string, key: string, request: PutRequest): Promise<PutOutcome> {
    return this.coordination.put(bucket, key, request);
  }
}
