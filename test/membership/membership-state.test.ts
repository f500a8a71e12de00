// Proves that the membership state is a CRDT whose derived ring converges: merge is commutative,
// associative and idempotent on arbitrary states (fast-check), and so is merge followed by the
// deterministic normalization (re-claim, orphan adoption); concurrent re-claims from different
// inputs end on one plan; ownership only moves by a completed transfer to the pending owner.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/common/types.js';
import {
  activeMembers,
  adoptOrphans,
  completeTransfer,
  foundCluster,
  membershipStatuses,
  mergeStates,
  needsClaim,
  ownership,
  reclaim,
  type MemberRecord,
  type MembershipState,
  type RingState,
} from '../../core/membership/membership-state.js';
import { canonicalState, membersDigest, ringDigest } from '../../core/membership/membership-digest.js';
import { claim } from '../../core/ring/claim.js';

const ringSize = 8;
const n = 2;
const pool = ['a', 'b', 'c', 'd', 'e'];

const recordArb: fc.Arbitrary<MemberRecord> = fc.record({
  id: fc.constantFrom(...pool),
  http: fc.constantFrom('h1', 'h2'),
  peer: fc.constantFrom('p1', 'p2'),
  weight: fc.constantFrom(0, 1, 2),
  status: fc.constantFrom(...membershipStatuses),
  version: fc.integer({ min: 1, max: 4 }),
});

const ringArb: fc.Arbitrary<RingState> = fc
  .record({
    version: fc.integer({ min: 1, max: 4 }),
    claimed: fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: pool.length }),
    weights: fc.array(fc.constantFrom(1, 2), { minLength: pool.length, maxLength: pool.length }),
    targetPicks: fc.array(fc.nat(), { minLength: ringSize, maxLength: ringSize }),
    owners: fc.array(fc.constantFrom(...pool), { minLength: ringSize, maxLength: ringSize }),
    counters: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: ringSize, maxLength: ringSize }),
  })
  .map(({ version, claimed, weights, targetPicks, owners, counters }) => {
    const ids = claimed.slice().sort();
    const claimedFor = ids.map((id, i) => ({ id, weight: weights[i] }));
    const targets = targetPicks.map((pick) => ids[pick % ids.length]);
    return { ringSize, n, plan: { version, claimedFor, targets }, owners, counters };
  });

const stateArb: fc.Arbitrary<MembershipState> = fc
  .record({
    records: fc.uniqueArray(recordArb, { selector: (record) => record.id, maxLength: pool.length }),
    ring: fc.option(ringArb, { nil: null }),
  })
  .map(({ records, ring }) => ({ cluster: 'c', members: new Map(records.map((r) => [r.id, r])), ring }));

const same = (a: MembershipState, b: MembershipState) => expect(canonicalState(a)).toBe(canonicalState(b));

/** What every node does after a merge: re-claim and adopt orphans until nothing changes. */
function settle(state: MembershipState): MembershipState {
  for (let round = 0; round < 8; round++) {
    const next = adoptOrphans(reclaim(state));
    if (next === state) return state;
    state = next;
  }
  throw new Error('settle does not reach a fixed point');
}

