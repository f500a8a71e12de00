// The strict validation of everything membership receives (DESIGN.md rule 6): a message from a
// peer (or a snapshot read back from disk) is untrusted until parseMembershipMessage
// (parseSnapshot) has checked every field, every bound and every cross-reference; only the
// checked form (messages.ts) reaches the state. Parsing never throws.

import type { NodeId } from '../common/types.js';
import type { ClaimMember } from '../ring/claim.js';
import { isValidRingSize } from '../ring/partitioner.js';
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
import type {
  Heartbeat,
  MessageHeader,
  ParsedMembershipMessage,
  ParsedSnapshot,
  ParseResult,
} from './messages.js';

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

function header(value: Record<string, unknown>, what: string): MessageHeader {
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

function ringOrNull(value: unknown, what: string, h: MessageHeader): RingState | null {
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
