// The membership messages nodes gossip (Dynamo paper §4.8.1), their wire form, and the strict
// validation of everything that arrives: a message from a peer (or a snapshot read back from
// disk) is untrusted until parseMembershipMessage (parseSnapshot) has checked every field, every
// bound and every cross-reference, and only then reaches the state (DESIGN.md rule 6).
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
// had exactly A's records, against the records A's syn was made from), not from A's syn alone: A may have learned records and ring updates from a third node meanwhile, and a record
// must not travel without the ring updates that came with it (a leaver's `left` without the
// transfers of its partitions), nor a ring without the records of the members it names.
//
// Messages are plain objects that the transport's codec (core/net/frame.ts) carries as they are:
// strings, safe integers, finite numbers, arrays, null. Rings travel with a table of node ids
// and small indices into it. Every message names the cluster, ring size and N of its sender; a
// node refuses a message from another cluster or shape instead of merging it.

import type { NodeId } from '../common/types.js';
import { isValidRingSize } from '../ring/partitioner.js';
import type { ClaimMember } from '../ring/claim.js';
import { isValidNodeId } from '../version/vector-clock.js';
import {
  clusterIdLengthMax,
  memberAddressLengthMax,
  membersMax,
  memberWeightMax,
  replicationMax,
  seedLengthMax,
  seedsMax,
} from './limits.js';
import { membershipStatuses, type MemberRecord, type MembershipStatus, type RingState } from './membership-state.js';

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
interface Header {
  from: NodeId;
  /** The sender's cluster id, null when it knows none yet. */
  cluster: string | null;
  ringSize: number;
  n: number;
}

