// GossipCore: one node's membership (Dynamo paper §4.8). It keeps the membership state
// (membership-state.ts), gossips it (exchange.ts, to the peers gossip-peers.ts picks), judges
// liveness from gossiped heartbeats and the node's own verdicts (liveness.ts), settles the state
// after every change (settle.ts) and offers the node the views it routes and transfers by
// (views.ts). A pure core, in the manner of riak_kv_get_core: it never sends, sleeps or reads a
// clock. How a host drives it is the MembershipDriver interface (driver.ts), which it implements.

import { assert } from '../common/assert.js';
import type { Random } from '../common/random.js';
import type { MemberState, NodeId } from '../common/types.js';
import type { Ring } from '../ring/ring.js';
import type { MembershipDriver } from './driver.js';
import { Exchange, mergedState } from './exchange.js';
import { checkGossipOptions, validWeight, type GossipOptions, type GossipSettings } from './gossip-options.js';
import { isSeed, roundSends, Seeds, resolveSeed, seedSend } from './gossip-peers.js';
import { MembershipError, zeroGossipStats, type GossipSelf, type GossipSend, type GossipStats } from './gossip-types.js';
import type { MembershipResult, MemberView, ReceiveErrorCode, ReceiveResult, Transfer } from './gossip-types.js';
import { memberAddressLengthMax, membersMax, memberWeightMax, settleRoundsMax } from './limits.js';
import { Liveness } from './liveness.js';
import { completeTransfer, emptyMembership, foundCluster, isActiveStatus, isGone, mergeMembers } from './membership-state.js';
import type { MemberRecord, MembershipState, MembershipStatus, OwnershipView, RingState } from './membership-state.js';
import { parseMembershipMessage, parseSnapshot } from './message-parser.js';
import { encodeSnapshot, membershipOk, type Heartbeat, type MembershipSnapshot, type MessageHeader } from './messages.js';
import { settleStep } from './settle.js';
import { memberViews, noPreviousRings, transfersOf, Views, type PreviousRings } from './views.js';

// The module's API from before it was split: its callers import these from here.
export { formedClusterSnapshot, type GossipOptions } from './gossip-options.js';
export type { MembershipDriver } from './driver.js';
export { MembershipError, type GossipSelf, type GossipSend, type GossipStats, type MemberView, type Transfer } from './gossip-types.js';
export type { MembershipErrorCode, MembershipResult, ReceiveErrorCode, ReceiveResult } from './gossip-types.js';

export class GossipCore implements MembershipDriver {
  readonly id: NodeId;
  private self: GossipSelf;
  private readonly ringSize: number;
  private readonly n: number;
  private readonly generation: number;
  private readonly settings: GossipSettings;

  private state: MembershipState = emptyMembership;
  private serialValue = 0;
  private views: Views | undefined;
  /** Rings of an earlier state, reused when their owners did not change. */
  private previousRings: PreviousRings = noPreviousRings;
  private readonly liveness: Liveness;
  private readonly exchange: Exchange;
  private readonly seeds = new Seeds();
  private beat = 0;
  private joinSeed: string | null = null;
  private readonly counters: GossipStats = zeroGossipStats();

  constructor(options: GossipOptions) {
    const { self, ringSize, n, generation, nowMs } = options;
    this.settings = checkGossipOptions(options);
    this.id = self.id;
    this.self = { ...self };
    this.ringSize = ringSize;
    this.n = n;
    this.generation = generation;
    const { phiThreshold, phiWindowSize, phiSampleMsMax, gossipIntervalMs } = this.settings;
    this.liveness = new Liveness({ self: self.id, phiThreshold, phiWindowSize, phiSampleMsMax, gossipIntervalMs });
    this.exchange = new Exchange({
      state: () => this.state,
      views: () => this.currentViews(),
      header: () => this.header(),
      heartbeatOf: (id) => this.heartbeatOf(id),
      liveness: this.liveness,
      mergeIncoming: (cluster, records, ring, at) => this.mergeIncoming(cluster, records, ring, at),
    });
    for (const seed of options.seeds ?? []) this.seeds.add(seed);

    if (options.snapshot !== undefined) {
      const parsed = parseSnapshot(options.snapshot);
      if (!parsed.ok) throw new MembershipError('bad_snapshot', parsed.problem);
      const { cluster, records, ring, joinSeed, seeds } = parsed.value;
      if (ring !== null && (ring.ringSize !== ringSize || ring.n !== n)) {
        throw new MembershipError('wrong_shape', `snapshot ring has Q=${ring.ringSize}, N=${ring.n}; configured Q=${ringSize}, N=${n}`);
      }
      for (const seed of seeds) this.seeds.add(seed);
      this.joinSeed = joinSeed;
      this.setState({ cluster, members: new Map(records.map((record) => [record.id, record])), ring }, nowMs);
      this.normalize(nowMs);
    }
  }

