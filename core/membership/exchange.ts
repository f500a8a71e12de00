// One gossip exchange (Dynamo paper §4.8.1; Cassandra's SYN, ACK, ACK2; messages.ts describes
// the three messages): building this node's syn, answering a peer's syn with an ack, answering
// an ack with an ack2, and the merge of the records and ring a peer sends. Heartbeats travel
// every round; records and the ring only when a digest says they differ.

import type { NodeId } from '../common/types.js';
import { membersMax, synMembersKept } from './limits.js';
import { fresher, type Liveness } from './liveness.js';
import {
  compareRecords,
  isGone,
  mergeMembers,
  mergeRings,
  type MemberRecord,
  type MembershipState,
  type RingState,
} from './membership-state.js';
import {
  encodeRecord,
  encodeRing,
  type AckMessage,
  type Heartbeat,
  type MembershipAck,
  type MembershipAck2,
  type MembershipSyn,
  type MessageHeader,
  type SynMessage,
  type WireRecord,
} from './messages.js';
import type { Views } from './views.js';

/** What an exchange reads of its core, and the one change it asks of it. */
export interface ExchangeSide {
  /** The current state. */
  state(): MembershipState;
  /** The current state's views (digests). */
  views(): Views;
  /** What every message this node sends starts with. */
  header(): MessageHeader;
  /** The heartbeat of `id` as this node knows it (its own included). */
  heartbeatOf(id: NodeId): Heartbeat;
  liveness: Liveness;
  /**
   * Merges records and a ring from a peer of `cluster` as one step (see mergedState); false,
   * merging nothing, when the message is stale.
   */
  mergeIncoming(cluster: string | null, records: readonly MemberRecord[], ring: RingState | null, nowMs: number): boolean;
}

export class Exchange {
  /** The record sets of the last syns, by digest (see answerAck). */
  private readonly synMembers = new Map<number, ReadonlyMap<NodeId, MemberRecord>>();

  constructor(private readonly side: ExchangeSide) {}

  /** This node's syn: the heartbeat and record version of every member it knows, and its digests. */
  syn(): MembershipSyn {
    const views = this.side.views();
    const members = this.side.state().members;
    const ids: NodeId[] = [];
    const versions: number[] = [];
    const generations: number[] = [];
    const beats: number[] = [];
    for (const record of members.values()) {
      const heartbeat = this.side.heartbeatOf(record.id);
      ids.push(record.id);
      versions.push(record.version);
      generations.push(heartbeat.generation);
      beats.push(heartbeat.beat);
    }
    // Remember which records this syn described, for the ack2 (immutable maps: no copy).
    this.synMembers.delete(views.membersDigest);
    this.synMembers.set(views.membersDigest, members);
    if (this.synMembers.size > synMembersKept) this.synMembers.delete(this.synMembers.keys().next().value as number);
    return {
      type: 'membership.syn',
      ...this.side.header(),
      ids,
      versions,
      generations,
      beats,
      membersDigest: views.membersDigest,
      ringDigest: views.ringDigest,
    };
  }

  /** The ack to a peer's syn: what the peer lacks or holds older, and fresher heartbeats. */
  answerSyn(m: SynMessage, nowMs: number): MembershipAck {
    const heartbeats: [NodeId, Heartbeat][] = [];
    for (const [id, entry] of m.digest) heartbeats.push([id, entry.heartbeat]);
    this.side.liveness.merge(heartbeats, nowMs);

    const views = this.side.views();
    const state = this.side.state();
    const mine = state.members;
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
      const heartbeat = this.side.heartbeatOf(record.id);
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
      ...this.side.header(),
      records,
      allRecords,
      ids,
      generations,
      beats,
      known,
      versions,
      membersDigest: views.membersDigest,
      ring: ringsDiffer && state.ring !== null ? encodeRing(state.ring) : null,
      ringDigest: views.ringDigest,
    };
  }

  /** Merges a peer's ack; the ack2 to send back when the peer lacks something, else undefined. */
  answerAck(m: AckMessage, nowMs: number): MembershipAck2 | undefined {
    if (!this.side.mergeIncoming(m.cluster, m.records, m.ring, nowMs)) return undefined;
    this.side.liveness.merge(m.heartbeats, nowMs);
    this.side.liveness.reportReachable(m.from, nowMs);

    // What the peer lacks, judged now: this node may have learned members since its syn. When
    // the peer had the syn's records exactly, they are those this node made the syn from (or,
    // should they have left the cache, the peer gets every record: correct, merely larger).
    const state = this.side.state();
    const records: WireRecord[] = [];
    const theirs = m.allRecords ? new Map(m.records.map((record) => [record.id, record])) : undefined;
    const sent = m.known === null ? this.synMembers.get(m.membersDigest) : undefined;
    const versionAt = (id: NodeId): number | undefined => (m.known !== null ? m.known.get(id) : sent?.get(id)?.version);
    for (const record of state.members.values()) {
      const version = versionAt(record.id);
      const tied = theirs?.get(record.id);
      if (version === undefined || record.version > version || (tied !== undefined && compareRecords(record, tied) > 0)) {
        records.push(encodeRecord(record));
      }
    }
    const views = this.side.views();
    const sendRing = state.ring !== null && views.ringDigest !== m.ringDigest;
    if (records.length === 0 && !sendRing) return undefined;
    return {
      type: 'membership.ack2',
      ...this.side.header(),
      records,
      ring: sendRing && state.ring !== null ? encodeRing(state.ring) : null,
    };
  }
}

/** Whether every node a ring names (claimed, target or owner) has a record in `members`. */
function namesOnlyKnown(ring: RingState, members: ReadonlyMap<NodeId, MemberRecord>): boolean {
  for (const member of ring.plan.claimedFor) if (!members.has(member.id)) return false;
  for (let p = 0; p < ring.ringSize; p++) {
    if (!members.has(ring.owners[p]) || !members.has(ring.plan.targets[p])) return false;
  }
  return true;
}

/** The outcome of merging what a peer sent: stale, or the merged state (`state` itself when nothing changed). */
export type IncomingMerge = { stale: true } | { stale: false; state: MembershipState; recordsRefused: number };

/**
 * Merges records and a ring from a peer of `cluster` (already checked to be compatible) into
 * `state`, as one step. Stale, merging nothing, when the ring names members of which neither side
 * has a record: the message was computed against what this node knew before it reset its state
 * for a join; the next exchange brings it all again, consistent.
 */
export function mergedState(
  state: MembershipState,
  cluster: string | null,
  records: readonly MemberRecord[],
  ring: RingState | null,
): IncomingMerge {
  const mergedMembers = mergeMembers(state.members, records, membersMax);
  if (ring !== null && !namesOnlyKnown(ring, mergedMembers.members)) return { stale: true };
  const mergedRing = mergeRings(state.ring, ring);
  // A node adopts a cluster with its ring (a cluster always has one).
  const adopted = state.cluster ?? (ring !== null ? cluster : null);
  const unchanged = mergedMembers.members === state.members && mergedRing === state.ring && adopted === state.cluster;
  return {
    stale: false,
    state: unchanged ? state : { cluster: adopted, members: mergedMembers.members, ring: mergedRing },
    recordsRefused: mergedMembers.refused,
  };
}