export interface MembershipSyn extends Header {
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

export interface MembershipAck extends Header {
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

export interface MembershipAck2 extends Header {
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
export interface SynMessage extends Header {
  kind: 'syn';
  /** Per member the sender knows: its record version and heartbeat. */
  digest: Map<NodeId, { version: number; heartbeat: Heartbeat }>;
  membersDigest: number;
  ringDigest: number | null;
}

/** A checked ack. */
export interface AckMessage extends Header {
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
export interface Ack2Message extends Header {
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

// Validation. Checkers throw Problem with a short text; the parse functions turn it into a result.

class Problem extends Error {
  override name = 'Problem';
}

function fail(text: string): never {
  throw new Problem(text);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** `value` as an object holding exactly the fields `fields`. */
function exactObject(value: unknown, fields: readonly string[], what: string): Record<string, unknown> {
  if (!isPlainObject(value)) fail(`${what} is not a map`);
  let count = 0;
  for (const field in value) {
    if (!Object.prototype.hasOwnProperty.call(value, field)) continue;
    if (!fields.includes(field)) fail(`${what} has an unknown field ${JSON.stringify(field.slice(0, 32))}`);
    count++;
  }
  if (count !== fields.length) fail(`${what} needs the fields ${fields.join(', ')}`);
  return value;
}

function nodeId(value: unknown, what: string): NodeId {
  if (!isValidNodeId(value)) fail(`${what} is not a node id`);
  return value;
}

function safeCount(value: unknown, what: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(`${what} is not an integer >= ${min}`);
  return value;
}

function weight(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > memberWeightMax) {
    fail(`${what} is not a weight in 0…${memberWeightMax}`);
  }
  return value;
}

function shortString(value: unknown, lengthMax: number, what: string): string {
  if (typeof value !== 'string' || value.length > lengthMax) fail(`${what} is not a string of at most ${lengthMax} characters`);
  return value;
}

function boolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what} is not a boolean`);
  return value;
}

function array(value: unknown, lengthMax: number, what: string): unknown[] {
  if (!Array.isArray(value)) fail(`${what} is not an array`);
  if (value.length > lengthMax) fail(`${what} holds more than ${lengthMax} entries`);
  return value;
}

function clusterId(value: unknown, what: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > clusterIdLengthMax) {
    fail(`${what} is not null or a string of 1…${clusterIdLengthMax} characters`);
  }
  return value;
}

/** Distinct node ids, at most membersMax. */
function idList(value: unknown, what: string): NodeId[] {
  const ids = array(value, membersMax, what).map((id, i) => nodeId(id, `${what}[${i}]`));
  if (new Set(ids).size !== ids.length) fail(`${what} repeats an id`);
  return ids;
}

function header(value: Record<string, unknown>, what: string): Header {
  const ringSize = value.ringSize;
  if (typeof ringSize !== 'number' || !isValidRingSize(ringSize)) fail(`${what}: ringSize is not a valid ring size`);
  const n = safeCount(value.n, `${what}: n`, 1);
  if (n > replicationMax) fail(`${what}: n is above ${replicationMax}`);
  return { from: nodeId(value.from, `${what}: from`), cluster: clusterId(value.cluster, `${what}: cluster`), ringSize, n };
}

export function decodeRecord(value: unknown, what = 'record'): MemberRecord {
  const o = exactObject(value, ['id', 'http', 'peer', 'weight', 'status', 'version'], what);
  const status = o.status;
  if (typeof status !== 'string' || !(membershipStatuses as readonly string[]).includes(status)) fail(`${what}: bad status`);
  return {
    id: nodeId(o.id, `${what}: id`),
    http: shortString(o.http, memberAddressLengthMax, `${what}: http`),
    peer: shortString(o.peer, memberAddressLengthMax, `${what}: peer`),
    weight: weight(o.weight, `${what}: weight`),
    status: status as MembershipStatus,
    version: safeCount(o.version, `${what}: version`, 1),
  };
}

function records(value: unknown, what: string): MemberRecord[] {
  const list = array(value, membersMax, what).map((record, i) => decodeRecord(record, `${what}[${i}]`));
  if (new Set(list.map((record) => record.id)).size !== list.length) fail(`${what} repeats an id`);
  return list;
}

/**
 * Checks a wire ring: shape, ids sorted and distinct, every index in range, claimed members
 * ascending with at least one positive weight, every target a claimed member of positive weight
 * (as claim makes them), counters >= 1. `ringSize` and `n`, when given, must match.
 */
export function decodeRing(value: unknown, what = 'ring', ringSize?: number, n?: number): RingState {
  const o = exactObject(value, ['ringSize', 'n', 'version', 'ids', 'claimed', 'weights', 'targets', 'owners', 'counters'], what);
  const size = o.ringSize;
  if (typeof size !== 'number' || !isValidRingSize(size)) fail(`${what}: ringSize is not a valid ring size`);
  const replication = safeCount(o.n, `${what}: n`, 1);
  if (replication > replicationMax) fail(`${what}: n is above ${replicationMax}`);
  if (ringSize !== undefined && size !== ringSize) fail(`${what}: ringSize ${size} differs from the message's`);
  if (n !== undefined && replication !== n) fail(`${what}: n ${replication} differs from the message's`);
  const version = safeCount(o.version, `${what}: version`, 1);
  const ids = idList(o.ids, `${what}: ids`);
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1] < ids[i])) fail(`${what}: ids are not sorted`);
  const index = (raw: unknown, at: string): number => {
    const i = safeCount(raw, at);
    if (i >= ids.length) fail(`${at} is not an index into ids`);
    return i;
  };
  const claimed = array(o.claimed, membersMax, `${what}: claimed`).map((raw, i) => index(raw, `${what}: claimed[${i}]`));
  const weights = array(o.weights, membersMax, `${what}: weights`).map((raw, i) => weight(raw, `${what}: weights[${i}]`));
  if (weights.length !== claimed.length) fail(`${what}: claimed and weights differ in length`);
  for (let i = 1; i < claimed.length; i++) if (!(claimed[i - 1] < claimed[i])) fail(`${what}: claimed is not ascending`);
  const claimedFor: ClaimMember[] = claimed.map((i, k) => ({ id: ids[i], weight: weights[k] }));
  const owning = new Set(claimedFor.filter((member) => member.weight > 0).map((member) => member.id));
  if (owning.size === 0) fail(`${what}: no claimed member has a positive weight`);
  const perPartition = (field: string): unknown[] => {
    const list = array(o[field], size, `${what}: ${field}`);
    if (list.length !== size) fail(`${what}: ${field} needs one entry per partition`);
    return list;
  };
  const targets = perPartition('targets').map((raw, p) => {
    const id = ids[index(raw, `${what}: targets[${p}]`)];
    if (!owning.has(id)) fail(`${what}: targets[${p}] is not a claimed member with weight`);
    return id;
  });
  const owners = perPartition('owners').map((raw, p) => ids[index(raw, `${what}: owners[${p}]`)]);
  const counters = perPartition('counters').map((raw, p) => safeCount(raw, `${what}: counters[${p}]`, 1));
  return { ringSize: size, n: replication, plan: { version, claimedFor, targets }, owners, counters };
}

function heartbeatTable(o: Record<string, unknown>, what: string): { ids: NodeId[]; generations: number[]; beats: number[] } {
  const ids = idList(o.ids, `${what}: ids`);
  const generations = array(o.generations, membersMax, `${what}: generations`).map((g, i) => safeCount(g, `${what}: generations[${i}]`));
  const beats = array(o.beats, membersMax, `${what}: beats`).map((b, i) => safeCount(b, `${what}: beats[${i}]`));
  if (generations.length !== ids.length || beats.length !== ids.length) fail(`${what}: ids, generations and beats differ in length`);
  return { ids, generations, beats };
}

function nullableDigest(value: unknown, what: string): number | null {
  return value === null ? null : safeCount(value, what);
}

function ringOrNull(value: unknown, what: string, h: Header): RingState | null {
  if (value === null) return null;
  if (h.cluster === null) fail(`${what}: a ring without a cluster`);
  return decodeRing(value, what, h.ringSize, h.n);
}