  // Queries and views (documented on MembershipDriver).

  get serial(): number {
    return this.serialValue;
  }

  get cluster(): string | null {
    return this.state.cluster;
  }

  status(): MembershipStatus | undefined {
    return this.state.members.get(this.id)?.status;
  }

  ring(): Ring | undefined {
    return this.currentViews().ring;
  }

  futureRing(): Ring | undefined {
    return this.currentViews().futureRing;
  }

  ownership(): OwnershipView | undefined {
    return this.currentViews().ownership;
  }

  pendingOwner(partition: number): NodeId | undefined {
    return this.currentViews().ownership?.pending[partition] ?? undefined;
  }

  transfers(): Transfer[] {
    return transfersOf(this.currentViews().ownership);
  }

  members(): MemberView[] {
    return memberViews(this.state);
  }

  record(id: NodeId): MemberRecord | undefined {
    return this.state.members.get(id);
  }

  digest(): string {
    const views = this.currentViews();
    return `${this.state.cluster}|${views.membersDigest}|${views.ringDigest}`;
  }

  membershipState(): MembershipState {
    return this.state;
  }

  stats(): GossipStats {
    return { ...this.counters };
  }

  snapshot(): MembershipSnapshot {
    return encodeSnapshot(this.state, this.joinSeed, this.seeds.all());
  }

  // Liveness (liveness.ts).

  memberState(id: NodeId, nowMs: number): MemberState | undefined {
    const status = this.state.members.get(id)?.status;
    if (status === undefined || status === 'left' || status === 'removed') return undefined;
    if (id !== this.id && !this.isUp(id, nowMs)) return 'down';
    return status;
  }

  isUp(id: NodeId, nowMs: number): boolean {
    const status = this.state.members.get(id)?.status;
    if (status === undefined || isGone(status)) return false;
    if (id === this.id) return true;
    return this.liveness.isUp(id, nowMs);
  }

  phi(id: NodeId, nowMs: number): number {
    if (id === this.id) return 0;
    return this.liveness.phi(id, nowMs);
  }

  reportUnreachable(id: NodeId, nowMs: number): void {
    this.liveness.reportUnreachable(id, nowMs);
  }

  reportReachable(id: NodeId, nowMs: number): void {
    this.liveness.reportReachable(id, nowMs);
  }

  locallyDown(): NodeId[] {
    return this.liveness.locallyDown();
  }

  // Admin actions.

  bootstrap(nowMs: number): MembershipResult {
    if (this.isMember()) return { ok: false, code: 'already_member', message: `${this.id} is already a member` };
    if (this.state.cluster !== null) {
      return { ok: false, code: 'has_cluster', message: `${this.id} knows cluster ${this.state.cluster}: join it instead` };
    }
    if (!(this.self.weight > 0)) return { ok: false, code: 'zero_weight', message: 'a cluster needs a founder with weight' };
    const cluster = `${this.id}@${this.generation}.${Math.max(0, Math.floor(nowMs))}`;
    const founder: MemberRecord = { ...this.self, status: 'up', version: 1 };
    this.joinSeed = null;
    this.setState(foundCluster(cluster, founder, this.ringSize, this.n), nowMs);
    return { ok: true };
  }

