// GossipCore: one node's membership (Dynamo paper §4.8): it keeps the membership state
// (membership-state.ts), gossips it, judges liveness from gossiped heartbeats with a phi-accrual
// detector, and offers the node the views it routes and transfers by. A pure core, in the manner
// of riak_kv_get_core: it never sends, sleeps or reads a clock. The node calls it with the time
// and a random source, sends what it returns and feeds it what arrives; the same core then runs
// in a process over TCP and by the hundred in the deterministic simulator.
//
// How the node wires it (one GossipCore per node):
//
//   start     new GossipCore({ self, ringSize, n, seeds, generation, nowMs, snapshot }) with the
//             snapshot it persisted (if any) and a generation larger than any earlier run's: a
//             counter kept in the node's metadata and bumped at each start is best (it travels in
//             every heartbeat; a small number encodes in 1-2 bytes, a time in ms in 9).
//   rounds    every gossipIntervalMs (1 s): for each { to | seed, message } of tick(now, random),
//             transport.request(to, message) (a seed not yet known by id is contacted at its
//             address, with to undefined); on the answer, receive(to, answer, now), and if that
//             returns a reply (an ack2), send it to the same peer as a new request, ignoring its
//             answer (membership.ok). Failed or timed-out gossip needs no call: liveness comes
//             from heartbeats.
//   requests  a peer request whose type isMembershipMessageType: receive(from, message, now);
//             answer with `reply` (an ack to a syn, ok to an ack2), or, when ok is false, fail
//             the request with `code` (bad_message, wrong_cluster, wrong_shape).
//   admin     bootstrap(now) on the first node of a cluster, join(seed, now), leave(now),
//             remove(id, now) for a node that will never come back (no hand-off: its partitions'
//             data then comes from the other replicas, by anti-entropy).
//   after     any call, when `serial` changed: persist snapshot() (records with tombstones, the
//             ring, a pending join, seeds; never heartbeats), rebuild routing from ring() (a new
//             Ring object only when the owners changed), update transport addresses from
//             members(), and start or cancel transfers from transfers().
//   routing   ring() holds the current owners: reads and writes use its preference lists, with
//             isUp(id, now) as the health test of annotatedPreferenceList; during a transfer a
//             write also goes to pendingOwner(partition), so nothing written meanwhile is lost.
//             futureRing() is the ring once every pending transfer has completed (which nodes
//             gain which preference lists).
//   transfers for each { partition, from, to } of transfers() with from === self (even once this
//             node is `left`: a straggler), stream the partition's data to `to`; the receiver
//             acknowledges the last batch only while pendingOwner(partition) is itself in its own
//             view (a node that started leaving refuses), and the sender then calls
//             completeTransfer(partition, to, now). False means the ring moved on meanwhile (a
//             newer claim changed the target): look at transfers() again.
//   liveness  reportUnreachable(id, now) when a data request to id fails (Dynamo's local
//             detection), reportReachable(id, now) when one succeeds; gossip also probes down
//             members and clears the local verdict on an answer. memberState(id, now) is the
//             CONTRACT.md `state` of /v1/status.
//   leaving   after leave(), the node keeps gossiping: once its partitions have moved its status
//             becomes `left`; it should then gossip a little longer (about ten rounds) so that
//             the news spreads, and may stop.

// Peer selection per round (Cassandra's): one random live member; with probability
// down / (live + 1) one member judged down (a probe that lets the local verdict heal); and a
// random seed when no seed was contacted for seedGossipIntervalMs or no member is live, so that
// separately started nodes and logically partitioned rings find each other (§4.8.2).

import { assert } from '../common/assert.js';
import type { Random } from '../common/random.js';
import type { MemberState, NodeId } from '../common/types.js';
import { Ring } from '../ring/ring.js';
import { isValidRingSize } from '../ring/partitioner.js';
import { isValidNodeId } from '../version/vector-clock.js';
import {
  gossipIntervalMsDefault,
  memberAddressLengthMax,
  membersMax,
  memberWeightMax,
  phiSampleIntervalsMax,
  phiThresholdDefault,
  phiWindowSizeDefault,
  phiWindowSizeMax,
  seedGossipIntervalMsDefault,
  seedLengthMax,
  seedsMax,
} from './limits.js';
import { claim } from '../ring/claim.js';
import {
  activeMembers,
  adoptOrphans,
  completeTransfer,
  compareRecords,
  emptyMembership,
  foundCluster,
  isActiveStatus,
  isGone,
  membersDigest,
  mergeMembers,
  mergeRings,
  ownership,
  reclaim,
  ringDigest,
  type MemberRecord,
  type MembershipState,
  type MembershipStatus,
  type OwnershipView,
  type RingState,
} from './membership-state.js';
import {
  encodeRecord,
  encodeRing,
  membershipOk,
  parseMembershipMessage,
  parseSnapshot,
  type AckMessage,
  type Heartbeat,
  type MembershipAck,
  type MembershipAck2,
  type MembershipMessage,
  type MembershipSnapshot,
  type MembershipSyn,
  type SynMessage,
  type WireRecord,
} from './messages.js';
import { PhiAccrualDetector } from './phi-accrual.js';