describe('merge is a join', () => {
  it('is commutative, associative and idempotent', () => {
    // Proves the three CRDT laws on 1,000 random triples of states over five ids (every status,
    // tied versions, rings with random plans and registers), comparing canonical forms.
    fc.assert(
      fc.property(stateArb, stateArb, stateArb, (a, b, c) => {
        same(mergeStates(a, b), mergeStates(b, a));
        same(mergeStates(mergeStates(a, b), c), mergeStates(a, mergeStates(b, c)));
        same(mergeStates(a, a), a);
        same(mergeStates(mergeStates(a, b), b), mergeStates(a, b));
      }),
      { numRuns: 1000 },
    );
  });

  it('returns the very same state when the other side adds nothing', () => {
    // Proves that a node's serial (and so its persistence and re-routing) does not move on gossip
    // that brings nothing new: merging a state into itself, or a smaller one into it, is identity.
    fc.assert(
      fc.property(stateArb, stateArb, (a, b) => {
        const merged = mergeStates(a, b);
        expect(mergeStates(merged, a)).toBe(merged);
        expect(mergeStates(merged, merged)).toBe(merged);
      }),
      { numRuns: 300 },
    );
  });

  it('converges after normalization whatever the order of merges, and stays converged', () => {
    // Proves that two nodes that received the same states in different orders, normalizing after
    // each merge as GossipCore does (so their intermediate re-claims differ), agree after one
    // exchange, and that no gossip either of them received before can move them off that state:
    // stale gossip never makes converged nodes re-claim again (no oscillation).
    fc.assert(
      fc.property(fc.array(stateArb, { minLength: 2, maxLength: 5 }), fc.nat(), (states, rotation) => {
        const order = states.map((_, i) => states[(i + rotation) % states.length]).reverse();
        const fold = (list: MembershipState[]) => list.reduce((acc, s) => settle(mergeStates(acc, s)), settle(list[0]));
        const left = fold(states);
        const right = fold(order);
        const agreed = settle(mergeStates(left, right));
        same(settle(mergeStates(right, left)), agreed);
        for (const old of [...states, left, right]) same(settle(mergeStates(agreed, old)), agreed);
      }),
      { numRuns: 300 },
    );
  });
});

function upRecord(id: NodeId, weight = 1): MemberRecord {
  return { id, http: `h-${id}`, peer: `p-${id}`, weight, status: 'up', version: 1 };
}

/** A settled cluster of `ids`, every member up, the ring claimed for them and owned as claimed. */
function cluster(ids: NodeId[], q = 64): MembershipState {
  let state = foundCluster('c', upRecord(ids[0]), q, 3);
  const members = new Map(state.members);
  for (const id of ids.slice(1)) members.set(id, upRecord(id));
  state = reclaim({ ...state, members });
  const ring = state.ring as RingState;
  return { ...state, ring: { ...ring, owners: ring.plan.targets } };
}

function withRecord(state: MembershipState, record: MemberRecord): MembershipState {
  const members = new Map(state.members);
  members.set(record.id, record);
  return { ...state, members };
}