  join(seed: string, nowMs: number): MembershipResult {
    if (!isSeed(seed)) return { ok: false, code: 'bad_seed', message: 'a seed is a non-empty address or node id' };
    if (this.isMember()) return { ok: false, code: 'already_member', message: `${this.id} is already a member` };
    if (seed === this.id || seed === this.self.peer) return this.bootstrap(nowMs);
    this.seeds.add(seed);
    const known = resolveSeed(this.state.members, seed);
    if (this.state.cluster !== null && known !== undefined) {
      const record = this.state.members.get(this.id);
      if (record === undefined && this.state.members.size >= membersMax) {
        return { ok: false, code: 'members_full', message: `the cluster has ${membersMax} member records` };
      }
      this.joinSeed = seed;
      this.normalize(nowMs);
      return { ok: true };
    }
    // The seed is unknown here: whatever this node observed may be another cluster. Start afresh.
    this.liveness.clear();
    this.joinSeed = seed;
    this.seeds.lastContactMs = Number.NEGATIVE_INFINITY;
    this.setState(emptyMembership, nowMs);
    this.serialValue++; // the pending join itself is persisted
    return { ok: true };
  }

  leave(nowMs: number): MembershipResult {
    const record = this.state.members.get(this.id);
    if (record === undefined || !isActiveStatus(record.status)) {
      return { ok: false, code: 'not_member', message: `${this.id} is not joining or up` };
    }
    if (!this.othersCanOwn(this.id)) {
      return { ok: false, code: 'last_member', message: `${this.id} is the last member with weight: nobody could take its partitions` };
    }
    this.write({ ...record, status: 'leaving', version: record.version + 1 }, nowMs);
    return { ok: true };
  }

  remove(id: NodeId, nowMs: number): MembershipResult {
    if (id === this.id) return { ok: false, code: 'is_self', message: 'a node leaves with leave(), not remove()' };
    const record = this.state.members.get(id);
    if (record === undefined || record.status === 'removed') return { ok: false, code: 'unknown_member', message: `${id} is no member` };
    if (isActiveStatus(record.status) && !this.othersCanOwn(id)) {
      return { ok: false, code: 'last_member', message: `${id} is the last member with weight` };
    }
    this.write({ ...record, status: 'removed', version: record.version + 1 }, nowMs);
    return { ok: true };
  }

  updateSelf(update: Partial<Omit<GossipSelf, 'id'>>, nowMs: number): void {
    const next = { ...this.self, ...update, id: this.id };
    assert(validWeight(next.weight), `updateSelf: weight must be within 0…${memberWeightMax}`);
    assert(Math.max(next.http.length, next.peer.length) <= memberAddressLengthMax, 'updateSelf: address too long');
    this.self = next;
    this.normalize(nowMs);
  }

  completeTransfer(partition: number, to: NodeId, nowMs: number): boolean {
    const next = completeTransfer(this.state, partition, to);
    if (next === undefined) return false;
    this.counters.transfersCompleted++;
    this.setState(next, nowMs);
    this.normalize(nowMs);
    return true;
  }

  // Gossip (gossip-peers.ts picks whom, exchange.ts builds and answers the messages).

  tick(nowMs: number, random: Random): GossipSend[] {
    const own = this.state.members.get(this.id);
    if (own !== undefined && !isGone(own.status)) this.beat++;
    const syn = this.exchange.syn();
    let sends: GossipSend[];
    if (this.joinSeed !== null && this.state.cluster === null) {
      sends = [seedSend(this.state.members, this.joinSeed, syn)];
      this.seeds.lastContactMs = nowMs;
    } else {
      sends = roundSends({
        self: this.self,
        members: this.state.members,
        peers: this.currentViews().peers,
        isUp: (id) => this.isUp(id, nowMs),
        seeds: this.seeds,
        seedGossipIntervalMs: this.settings.seedGossipIntervalMs,
        nowMs,
        random,
        syn,
      });
    }
    this.counters.synsSent += sends.length;
    return sends;
  }