/**
 * The snapshot of a cluster formed from a static member list (`dynamo cluster start` on a fresh
 * directory): every member `up`, the ring claimed for them and owned as claimed. Every node
 * started from it holds the same state at once (no join, no transfer: the nodes are empty), and
 * gossip carries on from there. `cluster` must be the same on every node and new for each new
 * cluster (e.g. derived from the directory's cluster secret and creation time).
 */
export function formedClusterSnapshot(
  cluster: string,
  members: readonly GossipSelf[],
  ringSize: number,
  n: number,
  seeds: readonly string[] = [],
): MembershipSnapshot {
  assert(members.some((member) => member.weight > 0), 'formedClusterSnapshot: no member with weight');
  assert(new Set(members.map((member) => member.id)).size === members.length, 'formedClusterSnapshot: duplicate ids');
  const records = new Map<NodeId, MemberRecord>();
  for (const m of members) records.set(m.id, { id: m.id, http: m.http, peer: m.peer, weight: m.weight, status: 'up', version: 1 });
  // A fresh claim of the members sorted by id: the same ring whatever order the list came in.
  const claimedFor = activeMembers(records);
  const targets = claim(ringSize, claimedFor, n);
  const ring: RingState = { ringSize, n, plan: { version: 1, claimedFor, targets }, owners: targets, counters: targets.map(() => 1) };
  return {
    format: 1,
    cluster,
    records: [...records.values()].map(encodeRecord),
    ring: encodeRing(ring),
    joinSeed: null,
    seeds: seeds.slice(),
  };
}

/** What a node says about itself in its record. */
export interface GossipSelf {
  id: NodeId;
  http: string;
  peer: string;
  /** Relative share of partitions, >= 0 (1 by default). */
  weight: number;
}

export interface GossipOptions {
  self: GossipSelf;
  /** Q: every node of a cluster has the same; messages of another ring size are refused. */
  ringSize: number;
  /** N: claim spaces owners for it; messages of another N are refused. */
  n: number;
  /** Seeds: node ids or peer addresses ("host:port"), at most seedsMax. */
  seeds?: readonly string[];
  /**
   * Larger than every earlier run's generation of this node, so its heartbeats supersede those of
   * its previous runs: a counter persisted and bumped at each start (or the start time in s).
   */
  generation: number;
  /** The time the core is made, on the caller's clock. */
  nowMs: number;
  /** A snapshot() persisted by an earlier run (checked; a bad one throws MembershipError 'bad_snapshot'). */
  snapshot?: unknown;
  gossipIntervalMs?: number;
  seedGossipIntervalMs?: number;
  phiThreshold?: number;
  phiWindowSize?: number;
  /** Longest heartbeat interval the detector learns from; phiSampleIntervalsMax rounds by default. */
  phiSampleMsMax?: number;
}

/** One gossip request to send: to a member by id, or to a seed by its configured address. */
export interface GossipSend {
  /** The member to send to, when known by id (a seed that is a known member included). */
  to: NodeId | undefined;
  /** A seed not known as a member: its address as configured (or the node id it was given as). */
  seed: string | undefined;
  message: MembershipSyn;
}

export type ReceiveErrorCode = 'bad_message' | 'wrong_cluster' | 'wrong_shape';

export type ReceiveResult =
  | { ok: true; reply: MembershipMessage | undefined }
  | { ok: false; code: ReceiveErrorCode; message: string };

export type MembershipErrorCode =
  | 'already_member' // join or bootstrap on a node that is a member (joining, up or leaving)
  | 'has_cluster' // bootstrap on a node that already knows a cluster
  | 'not_member' // leave on a node that is not joining or up
  | 'last_member' // leave or remove would leave no member with a positive weight
  | 'unknown_member' // remove of an id that is no member (or was removed already)
  | 'is_self' // remove of oneself (use leave)
  | 'members_full' // membersMax records are known
  | 'bad_seed' // an empty or overlong seed
  | 'zero_weight'; // bootstrap with weight 0 (nobody could own the ring)

export type MembershipResult = { ok: true } | { ok: false; code: MembershipErrorCode; message: string };

export class MembershipError extends Error {
  override name = 'MembershipError';
  constructor(
    readonly code: 'bad_snapshot' | 'wrong_shape' | 'bad_options',
    message: string,
  ) {
    super(message);
  }
}

/** A member as the node shows it. */
export interface MemberView {
  id: NodeId;
  http: string;
  peer: string;
  weight: number;
  status: MembershipStatus;
}

export interface Transfer {
  partition: number;
  /** The current owner, which streams the data. */
  from: NodeId;
  /** The pending owner, which receives it. */
  to: NodeId;
}

export interface GossipStats {
  /** Gossip requests returned by tick. */
  synsSent: number;
  /** Membership messages accepted. */
  messagesReceived: number;
  /** Messages refused (malformed, another cluster or ring shape). */
  messagesRefused: number;
  /** New member records refused at membersMax. */
  recordsRefused: number;
  /** Claims this node computed (each bumps the plan version). */
  claims: number;
  /** completeTransfer calls accepted here. */
  transfersCompleted: number;
  /** Messages ignored whole because their ring named members neither side had a record of. */
  messagesStale: number;
}

