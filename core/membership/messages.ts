// The membership messages nodes gossip (Dynamo paper §4.8.1): their wire form, the checked form
// they take once message-parser.ts has validated them, and their encoding.
//
// One gossip exchange is three messages (Cassandra's SYN, ACK, ACK2), so that what changes every
// round (heartbeats) travels in full while what rarely changes (records, the ring) travels only
// when a digest says it differs:
//
//   A → B  membership.syn   A's heartbeat of every member it knows, each record's version, a
//                           digest of all its records and one of its ring.
//   B → A  membership.ack   (the reply) the records A lacks or holds older, the heartbeats B has
//                           fresher, B's ring digest and B's ring itself if the ring digests
//                           differ, and, when B's records differ from A's (their digests differ),
//                           the version of each record B holds.
//   A → B  membership.ack2  (a second request, only when B lacks something) the records B lacks
//                           or holds older, by B's versions, and A's merged ring if it differs
//                           from B's digest. B answers it with membership.ok.
//
// What B lacks is judged when the ack2 is sent, against what B reported in its ack (or, when B
// had exactly A's records, against the records A's syn was made from), not from A's syn alone:
// A may have learned records and ring updates from a third node meanwhile, and a record
// must not travel without the ring updates that came with it (a leaver's `left` without the
// transfers of its partitions), nor a ring without the records of the members it names.
//
// Messages are plain objects that the transport's codec (core/net/frame.ts) carries as they are:
// strings, safe integers, finite numbers, arrays, null. Rings travel with a table of node ids
// and small indices into it. Every message names the cluster, ring size and N of its sender; a
// node refuses a message from another cluster or shape instead of merging it.

import type { NodeId } from '../common/types.js';
import type { MemberRecord, MembershipState, MembershipStatus, RingState } from './membership-state.js';

/** A member record on the wire. */
export interface WireRecord {
  id: NodeId;
  http: string;
  peer: string;
  weight: number;
  status: MembershipStatus;
  version: number;
}

/** A ring on the wire: node ids once, in `ids` (sorted), everything else as indices into it. */
export interface WireRing {
  ringSize: number;
  n: number;
  /** The plan's version. */
  version: number;
  ids: NodeId[];
  /** The plan's members: indices into ids (ascending) and their weights. */
  claimed: number[];
  weights: number[];
  /** Per partition: index of its target, of its owner, and its owner counter. */
  targets: number[];
  owners: number[];
  counters: number[];
}

/** What every membership message but `ok` starts with. */
export interface MessageHeader {
  from: NodeId;
  /** The sender's cluster id, null when it knows none yet. */
  cluster: string | null;
  ringSize: number;
  n: number;
}

export interface MembershipSyn extends MessageHeader {
  type: 'membership.syn';
  /** Every member the sender has a record of, with that record's version and the member's heartbeat. */
  ids: NodeId[];
  versions: number[];
  generations: number[];
  beats: number[];
  /** hash53 of the sender's records (canonicalMembers). */
  membersDigest: number;
  /** hash53 of the sender's ring, null when it has none. */
  ringDigest: number | null;
  [field: string]: unknown;
}

export interface MembershipAck extends MessageHeader {
  type: 'membership.ack';
  /** Records the syn's sender lacks or holds older; every record when allRecords. */
  records: WireRecord[];
  allRecords: boolean;
  /** Heartbeats fresher than the syn's. */
  ids: NodeId[];
  generations: number[];
  beats: number[];
  /**
   * Every record the sender holds, by id, with its version; null when the sender's records are
   * those of the syn (equal digests): the syn's sender knows them.
   */
  known: NodeId[] | null;
  versions: number[] | null;
  /** hash53 of the sender's records. */
  membersDigest: number;
  ring: WireRing | null;
  /** hash53 of the sender's ring (null when it has none): the ack2 carries a ring that differs. */
  ringDigest: number | null;
  [field: string]: unknown;
}

