// Proves the edge of membership: every message the cores produce crosses the transport's codec
// and parses back; malformed, mutated or hostile input (fast-check) is refused with a problem
// text, never throws, and never changes a core's state; limits and cross-references are checked;
// snapshots round-trip and a corrupt one is refused.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody, encodeFrame, FrameKind, frameHeaderBytes } from '../../core/net/frame.js';
import type { PeerMessage } from '../../core/net/transport.js';
import { GossipCore, MembershipError } from '../../core/membership/gossip.js';
import { memberAddressLengthMax, membersMax, membershipMessageBytesMax } from '../../core/membership/limits.js';
import { encodeRing, type WireRecord } from '../../core/membership/messages.js';
import { ringSizeMax } from '../../core/common/limits.js';
import { parseMembershipMessage, parseSnapshot } from '../../core/membership/message-parser.js';
import {
  membershipOk,
  type MembershipAck,
  type MembershipAck2,
  type MembershipSyn,
} from '../../core/membership/messages.js';
import { SeededRandom } from '../../core/common/random.js';
import { formedClusterSnapshot } from './gossip-sim.js';

const ids = ['n1', 'n2', 'n3'];

function core(id: string, snapshot = formedClusterSnapshot(ids, 16, 3, ['n1']), weight = 1): GossipCore {
  return new GossipCore({ self: { id, http: `http:${id}`, peer: `peer:${id}`, weight }, ringSize: 16, n: 3, generation: 1, nowMs: 0, snapshot });
}

/** Through the TCP codec and back, as the transport carries it. */
function wire<T>(message: T): unknown {
  const frame = encodeFrame(FrameKind.request, 1, message as unknown as PeerMessage);
  return decodeBody(frame.subarray(frameHeaderBytes)).m;
}

/** A syn, an ack carrying records and a ring, an ack2 and an ok, all made by real cores. */
function exchange(): { syn: MembershipSyn; ack: MembershipAck; ack2: MembershipAck2 } {
  // Each side changed its own record: the ack carries b's, the ack2 a's.
  const a = core('n1');
  const b = core('n2');
  a.updateSelf({ http: 'moved' }, 0);
  b.updateSelf({ http: 'moved' }, 0);
  b.completeTransfer(0, 'n2', 0); // refused (nothing pending), harmless
  const fresh = new GossipCore({ self: { id: 'n9', http: 'h', peer: 'p', weight: 1 }, ringSize: 16, n: 3, generation: 1, nowMs: 0 });
  fresh.join('n1', 0);
  const random = new SeededRandom(1);
  const syn = a.tick(1000, random)[0].message;
  const ack = b.receive('n1', wire(syn), 1000);
  if (!ack.ok || ack.reply?.type !== 'membership.ack') throw new Error('no ack');
  // A ring travels when the rings differ: ask the fresh node's syn (no ring) to get one.
  const freshSyn = fresh.tick(1000, random)[0].message;
  const ackWithRing = a.receive(undefined, wire(freshSyn), 1000);
  if (!ackWithRing.ok || ackWithRing.reply?.type !== 'membership.ack') throw new Error('no ack');
  const ack2 = a.receive('n2', wire(ack.reply), 1000);
  if (!ack2.ok || ack2.reply?.type !== 'membership.ack2') throw new Error('no ack2');
  expect((ackWithRing.reply as MembershipAck).ring).not.toBeNull();
  return { syn, ack: ackWithRing.reply as MembershipAck, ack2: ack2.reply as MembershipAck2 };
}