interface Liveness {
  heartbeat: Heartbeat;
  detector: PhiAccrualDetector;
  localDown: boolean;
}

const noHeartbeat: Heartbeat = Object.freeze({ generation: 0, beat: 0 });

/** Record sets of recent syns kept to answer acks: a few rounds' worth. */
const synMembersKept = 4;

function fresher(a: Heartbeat, b: Heartbeat): boolean {
  return a.generation > b.generation || (a.generation === b.generation && a.beat > b.beat);
}

/** Whether every node a ring names (claimed, target or owner) has a record in `members`. */
function namesOnlyKnown(ring: RingState, members: ReadonlyMap<NodeId, MemberRecord>): boolean {
  for (const member of ring.plan.claimedFor) if (!members.has(member.id)) return false;
  for (let p = 0; p < ring.ringSize; p++) {
    if (!members.has(ring.owners[p]) || !members.has(ring.plan.targets[p])) return false;
  }
  return true;
}

function validWeight(weight: number): boolean {
  return typeof weight === 'number' && Number.isFinite(weight) && weight >= 0 && weight <= memberWeightMax;
}

function isSeed(seed: unknown): seed is string {
  return typeof seed === 'string' && seed.length > 0 && seed.length <= seedLengthMax;
}

export class GossipCore {
  readonly id: NodeId;
  private self: GossipSelf;
  private readonly ringSize: number;
  private readonly n: number;
  private readonly generation: number;
  private readonly gossipIntervalMs: number;
  private readonly seedGossipIntervalMs: number;
  private readonly phiThreshold: number;
  private readonly phiWindowSize: number;
  private readonly phiSampleMsMax: number;

  private state: MembershipState = emptyMembership;
  private serialValue = 0;
  private views: Views | undefined;
  /** Rings of an earlier state, reused when their owners did not change. */
  private previousRings: PreviousRings = { ring: null, futureRing: null };
  private readonly liveness = new Map<NodeId, Liveness>();
  /** The record sets of the last syns, by digest (see answerAck). */
  private readonly synMembers = new Map<number, ReadonlyMap<NodeId, MemberRecord>>();
  private beat = 0;
  private joinSeed: string | null = null;
  private seeds: string[] = [];
  private lastSeedMs = Number.NEGATIVE_INFINITY;
  private readonly counters: GossipStats = {
    synsSent: 0,
    messagesReceived: 0,
    messagesRefused: 0,
    recordsRefused: 0,
    claims: 0,
    transfersCompleted: 0,
    messagesStale: 0,
  };

  constructor(options: GossipOptions) {
    const { self, ringSize, n, generation, nowMs } = options;
    const check = (ok: boolean, text: string) => {
      if (!ok) throw new MembershipError('bad_options', text);
    };
    // What peers would refuse in this node's record is refused here, at start.
    check(isValidNodeId(self.id), 'GossipCore: self.id is not a valid node id');
    check(
      typeof self.http === 'string' && typeof self.peer === 'string' && Math.max(self.http.length, self.peer.length) <= memberAddressLengthMax,
      `GossipCore: self.http and self.peer must be strings of at most ${memberAddressLengthMax} characters`,
    );
    check(validWeight(self.weight), `GossipCore: self.weight must be within 0…${memberWeightMax}`);
    check(isValidRingSize(ringSize), `GossipCore: invalid ring size ${ringSize}`);
    check(Number.isInteger(n) && n >= 1, `GossipCore: bad n ${n}`);
    check(Number.isSafeInteger(generation) && generation >= 0, 'GossipCore: generation must be a safe integer >= 0');
    this.id = self.id;
    this.self = { ...self };
    this.ringSize = ringSize;
    this.n = n;
    this.generation = generation;
    this.gossipIntervalMs = options.gossipIntervalMs ?? gossipIntervalMsDefault;
    this.seedGossipIntervalMs = options.seedGossipIntervalMs ?? seedGossipIntervalMsDefault;
    this.phiThreshold = options.phiThreshold ?? phiThresholdDefault;
    this.phiWindowSize = options.phiWindowSize ?? phiWindowSizeDefault;
    this.phiSampleMsMax = options.phiSampleMsMax ?? phiSampleIntervalsMax * this.gossipIntervalMs;
    check(this.gossipIntervalMs > 0 && this.seedGossipIntervalMs > 0, 'GossipCore: intervals must be positive');
    check(this.phiThreshold > 0, 'GossipCore: phiThreshold must be positive');
    check(
      Number.isInteger(this.phiWindowSize) && this.phiWindowSize >= 1 && this.phiWindowSize <= phiWindowSizeMax,
      `GossipCore: phiWindowSize must be 1…${phiWindowSizeMax}`,
    );
    check(this.phiSampleMsMax >= this.gossipIntervalMs, 'GossipCore: phiSampleMsMax must be at least the gossip interval');
    for (const seed of options.seeds ?? []) this.addSeed(seed);

    if (options.snapshot !== undefined) {
      const parsed = parseSnapshot(options.snapshot);
      if (!parsed.ok) throw new MembershipError('bad_snapshot', parsed.problem);
      const { cluster, records, ring, joinSeed, seeds } = parsed.value;
      if (ring !== null && (ring.ringSize !== ringSize || ring.n !== n)) {
        throw new MembershipError('wrong_shape', `snapshot ring has Q=${ring.ringSize}, N=${ring.n}; configured Q=${ringSize}, N=${n}`);
      }
      for (const seed of seeds) this.addSeed(seed);
      this.joinSeed = joinSeed;
      this.setState({ cluster, members: new Map(records.map((record) => [record.id, record])), ring }, nowMs);
      this.normalize(nowMs);
    }
  }