describe('claims and transfers', () => {
  it('concurrent joins seen in different orders end on one plan', () => {
    // Proves the tie-break: x joins at one node and y at another; each re-claims on its own (same
    // version, different plans); after exchanging states both pick the same winner, re-claim from
    // it for all five members, and hold identical states with the version two past the base.
    const base = cluster(['a', 'b', 'c']);
    const joinX = settle(withRecord(base, { ...upRecord('x'), status: 'joining' }));
    const joinY = settle(withRecord(base, { ...upRecord('y'), status: 'joining' }));
    expect(joinX.ring?.plan.version).toBe(joinY.ring?.plan.version);
    expect(canonicalState(joinX)).not.toBe(canonicalState(joinY));
    const atX = settle(mergeStates(joinX, joinY));
    const atY = settle(mergeStates(joinY, joinX));
    same(atX, atY);
    expect(atX.ring?.plan.claimedFor.map((m) => m.id)).toEqual(['a', 'b', 'c', 'x', 'y']);
    expect(atX.ring?.plan.version).toBe((base.ring?.plan.version ?? 0) + 2);
    expect(needsClaim(atX)).toBe(false);
  });

  it('a join moves exactly the joiner share, as pending transfers', () => {
    // Proves minimal movement through the state: a fifth equal member joining four makes
    // Q/5 partitions pending toward it and leaves every other partition where it is.
    const base = cluster(['a', 'b', 'c', 'd']);
    const joined = settle(withRecord(base, { ...upRecord('e'), status: 'joining' }));
    const view = ownership(joined);
    const pending = view?.pending.filter((to) => to !== null) ?? [];
    expect(pending.length).toBeLessThanOrEqual(Math.ceil(64 / 5));
    expect(pending.length).toBeGreaterThanOrEqual(Math.floor(64 / 5));
    expect(new Set(pending)).toEqual(new Set(['e']));
    expect(view?.owners).toEqual(base.ring?.owners);
  });

  it('moves ownership only to the pending owner', () => {
    // Proves completeTransfer's guard: completing toward anyone but the pending owner is refused
    // (a stale completion), and completing toward it moves the register with counter + 1.
    const base = cluster(['a', 'b', 'c']);
    const joined = settle(withRecord(base, { ...upRecord('d'), status: 'joining' }));
    const view = ownership(joined);
    const p = view?.pending.findIndex((to) => to === 'd') ?? -1;
    expect(p).toBeGreaterThanOrEqual(0);
    expect(completeTransfer(joined, p, 'a')).toBeUndefined();
    expect(completeTransfer(joined, -1, 'd')).toBeUndefined();
    const done = completeTransfer(joined, p, 'd');
    expect(done?.ring?.owners[p]).toBe('d');
    expect(done?.ring?.counters[p]).toBe((joined.ring?.counters[p] ?? 0) + 1);
    expect(done && completeTransfer(done, p, 'd')).toBeUndefined();
  });

  it('a leaver keeps its partitions until each is transferred', () => {
    // Proves that leaving re-claims without the leaver (all its partitions get pending owners)
    // and that a left member's straggler is still owned by it, never handed over unseen.
    const base = cluster(['a', 'b', 'c', 'd']);
    const leaving = settle(withRecord(base, { ...upRecord('b'), status: 'leaving', version: 2 }));
    const view = ownership(leaving);
    expect(view?.owners).toEqual(base.ring?.owners);
    base.ring?.owners.forEach((owner, p) => {
      if (owner === 'b') expect(view?.pending[p]).not.toBeNull();
    });
    const left = settle(withRecord(leaving, { ...upRecord('b'), status: 'left', version: 3 }));
    expect(ownership(left)?.owners).toEqual(base.ring?.owners);
  });

  it('hands a removed member partitions to their targets at once', () => {
    // Proves force-removal: a `removed` owner's partitions are adopted by their targets (counter
    // + 1), deterministically, and nothing else moves.
    const base = cluster(['a', 'b', 'c', 'd']);
    const removed = settle(withRecord(base, { ...upRecord('c'), status: 'removed', version: 2 }));
    const owners = ownership(removed)?.owners ?? [];
    expect(owners).not.toContain('c');
    owners.forEach((owner, p) => {
      if (base.ring?.owners[p] !== 'c') expect(owner).toBe(base.ring?.owners[p]);
    });
    expect(ownership(removed)?.pending.every((to) => to === null)).toBe(true);
  });

  it('re-claims for weights', () => {
    // Proves heterogeneity (§4.2) through the state: a member whose weight doubles is re-claimed
    // twice the share of the others.
    const base = cluster(['a', 'b', 'c']);
    const heavier = settle(withRecord(base, { ...upRecord('a', 2), version: 2 }));
    const targets = heavier.ring?.plan.targets ?? [];
    expect(targets.filter((id) => id === 'a').length).toBe(32);
    expect(activeMembers(heavier.members)).toEqual([
      { id: 'a', weight: 2 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 1 },
    ]);
    expect(heavier.ring?.plan.targets).toEqual(claim(64, activeMembers(heavier.members), 3, base.ring?.plan.targets));
  });

  it('digests tell states apart', () => {
    // Proves that the digests gossip compares change with any field of a record or the ring.
    const base = cluster(['a', 'b', 'c']);
    const changed = withRecord(base, { ...upRecord('b'), http: 'elsewhere' });
    expect(membersDigest(changed.members)).not.toBe(membersDigest(base.members));
    const ring = base.ring as RingState;
    const counters = ring.counters.slice();
    counters[5]++;
    expect(ringDigest({ ...ring, counters })).not.toBe(ringDigest(ring));
    expect(ringDigest(ring)).toBe(ringDigest({ ...ring, owners: ring.owners.slice() }));
  });
});