describe('membership messages on the wire', () => {
  it('round-trip through the frame codec and parse', () => {
    // Proves that what the cores send is plain data the transport accepts, and that it parses
    // back to the same content (maps, rings, records).
    const { syn, ack, ack2 } = exchange();
    for (const message of [syn, ack, ack2, membershipOk]) {
      const parsed = parseMembershipMessage(wire(message));
      expect(parsed.ok, parsed.ok ? '' : parsed.problem).toBe(true);
    }
    expect(wire(ack)).toEqual(ack);
  });

  it('refuses any mutation of a field without throwing or touching the state', () => {
    // Proves robustness against hostile peers: for each message kind, fast-check replaces one
    // field with arbitrary data, deletes it, or adds a stray one; the parser answers without
    // throwing, and a core that refuses the message keeps its serial.
    const messages = exchange();
    const target = core('n3');
    fc.assert(
      fc.property(
        fc.constantFrom(messages.syn, messages.ack, messages.ack2),
        fc.nat(),
        fc.oneof(fc.anything(), fc.constant(undefined), fc.constant(-1), fc.constant(2 ** 60), fc.constant('x'.repeat(300))),
        fc.constantFrom('replace', 'delete', 'add'),
        (message, pick, junk, how) => {
          const copy = structuredClone(message) as unknown as Record<string, unknown>;
          const fields = Object.keys(copy);
          const field = fields[pick % fields.length];
          if (how === 'replace') copy[field] = junk;
          else if (how === 'delete') delete copy[field];
          else copy.stray = junk;
          const parsed = parseMembershipMessage(copy);
          const serial = target.serial;
          const result = target.receive(undefined, copy, 2000);
          if (!parsed.ok) {
            expect(result.ok).toBe(false);
            expect(target.serial).toBe(serial);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses arbitrary values', () => {
    // Proves the parser is total: any value at all (fast-check's anything) gets an answer.
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const parsed = parseMembershipMessage(value);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('checks bounds and cross-references', () => {
    // Proves specific checks, each on an otherwise valid message: lengths over membersMax,
    // mismatched parallel arrays, ids out of the table, targets that are no claimed member,
    // unsorted ids, negative or fractional counts, bad statuses, a ring of another shape.
    const { syn, ack } = exchange();
    const ring = ack.ring;
    if (ring === null) throw new Error('ring expected');
    const bad = (message: unknown, what: string) => {
      const parsed = parseMembershipMessage(message);
      expect(parsed.ok, what).toBe(false);
    };
    const many = Array.from({ length: membersMax + 1 }, (_, i) => `m${i}`);
    bad({ ...syn, ids: many, versions: many.map(() => 1), generations: many.map(() => 1), beats: many.map(() => 1) }, 'too many ids');
    bad({ ...syn, versions: syn.versions.slice(1) }, 'lengths differ');
    bad({ ...syn, ids: syn.ids.map(() => 'same') }, 'repeated ids');
    bad({ ...syn, ids: ['__proto__', ...syn.ids.slice(1)] }, 'prototype id');
    bad({ ...syn, beats: syn.beats.map(() => 1.5) }, 'fractional beat');
    bad({ ...syn, versions: syn.versions.map(() => 0) }, 'version 0');
    bad({ ...syn, ringSize: 12 }, 'ring size not a power of two');
    bad({ ...syn, type: 'membership.nope' }, 'unknown type');
    bad({ ...ack, records: [{ ...ack.records[0], status: 'down' }] }, 'down is no gossiped status');
    bad({ ...ack, records: [{ ...ack.records[0], weight: -1 }] }, 'negative weight');
    bad({ ...ack, records: [{ ...ack.records[0], http: 'x'.repeat(1000) }] }, 'long address');
    bad({ ...ack, ring: { ...ring, owners: ring.owners.map(() => ring.ids.length) } }, 'owner index out of range');
    bad({ ...ack, ring: { ...ring, targets: ring.targets.slice(1) } }, 'targets too short');
    bad({ ...ack, ring: { ...ring, ids: ring.ids.slice().reverse() } }, 'ids unsorted');
    bad({ ...ack, ring: { ...ring, weights: ring.weights.map(() => 0) } }, 'no positive weight');
    bad({ ...ack, ring: { ...ring, counters: ring.counters.map(() => 0) } }, 'counter 0');
    bad({ ...ack, ring: { ...ring, n: 2 } }, 'ring of another n');
    bad({ ...ack, cluster: null }, 'a ring without a cluster');
    const extraId = { ...ring, ids: [...ring.ids, 'zz'], claimed: [...ring.claimed], targets: ring.targets.map(() => ring.ids.length) };
    bad({ ...ack, ring: extraId }, 'a target that is not claimed');
  });
});

describe('message size', () => {
  it('stays within membershipMessageBytesMax at every limit at once', () => {
    // Proves the documented worst case: an ack holding membersMax records with 64-byte ids and
    // maximal addresses and weights, every heartbeat and version, and a ring of ringSizeMax
    // partitions naming all of them, encodes within membershipMessageBytesMax (and so far within
    // the transport's frame limit).
    const ids = Array.from({ length: membersMax }, (_, i) => `${'x'.repeat(58)}${String(i).padStart(6, '0')}`);
    const address = 'a'.repeat(memberAddressLengthMax);
    const records: WireRecord[] = ids.map((id) => ({ id, http: address, peer: address, weight: 999_999.5, status: 'leaving', version: 2 ** 52 }));
    const claimedFor = ids.map((id) => ({ id, weight: 999_999.5 }));
    const targets = Array.from({ length: ringSizeMax }, (_, p) => ids[p % ids.length]);
    const ring = encodeRing({ ringSize: ringSizeMax, n: 64, plan: { version: 2 ** 52, claimedFor, targets }, owners: targets, counters: targets.map(() => 2 ** 52) });
    const big = 2 ** 52;
    const ack = {
      type: 'membership.ack', from: ids[0], cluster: 'c'.repeat(160), ringSize: ringSizeMax, n: 64,
      records, allRecords: true, ids, generations: ids.map(() => big), beats: ids.map(() => big),
      known: ids, versions: ids.map(() => big), membersDigest: big, ring, ringDigest: big,
    };
    expect(parseMembershipMessage(ack).ok).toBe(true);
    const bytes = encodeFrame(FrameKind.reply, 1, ack as unknown as PeerMessage).byteLength;
    expect(bytes).toBeLessThanOrEqual(membershipMessageBytesMax);
    expect(bytes).toBeGreaterThan(membershipMessageBytesMax / 2);
  });
});

describe('snapshots', () => {
  it('round-trip, and a corrupt one is refused', () => {
    // Proves persistence: a core resumed from another's snapshot holds the same state (digest),
    // through JSON as a node would store it; a truncated or altered snapshot throws a typed error.
    const a = core('n1');
    a.updateSelf({ weight: 2 }, 0);
    const json = JSON.parse(JSON.stringify(a.snapshot())) as unknown;
    const b = core('n1', json as ReturnType<GossipCore['snapshot']>, 2);
    expect(b.digest()).toBe(a.digest());
    expect(parseSnapshot(json).ok).toBe(true);
    const broken = { ...(json as Record<string, unknown>), records: 'nope' };
    expect(parseSnapshot(broken).ok).toBe(false);
    expect(() => core('n1', broken as never)).toThrow(MembershipError);
    const shape = formedClusterSnapshot(ids, 32, 3, []);
    expect(() => core('n1', shape)).toThrow(/Q=32/);
  });
});