  // Views.

  /** Grows whenever members or the ring change (never for heartbeats): persist and re-route then. */
  get serial(): number {
    return this.serialValue;
  }

  /** The cluster's id, or null before the node learns one. */
  get cluster(): string | null {
    return this.state.cluster;
  }

  /** This node's own status (`left` and `removed` included), or undefined when it never joined. */
  status(): MembershipStatus | undefined {
    return this.state.members.get(this.id)?.status;
  }

  /** The routing ring: current owners (undefined until the node knows a cluster). */
  ring(): Ring | undefined {
    return this.currentViews().ring;
  }

  /** The ring once every pending transfer has completed. */
  futureRing(): Ring | undefined {
    return this.currentViews().futureRing;
  }

  /** Current owners and pending owners by partition, without building a Ring. */
  ownership(): OwnershipView | undefined {
    return this.currentViews().ownership;
  }

  /** The node partition `partition` is being transferred to, if any. */
  pendingOwner(partition: number): NodeId | undefined {
    return this.currentViews().ownership?.pending[partition] ?? undefined;
  }

  /** Every transfer the ring implies, by partition. */
  transfers(): Transfer[] {
    const view = this.currentViews().ownership;
    const transfers: Transfer[] = [];
    if (view === undefined) return transfers;
    for (let p = 0; p < view.owners.length; p++) {
      const to = view.pending[p];
      if (to !== null) transfers.push({ partition: p, from: view.owners[p], to });
    }
    return transfers;
  }

