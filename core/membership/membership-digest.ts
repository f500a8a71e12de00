// Digests of the membership state (Dynamo paper §4.8.1): short fingerprints that let two nodes
// see in a few bytes whether their records or their rings differ, before sending either in full,
// and canonical strings that tests compare whole states with.

import type { NodeId } from '../common/types.js';
import { compareStrings, type MemberRecord, type MembershipState, type RingState } from './membership-state.js';

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A 53-bit fingerprint fed field by field: two 32-bit multiplicative lanes, mixed at the end
 * with murmur3's finalizer. Each string is fed with its length first, so field boundaries are
 * unambiguous. Not cryptographic (peers are authenticated by the cluster secret); two different
 * states collide with probability about 2^-53. It reads the state in place: digests of large
 * rings cost no intermediate strings.
 */
export class Fingerprint {
  private a = 0x811c9dc5;
  private b = 0x2545f491;
  private count = 0;

  private unit(unit: number): void {
    this.a = Math.imul(this.a ^ unit, 0x01000193);
    this.b = Math.imul(this.b ^ unit, 0x5bd1e995);
    this.b ^= this.b >>> 15;
    this.count++;
  }

  text(value: string): this {
    this.unit(value.length);
    for (let i = 0; i < value.length; i++) this.unit(value.charCodeAt(i));
    return this;
  }

  number(value: number): this {
    if (Number.isInteger(value) && value >= 0 && value < 0x40000000) this.unit(value | 0x40000000);
    else this.text(String(value));
    return this;
  }

  /** The fingerprint, an integer in [0, 2^53). */
  value(): number {
    const a = fmix32(this.a ^ Math.imul(this.count, 0x9e3779b1));
    const b = fmix32(this.b ^ a);
    return (b >>> 11) * 0x100000000 + (a >>> 0);
  }
}

/** The 53-bit fingerprint of one string. */
export function hash53(text: string): number {
  return new Fingerprint().text(text).value();
}

function sortedRecords(members: ReadonlyMap<NodeId, MemberRecord>): MemberRecord[] {
  return [...members.values()].sort((x, y) => compareStrings(x.id, y.id));
}

/** The records as one canonical string (sorted by id); equal strings, equal record sets. */
export function canonicalMembers(members: ReadonlyMap<NodeId, MemberRecord>): string {
  return JSON.stringify(sortedRecords(members).map((r) => [r.id, r.http, r.peer, r.weight, r.status, r.version]));
}

/** The ring as one canonical string. */
export function canonicalRing(ring: RingState | null): string {
  if (ring === null) return 'null';
  const claimed = ring.plan.claimedFor.map((member) => [member.id, member.weight]);
  return JSON.stringify([ring.ringSize, ring.n, ring.plan.version, claimed, ring.plan.targets, ring.owners, ring.counters]);
}

/** The whole state as one canonical string (tests compare states with it). */
export function canonicalState(state: MembershipState): string {
  return `${JSON.stringify(state.cluster)}|${canonicalMembers(state.members)}|${canonicalRing(state.ring)}`;
}

/** Fingerprint of the records (sorted by id): equal record sets, equal digests. */
export function membersDigest(members: ReadonlyMap<NodeId, MemberRecord>): number {
  const print = new Fingerprint().number(members.size);
  for (const r of sortedRecords(members)) {
    print.text(r.id).text(r.http).text(r.peer).number(r.weight).text(r.status).number(r.version);
  }
  return print.value();
}

/** Fingerprint of a ring (0 for none is never used: callers send null). */
export function ringDigest(ring: RingState): number {
  const print = new Fingerprint().number(ring.ringSize).number(ring.n).number(ring.plan.version);
  print.number(ring.plan.claimedFor.length);
  for (const member of ring.plan.claimedFor) print.text(member.id).number(member.weight);
  for (let p = 0; p < ring.ringSize; p++) {
    print.text(ring.plan.targets[p]).text(ring.owners[p]).number(ring.counters[p]);
  }
  return print.value();
}