export interface MembershipAck2 extends MessageHeader {
  type: 'membership.ack2';
  records: WireRecord[];
  ring: WireRing | null;
  [field: string]: unknown;
}

/** The answer to an ack2 (and to anything that needs no other answer). */
export interface MembershipOk {
  type: 'membership.ok';
  [field: string]: unknown;
}

export type MembershipMessage = MembershipSyn | MembershipAck | MembershipAck2 | MembershipOk;

export const membershipOk: MembershipOk = Object.freeze({ type: 'membership.ok' });

/** True for the `type` of every membership message: the node routes these to GossipCore. */
export function isMembershipMessageType(type: unknown): boolean {
  return type === 'membership.syn' || type === 'membership.ack' || type === 'membership.ack2' || type === 'membership.ok';
}

/** A member's heartbeat: the generation it started with, and the rounds it has beaten since. */
export interface Heartbeat {
  readonly generation: number;
  readonly beat: number;
}

/** A checked syn. */
export interface SynMessage extends MessageHeader {
  kind: 'syn';
  /** Per member the sender knows: its record version and heartbeat. */
  digest: Map<NodeId, { version: number; heartbeat: Heartbeat }>;
  membersDigest: number;
  ringDigest: number | null;
}

/** A checked ack. */
export interface AckMessage extends MessageHeader {
  kind: 'ack';
  records: MemberRecord[];
  allRecords: boolean;
  heartbeats: Map<NodeId, Heartbeat>;
  /** The version of every record the sender holds; null when they are the syn's records. */
  known: Map<NodeId, number> | null;
  membersDigest: number;
  ring: RingState | null;
  ringDigest: number | null;
}

/** A checked ack2. */
export interface Ack2Message extends MessageHeader {
  kind: 'ack2';
  records: MemberRecord[];
  ring: RingState | null;
}

export type ParsedMembershipMessage = SynMessage | AckMessage | Ack2Message | { kind: 'ok' };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** What a node persists of membership (see GossipCore.snapshot); plain JSON-safe data. */
export interface MembershipSnapshot {
  format: 1;
  cluster: string | null;
  records: WireRecord[];
  ring: WireRing | null;
  /** A join asked for but not yet made (the seed it is waiting to hear from). */
  joinSeed: string | null;
  seeds: string[];
}

/** A checked snapshot. */
export interface ParsedSnapshot {
  cluster: string | null;
  records: MemberRecord[];
  ring: RingState | null;
  joinSeed: string | null;
  seeds: string[];
}

// Encoding.

export function encodeRecord(record: MemberRecord): WireRecord {
  const { id, http, peer, weight, status, version } = record;
  return { id, http, peer, weight, status, version };
}

export function encodeRing(ring: RingState): WireRing {
  const names = new Set<NodeId>();
  for (const member of ring.plan.claimedFor) names.add(member.id);
  for (const id of ring.plan.targets) names.add(id);
  for (const id of ring.owners) names.add(id);
  const ids = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map<NodeId, number>();
  ids.forEach((id, i) => index.set(id, i));
  const at = (id: NodeId) => index.get(id) as number;
  return {
    ringSize: ring.ringSize,
    n: ring.n,
    version: ring.plan.version,
    ids,
    claimed: ring.plan.claimedFor.map((member) => at(member.id)),
    weights: ring.plan.claimedFor.map((member) => member.weight),
    targets: ring.plan.targets.map(at),
    owners: ring.owners.map(at),
    counters: ring.counters.slice(),
  };
}

/** The snapshot of a state with a pending join and seeds (see GossipCore.snapshot). */
export function encodeSnapshot(state: MembershipState, joinSeed: string | null, seeds: readonly string[]): MembershipSnapshot {
  return {
    format: 1,
    cluster: state.cluster,
    records: [...state.members.values()].map(encodeRecord),
    ring: state.ring === null ? null : encodeRing(state.ring),
    joinSeed,
    seeds: seeds.slice(),
  };
}