  /** Members (neither left nor removed), sorted by id: the `members` of /v1/status. */
  members(): MemberView[] {
    const list: MemberView[] = [];
    for (const record of this.state.members.values()) {
      if (isGone(record.status)) continue;
      const { id, http, peer, weight, status } = record;
      list.push({ id, http, peer, weight, status });
    }
    return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The record of `id`, tombstones included. */
  record(id: NodeId): MemberRecord | undefined {
    return this.state.members.get(id);
  }

  /**
   * A short fingerprint of the whole state (cluster, records, ring): two nodes with equal
   * digests agree on membership and ring (up to a 2^-53 chance), as every node does once gossip
   * has converged. For tests and the console.
   */
  digest(): string {
    const views = this.currentViews();
    return `${this.state.cluster}|${views.membersDigest}|${views.ringDigest}`;
  }

  /** The whole membership state (immutable). */
  membershipState(): MembershipState {
    return this.state;
  }

  /**
   * The state the node reports for `id` (CONTRACT.md `state`): `down` when its phi exceeds the
   * threshold or the node's own requests to it fail, else its gossiped status; undefined for a
   * node that is no member (unknown, left or removed). This node itself is never `down`.
   */
  memberState(id: NodeId, nowMs: number): MemberState | undefined {
    const status = this.state.members.get(id)?.status;
    if (status === undefined || status === 'left' || status === 'removed') return undefined;
    if (id !== this.id && !this.isUp(id, nowMs)) return 'down';
    return status;
  }

  /** Whether `id` counts as up for routing: a member, its phi within the threshold, and not failing locally. */
  isUp(id: NodeId, nowMs: number): boolean {
    const status = this.state.members.get(id)?.status;
    if (status === undefined || isGone(status)) return false;
    if (id === this.id) return true;
    const live = this.liveness.get(id);
    return live !== undefined && !live.localDown && live.detector.phi(nowMs) <= this.phiThreshold;
  }

  /** The phi of `id` now (0 for this node; Infinity for no member). */
  phi(id: NodeId, nowMs: number): number {
    if (id === this.id) return 0;
    return this.liveness.get(id)?.detector.phi(nowMs) ?? Number.POSITIVE_INFINITY;
  }

  /** The node's own failure detection: a request to `id` failed. `id` counts as down until it answers. */
  reportUnreachable(id: NodeId, _nowMs: number): void {
    const live = this.liveness.get(id);
    if (live !== undefined) live.localDown = true;
  }

  /** A request to `id` succeeded. */
  reportReachable(id: NodeId, _nowMs: number): void {
    const live = this.liveness.get(id);
    if (live !== undefined) live.localDown = false;
  }

  stats(): GossipStats {
    return { ...this.counters };
  }

  /** What to persist (plain JSON-safe data): members with tombstones, the ring, a pending join, seeds. */
  snapshot(): MembershipSnapshot {
    return {
      format: 1,
      cluster: this.state.cluster,
      records: [...this.state.members.values()].map(encodeRecord),
      ring: this.state.ring === null ? null : encodeRing(this.state.ring),
      joinSeed: this.joinSeed,
      seeds: this.seeds.slice(),
    };
  }

  // Admin actions.

  /** Founds a new cluster of this node alone, owning every partition (the first node of a cluster). */
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

  /**
   * Joins the cluster `seed` belongs to (a node id or peer address; this node's own founds a new
   * cluster). With the seed a known member, the node adds itself as `joining` now; otherwise it
   * forgets what it observed and joins the first cluster it hears of from the seed, which the
   * next ticks contact.
   */
  join(seed: string, nowMs: number): MembershipResult {
    if (!isSeed(seed)) return { ok: false, code: 'bad_seed', message: 'a seed is a non-empty address or node id' };
    if (this.isMember()) return { ok: false, code: 'already_member', message: `${this.id} is already a member` };
    if (seed === this.id || seed === this.self.peer) return this.bootstrap(nowMs);
    this.addSeed(seed);
    const known = this.resolveSeed(seed);
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
    this.lastSeedMs = Number.NEGATIVE_INFINITY;
    this.setState(emptyMembership, nowMs);
    this.serialValue++; // the pending join itself is persisted
    return { ok: true };
  }

  /** Starts handing this node's partitions off; it becomes `left` once they have all moved. */
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

  /**
   * Force-removes a member that will not come back (an admin's decision, as Riak's
   * force-remove): it becomes `left` at once, and its partitions go to their new targets without
   * a transfer (their data then comes from the other replicas, by anti-entropy).
   */
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

  /** Changes this node's addresses or weight (a restart on other ports, a re-weighting). */
  updateSelf(update: Partial<Omit<GossipSelf, 'id'>>, nowMs: number): void {
    const next = { ...this.self, ...update, id: this.id };
    assert(validWeight(next.weight), `updateSelf: weight must be within 0…${memberWeightMax}`);
    assert(Math.max(next.http.length, next.peer.length) <= memberAddressLengthMax, 'updateSelf: address too long');
    this.self = next;
    this.normalize(nowMs);
  }

  /**
   * Partition `partition` has arrived at `to` (its pending owner): ownership moves to `to`.
   * Returns false when `to` is not the pending owner any more (a newer claim changed the
   * target, or the transfer was already completed); the ring is then unchanged.
   */
  completeTransfer(partition: number, to: NodeId, nowMs: number): boolean {
    const next = completeTransfer(this.state, partition, to);
    if (next === undefined) return false;
    this.counters.transfersCompleted++;
    this.setState(next, nowMs);
    this.normalize(nowMs);
    return true;
  }

  // Gossip.

  /**
   * One gossip round at `nowMs`: beats this node's heartbeat and returns the syns to send (0 to
   * 3: a live member, maybe a down one, maybe a seed). Call it every gossipIntervalMs.
   */
  tick(nowMs: number, random: Random): GossipSend[] {
    const own = this.state.members.get(this.id);
    if (own !== undefined && !isGone(own.status)) this.beat++;
    const syn = this.buildSyn();
    const sends: GossipSend[] = [];
    if (this.joinSeed !== null && this.state.cluster === null) {
      sends.push(this.seedSend(this.joinSeed, syn));
      this.lastSeedMs = nowMs;
      this.counters.synsSent += sends.length;
      return sends;
    }
    const live: NodeId[] = [];
    const down: NodeId[] = [];
    for (const id of this.currentViews().peers) (this.isUp(id, nowMs) ? live : down).push(id);
    const chosen = new Set<NodeId>();
    if (live.length > 0) chosen.add(live[random.int(live.length)]);
    if (down.length > 0 && random.next() < down.length / (live.length + 1)) chosen.add(down[random.int(down.length)]);
    let seedContacted = false;
    for (const id of chosen) {
      sends.push({ to: id, seed: undefined, message: syn });
      if (this.isSeedMember(id)) seedContacted = true;
    }
    if (!seedContacted && (live.length === 0 || nowMs - this.lastSeedMs >= this.seedGossipIntervalMs)) {
      const candidates = this.seeds.filter((seed) => {
        const id = this.resolveSeed(seed);
        return seed !== this.id && seed !== this.self.peer && id !== this.id && (id === undefined || !chosen.has(id));
      });
      if (candidates.length > 0) {
        sends.push(this.seedSend(candidates[random.int(candidates.length)], syn));
        seedContacted = true;
      }
    }
    if (seedContacted) this.lastSeedMs = nowMs;
    this.counters.synsSent += sends.length;
    return sends;
  }

  /**
   * Handles a membership message from a peer: a syn (answer: an ack), an ack to this node's syn
   * (answer: an ack2 to send as a new request, or undefined), an ack2 (answer: ok) or an ok
   * (nothing). `from` is the sender as the transport knows it (undefined for a seed contacted by
   * address); it must match the message's. Malformed input, and messages of another cluster or
   * ring shape, are refused with a code and never touch the state.
   */
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
        return { ok: true, reply: this.answerSyn(m, nowMs) };
      case 'ack':
        return { ok: true, reply: this.answerAck(m, nowMs) };
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

  private addSeed(seed: string): void {
    if (!isSeed(seed) || this.seeds.includes(seed)) return;
    if (this.seeds.length >= seedsMax) return;
    this.seeds.push(seed);
  }

  /** The member a seed names (by id or peer address), if known and not left. */
  private resolveSeed(seed: string): NodeId | undefined {
    const byId = this.state.members.get(seed);
    if (byId !== undefined) return isGone(byId.status) ? undefined : byId.id;
    for (const record of this.state.members.values()) {
      if (record.peer === seed && !isGone(record.status)) return record.id;
    }
    return undefined;
  }

  private isSeedMember(id: NodeId): boolean {
    const record = this.state.members.get(id);
    return this.seeds.some((seed) => seed === id || (record !== undefined && seed === record.peer));
  }

  private seedSend(seed: string, message: MembershipSyn): GossipSend {
    const id = this.resolveSeed(seed);
    return id !== undefined ? { to: id, seed: undefined, message } : { to: undefined, seed, message };
  }

  private header(): { from: NodeId; cluster: string | null; ringSize: number; n: number } {
    return { from: this.id, cluster: this.state.cluster, ringSize: this.ringSize, n: this.n };
  }

  private heartbeatOf(id: NodeId): Heartbeat {
    if (id === this.id) return { generation: this.generation, beat: this.beat };
    return this.liveness.get(id)?.heartbeat ?? noHeartbeat;
  }

  private buildSyn(): MembershipSyn {
    const views = this.currentViews();
    const ids: NodeId[] = [];
    const versions: number[] = [];
    const generations: number[] = [];
    const beats: number[] = [];
    for (const record of this.state.members.values()) {
      const heartbeat = this.heartbeatOf(record.id);
      ids.push(record.id);
      versions.push(record.version);
      generations.push(heartbeat.generation);
      beats.push(heartbeat.beat);
    }
    // Remember which records this syn described, for the ack2 (immutable maps: no copy).
    this.synMembers.delete(views.membersDigest);
    this.synMembers.set(views.membersDigest, this.state.members);
    if (this.synMembers.size > synMembersKept) this.synMembers.delete(this.synMembers.keys().next().value as number);
    return {
      type: 'membership.syn',
      ...this.header(),
      ids,
      versions,
      generations,
      beats,
      membersDigest: views.membersDigest,
      ringDigest: views.ringDigest,
    };
  }

  private answerSyn(m: SynMessage, nowMs: number): MembershipAck {
    const heartbeats: [NodeId, Heartbeat][] = [];
    for (const [id, entry] of m.digest) heartbeats.push([id, entry.heartbeat]);
    this.mergeHeartbeats(heartbeats, nowMs);

    const views = this.currentViews();
    const mine = this.state.members;
    const records: WireRecord[] = [];
    const sameRecords = m.membersDigest === views.membersDigest;
    const known: NodeId[] | null = sameRecords ? null : [];
    const versions: number[] | null = sameRecords ? null : [];
    let theyHaveNewer = false;
    for (const record of mine.values()) {
      const theirs = m.digest.get(record.id);
      if (theirs === undefined || record.version > theirs.version) records.push(encodeRecord(record));
      known?.push(record.id);
      versions?.push(record.version);
    }
    for (const [id, entry] of m.digest) {
      const record = mine.get(id);
      if (record === undefined || entry.version > record.version) theyHaveNewer = true;
    }
    // Same versions everywhere but different digests: records tied at a version (a concurrent
    // force-removal and self-update). Send every record; the ack2 returns the ones that win there.
    let allRecords = false;
    if (records.length === 0 && !theyHaveNewer && m.membersDigest !== views.membersDigest) {
      allRecords = true;
      for (const record of mine.values()) records.push(encodeRecord(record));
    }

    const ids: NodeId[] = [];
    const generations: number[] = [];
    const beats: number[] = [];
    for (const record of mine.values()) {
      if (isGone(record.status)) continue;
      const heartbeat = this.heartbeatOf(record.id);
      if (heartbeat.generation === 0 && heartbeat.beat === 0) continue;
      const theirs = m.digest.get(record.id)?.heartbeat;
      if (theirs !== undefined && !fresher(heartbeat, theirs)) continue;
      ids.push(record.id);
      generations.push(heartbeat.generation);
      beats.push(heartbeat.beat);
    }

    const ringsDiffer = m.ringDigest !== views.ringDigest;
    return {
      type: 'membership.ack',
      ...this.header(),
      records,
      allRecords,
      ids,
      generations,
      beats,
      known,
      versions,
      membersDigest: views.membersDigest,
      ring: ringsDiffer && this.state.ring !== null ? encodeRing(this.state.ring) : null,
      ringDigest: views.ringDigest,
    };
  }

  private answerAck(m: AckMessage, nowMs: number): MembershipAck2 | undefined {
    if (!this.mergeIncoming(m.cluster, m.records, m.ring, nowMs)) return undefined;
    this.mergeHeartbeats(m.heartbeats, nowMs);
    this.reportReachable(m.from, nowMs);

    // What the peer lacks, judged now: this node may have learned members since its syn. When
    // the peer had the syn's records exactly, they are those this node made the syn from (or,
    // should they have left the cache, the peer gets every record: correct, merely larger).
    const records: WireRecord[] = [];
    const theirs = m.allRecords ? new Map(m.records.map((record) => [record.id, record])) : undefined;
    const sent = m.known === null ? this.synMembers.get(m.membersDigest) : undefined;
    const versionAt = (id: NodeId): number | undefined => (m.known !== null ? m.known.get(id) : sent?.get(id)?.version);
    for (const record of this.state.members.values()) {
      const version = versionAt(record.id);
      const tied = theirs?.get(record.id);
      if (version === undefined || record.version > version || (tied !== undefined && compareRecords(record, tied) > 0)) {
        records.push(encodeRecord(record));
      }
    }
    const views = this.currentViews();
    const sendRing = this.state.ring !== null && views.ringDigest !== m.ringDigest;
    if (records.length === 0 && !sendRing) return undefined;
    return {
      type: 'membership.ack2',
      ...this.header(),
      records,
      ring: sendRing && this.state.ring !== null ? encodeRing(this.state.ring) : null,
    };
  }

  /**
   * Merges records and a ring from a peer of `cluster` (already checked to be compatible), as
   * one step. Returns false, merging nothing, when the ring names members of which neither side
   * has a record: the message was computed against what this node knew before it reset its
   * state for a join; the next exchange brings it all again, consistent.
   */
  private mergeIncoming(cluster: string | null, records: readonly MemberRecord[], ring: RingState | null, nowMs: number): boolean {
    const mergedMembers = mergeMembers(this.state.members, records, membersMax);
    if (ring !== null && !namesOnlyKnown(ring, mergedMembers.members)) {
      this.counters.messagesStale++;
      return false;
    }
    this.counters.recordsRefused += mergedMembers.refused;
    const mergedRing = mergeRings(this.state.ring, ring);
    // A node adopts a cluster with its ring (a cluster always has one).
    const adopted = this.state.cluster ?? (ring !== null ? cluster : null);
    if (mergedMembers.members === this.state.members && mergedRing === this.state.ring && adopted === this.state.cluster) return true;
    this.setState({ cluster: adopted, members: mergedMembers.members, ring: mergedRing }, nowMs);
    this.normalize(nowMs);
    return true;
  }

  private mergeHeartbeats(heartbeats: Iterable<[NodeId, Heartbeat]>, nowMs: number): void {
    for (const [id, heartbeat] of heartbeats) {
      if (id === this.id) continue;
      const live = this.liveness.get(id);
      if (live === undefined || !fresher(heartbeat, live.heartbeat)) continue;
      const beats = heartbeat.generation === live.heartbeat.generation ? heartbeat.beat - live.heartbeat.beat : 1;
      live.heartbeat = heartbeat;
      live.detector.heartbeat(nowMs, beats);
    }
  }

  /** Writes this node's knowledge of a record (its own, or a force-removal) and normalizes. */
  private write(record: MemberRecord, nowMs: number): void {
    const merged = mergeMembers(this.state.members, [record], membersMax);
    this.counters.recordsRefused += merged.refused;
    if (merged.members !== this.state.members) this.setState({ ...this.state, members: merged.members }, nowMs);
    this.normalize(nowMs);
  }

  /**
   * Brings the state to its fixed point after any change: re-claims when the active members
   * differ from the plan's and hands the partitions of force-removed owners to their targets
   * (both deterministic: every node computes the same), then makes this node's
   * own transitions: a pending join once the cluster is known, its record's addresses and weight,
   * joining → up once every partition claimed for it has arrived, leaving → left once it owns
   * nothing and the plan no longer counts it.
   */
  private normalize(nowMs: number): void {
    for (let round = 0; ; round++) {
      assert(round < 8, 'GossipCore: membership state does not settle');
      let next = reclaim(this.state);
      if (next !== this.state) this.counters.claims++;
      next = adoptOrphans(next);
      next = this.ownTransition(next);
      if (next === this.state) return;
      this.setState(next, nowMs);
    }
  }

  private ownTransition(state: MembershipState): MembershipState {
    const record = state.members.get(this.id);
    const put = (next: MemberRecord): MembershipState => {
      const members = new Map(state.members);
      members.set(this.id, next);
      return { ...state, members };
    };
    if (this.joinSeed !== null && state.cluster !== null) {
      if (record !== undefined && !isGone(record.status)) {
        this.joinSeed = null; // a member already (a restart that lost its disk, or a duplicate join)
      } else if (record === undefined && state.members.size >= membersMax) {
        this.joinSeed = null;
        this.counters.recordsRefused++;
        return state;
      } else {
        this.joinSeed = null;
        return put({ ...this.self, status: 'joining', version: (record?.version ?? 0) + 1 });
      }
    }
    if (record === undefined || isGone(record.status)) return state;
    const { http, peer, weight } = this.self;
    if (record.http !== http || record.peer !== peer || record.weight !== weight) {
      return put({ ...record, http, peer, weight, version: record.version + 1 });
    }
    const ring = state.ring;
    if (ring === null) return state;
    const claimed = ring.plan.claimedFor.some((member) => member.id === this.id);
    if (record.status === 'joining' && claimed) {
      const view = ownership(state) as OwnershipView;
      if (!view.pending.includes(this.id)) return put({ ...record, status: 'up', version: record.version + 1 });
    }
    if (record.status === 'leaving' && !claimed) {
      const view = ownership(state) as OwnershipView;
      if (!view.owners.includes(this.id)) return put({ ...record, status: 'left', version: record.version + 1 });
    }
    return state;
  }

  private setState(next: MembershipState, nowMs: number): void {
    if (next === this.state) return;
    this.state = next;
    this.serialValue++;
    if (this.views !== undefined) this.previousRings = this.views.rings();
    this.views = undefined;
    // Liveness follows the records: every member but this node and the left ones has a detector,
    // started now for a member just learned of.
    for (const record of next.members.values()) {
      if (record.id === this.id) continue;
      if (isGone(record.status)) this.liveness.delete(record.id);
      else if (!this.liveness.has(record.id)) {
        this.liveness.set(record.id, {
          heartbeat: noHeartbeat,
          detector: new PhiAccrualDetector(
            { windowSize: this.phiWindowSize, sampleMsMax: this.phiSampleMsMax, firstIntervalMs: this.gossipIntervalMs },
            nowMs,
          ),
          localDown: false,
        });
      }
    }
    for (const id of this.liveness.keys()) if (!next.members.has(id)) this.liveness.delete(id);
  }

  /** The views of the current state, each computed on first use after a change. */
  private currentViews(): Views {
    if (this.views === undefined || this.views.serial !== this.serialValue) {
      this.views = new Views(this.serialValue, this.state, this.id, this.previousRings);
    }
    return this.views;
  }
}

/**
 * What the node reads of one state, computed lazily: a gossip round needs only the digests, a
 * re-route the Ring (O(Q·S) to build, so a Ring whose owners did not change is reused).
 */
interface PreviousRings {
  ring: Ring | null | undefined;
  futureRing: Ring | null | undefined;
}

class Views {
  private ownershipValue: OwnershipView | null | undefined;
  private ringValue: Ring | null | undefined;
  private futureValue: Ring | null | undefined;
  private membersDigestValue: number | undefined;
  private ringDigestValue: number | null | undefined;
  private peersValue: NodeId[] | undefined;

