// The node's admin facade: everything an operator (the HTTP API, /metrics, the console) may ask
// of or do to one node, as plain values. Nothing outside core/node reaches into the node's parts;
// they go through this surface, so the parts can change without the API noticing.

import { CodedError } from '../common/coded-error.js';
import type { Member, MemberState, NodeId } from '../common/types.js';
import type { MembershipStatus } from '../membership/membership-state.js';
import type { Transport, TransportStats } from '../net/transport.js';
import type { RingJson } from '../ring/ring.js';
import type { SiblingSet } from '../version/sibling-set.js';
import type { AntiEntropyRun, HintTarget } from '../admin/events.js';
import type { AntiEntropy, AntiEntropyTarget } from './anti-entropy.js';
import type { BackgroundFailures, BackgroundTask } from './background-failures.js';
import type { ClusterMembership } from './cluster-membership.js';
import type { Coordination, CoordinationCounters } from './coordination.js';
import type { FailureDetector } from './failure-detector.js';
import type { HintedHandoff } from './hinted-handoff.js';
import type { BucketsView, KeyListing, KeyPage, KeyQuery } from './key-listing.js';
import type { KeyPlacement } from './key-placement.js';
import type { NodeEventListener, NodeEvents } from './node-events.js';
import type { PeerCounters } from './peer-router.js';
import type { Replica } from './replica.js';
import type { TombstoneReaper } from './tombstone-reaper.js';
import type { TraceJson, TraceQuery, TraceRecorder, TraceSummary } from './tracing.js';
import type { Transfers, TransferView } from './transfers.js';

/** An admin request the node refuses: a bad argument, or fault injection not enabled. */
export class AdminError extends CodedError<'bad_request' | 'faults_disabled'> {
  override name = 'AdminError';
}

export type MemberStatus = Member & { state: MemberState };

/**
 * Most keys one look at the local key counts scans (GET /v1/admin/partitions): an operator's
 * question must not turn into an unbounded walk of a huge store. Past it the counts are partial
 * and say so.
 */
export const keyCountScanMax = 1_000_000;

/** A member as gossip records it: its status (not this node's liveness verdict) and weight. */
export interface MembershipMember extends Member {
  status: MembershipStatus;
}

/**
 * What a claim starts from (the console computes a join plan from it with the same claim the
 * gossip core runs): the members and where every partition is headed once pending transfers end.
 */
export interface MembershipView {
  ringSize: number;
  n: number;
  members: MembershipMember[];
  /** The owner of each partition once every pending transfer is done; [] before a ring exists. */
  targets: NodeId[];
}

export interface NodeStatus {
  id: NodeId;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  members: MemberStatus[];
  hintsPending: number;
  transfersPending: number;
}

export interface HintsView {
  pending: number;
  byTarget: Record<NodeId, number>;
  /** Per target: its backlog's age and, while it is delivered, the pace (targets delivered to lately stay listed with 0 pending). */
  targets: HintTarget[];
}

/** Every figure /metrics exposes, read when scraped. */
export interface NodeFigures {
  requests: CoordinationCounters & { inFlight: number };
  peer: PeerCounters & { down: number; transport: TransportStats };
  hints: { pending: number; delivered: number; refused: number };
  transfers: { pending: number; completed: number };
  antiEntropy: { exchanges: number; keysRepaired: number; bytesSent: number; skipped: number };
  tombstonesReaped: number;
  keyLockRefusals: number;
  backgroundFailures: Record<BackgroundTask, number>;
}

export interface NodeAdminOptions {
  id: NodeId;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  allowFaultInjection: boolean;
  membership: ClusterMembership;
  placement: KeyPlacement;
  detector: FailureDetector;
  replica: Replica;
  coordination: Coordination;
  handoff: HintedHandoff;
  transfers: Transfers;
  antiEntropy: AntiEntropy;
  reaper: TombstoneReaper;
  transport: Transport;
  events: NodeEvents;
  failures: BackgroundFailures;
  peerCounters: PeerCounters;
  keys: KeyListing;
  tracing: TraceRecorder;
}

export class NodeAdmin {
  private lastStates = new Map<NodeId, MemberState | 'left'>();