const synFields = ['type', 'from', 'cluster', 'ringSize', 'n', 'ids', 'versions', 'generations', 'beats', 'membersDigest', 'ringDigest'];
const ackFields = [
  'type', 'from', 'cluster', 'ringSize', 'n', 'records', 'allRecords', 'ids', 'generations', 'beats', 'known', 'versions', 'membersDigest', 'ring', 'ringDigest',
];
const ack2Fields = ['type', 'from', 'cluster', 'ringSize', 'n', 'records', 'ring'];

function parse(value: unknown): ParsedMembershipMessage {
  if (!isPlainObject(value)) fail('membership message is not a map');
  switch (value.type) {
    case 'membership.syn': {
      const o = exactObject(value, synFields, 'membership.syn');
      const h = header(o, 'membership.syn');
      const table = heartbeatTable(o, 'membership.syn');
      const versions = array(o.versions, membersMax, 'membership.syn: versions').map((v, i) =>
        safeCount(v, `membership.syn: versions[${i}]`, 1),
      );
      if (versions.length !== table.ids.length) fail('membership.syn: ids and versions differ in length');
      const digest = new Map<NodeId, { version: number; heartbeat: Heartbeat }>();
      table.ids.forEach((id, i) => {
        digest.set(id, { version: versions[i], heartbeat: { generation: table.generations[i], beat: table.beats[i] } });
      });
      return {
        kind: 'syn',
        ...h,
        digest,
        membersDigest: safeCount(o.membersDigest, 'membership.syn: membersDigest'),
        ringDigest: nullableDigest(o.ringDigest, 'membership.syn: ringDigest'),
      };
    }
    case 'membership.ack': {
      const o = exactObject(value, ackFields, 'membership.ack');
      const h = header(o, 'membership.ack');
      const table = heartbeatTable(o, 'membership.ack');
      const heartbeats = new Map<NodeId, Heartbeat>();
      table.ids.forEach((id, i) => heartbeats.set(id, { generation: table.generations[i], beat: table.beats[i] }));
      let known: Map<NodeId, number> | null = null;
      if (o.known !== null || o.versions !== null) {
        const knownIds = idList(o.known, 'membership.ack: known');
        const versions = array(o.versions, membersMax, 'membership.ack: versions').map((v, i) =>
          safeCount(v, `membership.ack: versions[${i}]`, 1),
        );
        if (versions.length !== knownIds.length) fail('membership.ack: known and versions differ in length');
        known = new Map<NodeId, number>();
        for (let i = 0; i < knownIds.length; i++) known.set(knownIds[i], versions[i]);
      }
      return {
        kind: 'ack',
        ...h,
        records: records(o.records, 'membership.ack: records'),
        allRecords: boolean(o.allRecords, 'membership.ack: allRecords'),
        heartbeats,
        known,
        membersDigest: safeCount(o.membersDigest, 'membership.ack: membersDigest'),
        ring: ringOrNull(o.ring, 'membership.ack: ring', h),
        ringDigest: nullableDigest(o.ringDigest, 'membership.ack: ringDigest'),
      };
    }
    case 'membership.ack2': {
      const o = exactObject(value, ack2Fields, 'membership.ack2');
      const h = header(o, 'membership.ack2');
      return {
        kind: 'ack2',
        ...h,
        records: records(o.records, 'membership.ack2: records'),
        ring: ringOrNull(o.ring, 'membership.ack2: ring', h),
      };
    }
    case 'membership.ok':
      exactObject(value, ['type'], 'membership.ok');
      return { kind: 'ok' };
    default:
      return fail(`not a membership message type: ${JSON.stringify(String(value.type).slice(0, 40))}`);
  }
}

/** Checks an untrusted membership message; never throws. */
export function parseMembershipMessage(value: unknown): ParseResult<ParsedMembershipMessage> {
  try {
    return { ok: true, value: parse(value) };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, problem: error.message };
    // A checker bug, or an exotic object (a throwing getter): still never a crash.
    return { ok: false, problem: `membership message could not be checked: ${String(error).slice(0, 200)}` };
  }
}

/** Checks a snapshot read back from disk (see GossipCore.snapshot); never throws. */
export function parseSnapshot(value: unknown): ParseResult<ParsedSnapshot> {
  try {
    const o = exactObject(value, ['format', 'cluster', 'records', 'ring', 'joinSeed', 'seeds'], 'snapshot');
    if (o.format !== 1) fail('snapshot: unknown format');
    const cluster = clusterId(o.cluster, 'snapshot: cluster');
    const ring = o.ring === null ? null : decodeRing(o.ring, 'snapshot: ring');
    if ((cluster === null) !== (ring === null)) fail('snapshot: a cluster needs a ring, and a ring a cluster');
    const joinSeed = o.joinSeed === null ? null : shortString(o.joinSeed, seedLengthMax, 'snapshot: joinSeed');
    const seeds = array(o.seeds, seedsMax, 'snapshot: seeds').map((s, i) => shortString(s, seedLengthMax, `snapshot: seeds[${i}]`));
    return { ok: true, value: { cluster, records: records(o.records, 'snapshot: records'), ring, joinSeed, seeds } };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, problem: error.message };
    return { ok: false, problem: `snapshot could not be checked: ${String(error).slice(0, 200)}` };
  }
}