  constructor(
    readonly serial: number,
    private readonly state: MembershipState,
    private readonly self: NodeId,
    private readonly previous: PreviousRings,
  ) {}

  /** The Rings built so far, for the next state's views to reuse. */
  rings(): PreviousRings {
    return { ring: this.ringValue ?? this.previous.ring, futureRing: this.futureValue ?? this.previous.futureRing };
  }

  get ownership(): OwnershipView | undefined {
    if (this.ownershipValue === undefined) this.ownershipValue = ownership(this.state) ?? null;
    return this.ownershipValue ?? undefined;
  }

  get ring(): Ring | undefined {
    if (this.ringValue === undefined) {
      const view = this.ownership;
      this.ringValue = view === undefined ? null : this.build(view.owners, view.version, this.previous.ring);
    }
    return this.ringValue ?? undefined;
  }

  get futureRing(): Ring | undefined {
    if (this.futureValue === undefined) {
      const view = this.ownership;
      if (view === undefined) this.futureValue = null;
      else if (!view.pending.some((to) => to !== null)) this.futureValue = this.ring ?? null;
      else {
        const owners = view.owners.map((owner, p) => view.pending[p] ?? owner);
        this.futureValue = this.build(owners, view.version, this.previous.futureRing);
      }
    }
    return this.futureValue ?? undefined;
  }

  get membersDigest(): number {
    this.membersDigestValue ??= membersDigest(this.state.members);
    return this.membersDigestValue;
  }

  get ringDigest(): number | null {
    if (this.ringDigestValue === undefined) this.ringDigestValue = this.state.ring === null ? null : ringDigest(this.state.ring);
    return this.ringDigestValue;
  }

  /** Other members that are not gone, sorted by id. */
  get peers(): NodeId[] {
    if (this.peersValue === undefined) {
      const peers: NodeId[] = [];
      for (const record of this.state.members.values()) {
        if (record.id !== this.self && !isGone(record.status)) peers.push(record.id);
      }
      this.peersValue = peers.sort();
    }
    return this.peersValue;
  }

  private build(owners: readonly NodeId[], version: number, old: Ring | null | undefined): Ring {
    if (old != null && old.version === version && old.owners.every((owner, p) => owner === owners[p])) return old;
    const { ringSize, n } = this.state.ring as RingState;
    return new Ring({ ringSize, n, owners, version });
  }
}