  receive(from: NodeId | undefined, message: unknown, nowMs: number): ReceiveResult {
    const parsed = parseMembershipMessage(message);
    if (!parsed.ok) return this.refuse('bad_message', parsed.problem);
    const m = parsed.value;
    if (m.kind === 'ok') return { ok: true, reply: undefined };
    if (from !== undefined && m.from !== from) return this.refuse('bad_message', `message from ${from} names ${m.from} as its sender`);
    if (m.from === this.id) return this.refuse('bad_message', 'a membership message from this node itself');
    if (m.ringSize !== this.ringSize || m.n !== this.n) {
      return this.refuse('wrong_shape', `sender has Q=${m.ringSize}, N=${m.n}; this node Q=${this.ringSize}, N=${this.n}`);
    }
    if (m.cluster !== null && this.state.cluster !== null && m.cluster !== this.state.cluster) {
      return this.refuse('wrong_cluster', `sender is in cluster ${m.cluster}, this node in ${this.state.cluster}`);
    }
    this.counters.messagesReceived++;
    switch (m.kind) {
      case 'syn':
        return { ok: true, reply: this.exchange.answerSyn(m, nowMs) };
      case 'ack':
        return { ok: true, reply: this.exchange.answerAck(m, nowMs) };
      case 'ack2':
        this.mergeIncoming(m.cluster, m.records, m.ring, nowMs);
        return { ok: true, reply: membershipOk };
    }
  }

  // Internals.

  private refuse(code: ReceiveErrorCode, message: string): ReceiveResult {
    this.counters.messagesRefused++;
    return { ok: false, code, message };
  }

  private isMember(): boolean {
    const status = this.state.members.get(this.id)?.status;
    return status !== undefined && !isGone(status);
  }

  /** Whether a member other than `id` and able to own partitions (joining or up, weight > 0) remains. */
  private othersCanOwn(id: NodeId): boolean {
    for (const record of this.state.members.values()) {
      if (record.id !== id && isActiveStatus(record.status) && record.weight > 0) return true;
    }
    return false;
  }

  private header(): MessageHeader {
    return { from: this.id, cluster: this.state.cluster, ringSize: this.ringSize, n: this.n };
  }

  private heartbeatOf(id: NodeId): Heartbeat {
    if (id === this.id) return { generation: this.generation, beat: this.beat };
    return this.liveness.heartbeat(id);
  }

  /** Merges what a peer sent (exchange.ts, mergedState) and settles; false for a stale message. */
  private mergeIncoming(cluster: string | null, records: readonly MemberRecord[], ring: RingState | null, nowMs: number): boolean {
    const merged = mergedState(this.state, cluster, records, ring);
    if (merged.stale) {
      this.counters.messagesStale++;
      return false;
    }
    this.counters.recordsRefused += merged.recordsRefused;
    if (merged.state === this.state) return true;
    this.setState(merged.state, nowMs);
    this.normalize(nowMs);
    return true;
  }

  /** Writes this node's knowledge of a record (its own, or a force-removal) and settles. */
  private write(record: MemberRecord, nowMs: number): void {
    const merged = mergeMembers(this.state.members, [record], membersMax);
    this.counters.recordsRefused += merged.refused;
    if (merged.members !== this.state.members) this.setState({ ...this.state, members: merged.members }, nowMs);
    this.normalize(nowMs);
  }

  /** Brings the state to its fixed point after any change (settle.ts), one state per step. */
  private normalize(nowMs: number): void {
    for (let round = 0; ; round++) {
      assert(round < settleRoundsMax, 'GossipCore: membership state does not settle');
      const step = settleStep(this.state, this.self, this.joinSeed);
      if (step.claimed) this.counters.claims++;
      this.joinSeed = step.joinSeed;
      this.counters.recordsRefused += step.recordsRefused;
      if (step.state === this.state) return;
      this.setState(step.state, nowMs);
    }
  }

  private setState(next: MembershipState, nowMs: number): void {
    if (next === this.state) return;
    this.state = next;
    this.serialValue++;
    if (this.views !== undefined) this.previousRings = this.views.rings();
    this.views = undefined;
    this.liveness.follow(next.members, nowMs);
  }

  /** The views of the current state, each computed on first use after a change. */
  private currentViews(): Views {
    if (this.views === undefined || this.views.serial !== this.serialValue) {
      this.views = new Views(this.serialValue, this.state, this.id, this.previousRings);
    }
    return this.views;
  }
}