  constructor(private readonly options: NodeAdminOptions) {}

  get id(): NodeId {
    return this.options.id;
  }

  status(): NodeStatus {
    const { id, ringSize, n, r, w } = this.options;
    return { id, ringSize, n, r, w, members: this.members(), hintsPending: this.hints().pending, transfersPending: this.transfersPending() };
  }

  /** Members with the state of CONTRACT.md: joining, up, down (this node's verdict), leaving. */
  members(): MemberStatus[] {
    const { membership } = this.options;
    return membership.members().flatMap((member) => {
      const state = membership.memberState(member.id);
      if (state === undefined) return [];
      return [{ id: member.id, http: member.http, peer: member.peer, weight: member.weight, state }];
    });
  }

  /** The ring (`unavailable` before the node has joined one). */
  ring(): RingJson {
    return this.options.placement.ring().toJSON();
  }

  /** The ring once every pending transfer has completed; undefined when none is pending. */
  futureRing(): RingJson | undefined {
    const { membership } = this.options;
    const future = membership.futureRing();
    return future === undefined || future === membership.ring() ? undefined : future.toJSON();
  }

  /** The root hash of this node's Merkle tree of `partition`, in hex (equal on two replicas exactly when they hold the same data). */
  treeRoot(partition: number): string {
    let hex = '';
    for (const byte of this.options.antiEntropy.tree(partition).root()) hex += byte.toString(16).padStart(2, '0');
    return hex;
  }

  /** Where a key lives: its partition and preference list. */
  locate(bucket: string, key: string): { partition: number; preference: NodeId[] } {
    const { partition, preference } = this.options.placement.locate(bucket, key);
    return { partition, preference: [...preference] };
  }

  /** This node's own replica of a key, without quorum or forwarding. */
  localReplica(bucket: string, key: string): Promise<SiblingSet | undefined> {
    return this.options.replica.read(this.options.placement.partitionOf(bucket, key), bucket, key);
  }

  hints(): HintsView {
    const { pending, byTarget } = this.options.replica.hintsPending();
    return { pending, byTarget, targets: this.options.handoff.targets(byTarget) };
  }

  transfers(): { pending: number; partitions: TransferView[] } {
    return this.options.membership.ring() === undefined ? { pending: 0, partitions: [] } : this.options.transfers.list();
  }

  transfersPending(): number {
    return this.transfers().pending;
  }

  /**
   * Runs anti-entropy now on this node's partitions (or `partition` only), with every other
   * replica (or `peer` only); repaired keys are in place when it resolves. AdminError
   * `bad_request` for a peer that is not a member, or a partition this node does not replicate.
   */
  runAntiEntropy(target: AntiEntropyTarget = {}): Promise<AntiEntropyRun> {
    const { peer, partition } = target;
    const { antiEntropy, ringSize, id } = this.options;
    if (peer !== undefined && !this.members().some((member) => member.id === peer)) {
      return Promise.reject(new AdminError('bad_request', 'peer must be the id of a member'));
    }
    if (partition !== undefined) {
      if (!Number.isInteger(partition) || partition < 0 || partition >= ringSize) {
        return Promise.reject(new AdminError('bad_request', `partition must be an integer from 0 to ${ringSize - 1}`));
      }
      const others = antiEntropy.peersOf(partition);
      if (!antiEntropy.replicates(partition)) {
        return Promise.reject(new AdminError('bad_request', `${id} does not replicate partition ${partition}; its replicas are ${others.join(', ')}`));
      }
      if (peer !== undefined && !others.includes(peer)) {
        return Promise.reject(new AdminError('bad_request', `${peer} is not another replica of partition ${partition}; those are ${others.join(', ')}`));
      }
    }
    return antiEntropy.run(target);
  }

  /** The anti-entropy runs this node remembers, manual and background, newest first. */
  antiEntropyRuns(): AntiEntropyRun[] {
    return this.options.antiEntropy.runs();
  }

  /** Asks this node to join the cluster `seed` (host:peerport) belongs to. */
  join(seed: string): Promise<void> {
    return this.options.membership.join(seed);
  }

  /** Hands this node's partitions off, then leaves. */
  leave(): Promise<void> {
    return this.options.membership.leave();
  }

  /** Fault injection: drops all peer traffic between this node and `nodes`; [] heals. */
  isolate(nodes: readonly NodeId[]): void {
    if (!this.options.allowFaultInjection) throw new AdminError('faults_disabled', 'fault injection is not enabled on this node');
    this.options.transport.isolate(nodes);
    this.options.events.emit({ type: 'faults', isolated: [...nodes] });
  }

  isolated(): NodeId[] {
    return this.options.transport.isolated();
  }

  /** Whether POST /v1/admin/faults is allowed on this node. */
  get faultInjectionEnabled(): boolean {
    return this.options.allowFaultInjection;
  }

  /** Members as gossip records them (status and weight) and the ring's targets. */
  membership(): MembershipView {
    const { membership, ringSize, n } = this.options;
    const members = membership.members().map(({ id, http, peer, weight, status }) => ({ id, http, peer, weight, status }));
    const future = membership.futureRing() ?? membership.ring();
    return { ringSize, n, members, targets: future === undefined ? [] : [...future.owners] };
  }

  /** How many keys this node holds per partition (owned or replicated), bounded by keyCountScanMax. */
  async keyCounts(): Promise<{ partitions: Array<{ index: number; keys: number }>; complete: boolean }> {
    const { counts, complete } = await this.options.replica.keyCounts(keyCountScanMax);
    return { partitions: counts.map(([index, keys]) => ({ index, keys })), complete };
  }

  /**
   * One page of keys across the cluster, each key once, filtered by bucket, prefix and siblings;
   * KeyListingError `bad_request` for a bad query or cursor, `unavailable` when no replica of a
   * partition answers.
   */
  listKeys(query: KeyQuery): Promise<KeyPage> {
    return this.options.keys.list(query);
  }

  /** Every bucket with its keys and keys with siblings across the cluster, from the counts the nodes keep. */
  buckets(): Promise<BucketsView> {
    return this.options.keys.buckets();
  }

  /** Summaries of the request traces this node keeps, newest (or slowest) first. */
  traces(query: TraceQuery): TraceSummary[] {
    return this.options.tracing.list(query);
  }

  /** One request trace, or undefined once the node no longer keeps it. */
  trace(id: string): TraceJson | undefined {
    return this.options.tracing.get(id);
  }

  /** Follows this node's events; returns the function that stops following. */
  subscribe(listener: NodeEventListener): () => void {
    return this.options.events.subscribe(listener);
  }

  /** Peers this node judges down (its local verdicts and gossip's). */
  peersDown(): NodeId[] {
    return this.members()
      .filter((member) => member.id !== this.options.id && !this.options.detector.isUp(member.id))
      .map((member) => member.id);
  }

  /** A digest of this node's membership view: equal on two nodes exactly when they agree. */
  membershipDigest(): string {
    return this.options.membership.digest();
  }

  figures(): NodeFigures {
    const o = this.options;
    const hints = this.hints();
    return {
      requests: { ...o.coordination.counters, inFlight: o.coordination.inFlight },
      peer: { ...o.peerCounters, down: this.peersDown().length, transport: o.transport.stats() },
      hints: { pending: hints.pending, delivered: o.handoff.delivered, refused: o.replica.hintsRefused },
      transfers: { pending: this.transfersPending(), completed: o.transfers.completed },
      antiEntropy: { ...o.antiEntropy.totals },
      tombstonesReaped: o.reaper.reaped,
      keyLockRefusals: o.replica.keyLockRefusals,
      backgroundFailures: o.failures.totals(),
    };
  }

  /** Emits a `member` event for every member whose state changed since the last look. */
  watchMembers(): void {
    const seen = new Map<NodeId, MemberState | 'left'>();
    for (const member of this.members()) seen.set(member.id, member.state);
    for (const [id, state] of seen) {
      const previous = this.lastStates.get(id);
      if (previous !== state) this.options.events.emit({ type: 'member', id, state, previous });
    }
    for (const [id, previous] of this.lastStates) {
      if (!seen.has(id)) this.options.events.emit({ type: 'member', id, state: 'left', previous });
    }
    this.lastStates = seen;
  }
}
