// Property tests of sibling sets: merge laws, no acknowledged version lost, bounded siblings.

import fc from 'fast-check';
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { clockEntriesMax, siblingsMax } from '../../core/common/limits.js';
import {
  coordinatePut,
  dominates,
  emptySiblingSet,
  isTombstoneOnly,
  isValidSiblingSet,
  liveSiblings,
  mergeSiblingSets,
  needsRepair,
  siblingSetEquals,
  type Sibling,
  type SiblingSet,
  type SiblingWrite,
} from '../../core/version/sibling-set.js';
import { vvEqual, vvMerge, type VersionVector } from '../../core/version/vector-clock.js';
import {
  dotsOf,
  historyArb,
  mergeAll,
  replicaIds,
  runHistory,
  valueOf,
  type Step,
} from './history.js';

const runs = { numRuns: 300 };

function write(n: number, deleted = false): SiblingWrite {
  return {
    value: deleted ? new Uint8Array(0) : valueOf(n),
    contentType: 'text/plain',
    lastModified: 1_700_000_000_000 + n,
    deleted,
  };
}

function put(
  local: SiblingSet | undefined,
  context: VersionVector,
  coordinator: string,
  w: SiblingWrite,
): SiblingSet {
  const result = coordinatePut(local, context, coordinator, w);
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

/**
 * Three states from one random history: any states any replicas held at any time. They come
 * from one history because a dot names one write only within one key's history.
 */
const realisticTriple: fc.Arbitrary<[SiblingSet, SiblingSet, SiblingSet]> = fc
  .tuple(historyArb(25), fc.nat(), fc.nat(), fc.nat())
  .map(([steps, i, j, k]) => {
    const { states } = runHistory(steps);
    return [states[i % states.length], states[j % states.length], states[k % states.length]];
  });

/** Three replicas' states after one shared history, so they are related as real replicas are. */
const relatedStates = historyArb(30).map((steps) => runHistory(steps).replicas);

/**
 * An arbitrary canonical state over nodes a..d: any vector, and any subset of the dots it
 * covers as siblings. A sibling's fields are a function of its dot, as dots are unique writes.
 */
const arbitraryState: fc.Arbitrary<SiblingSet> = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 4 }),
    fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
  )
  .map(([counters, keep]) => {
    const nodes = ['a', 'b', 'c', 'd'];
    const vv: VersionVector = {};
    const siblings: Sibling[] = [];
    nodes.forEach((node, i) => {
      if (counters[i] === 0) return;
      vv[node] = counters[i];
      for (let c = 1; c <= counters[i]; c++) {
        if (!keep[(i * 4 + c - 1) % 16]) continue;
        siblings.push({
          node,
          counter: c,
          value: valueOf(i * 100 + c),
          contentType: 'text/plain',
          lastModified: c,
          deleted: (i + c) % 5 === 0,
        });
      }
    });
    return { vv, siblings };
  });

const arbitraryTriple = fc.tuple(arbitraryState, arbitraryState, arbitraryState);

describe('mergeSiblingSets is a join', () => {
  for (const [name, triple] of [
    ['realistic', realisticTriple],
    ['arbitrary', arbitraryTriple],
  ] as const) {
    it(`is commutative, associative and idempotent on ${name} states`, () => {
      // Proves the algebra that lets hints, read repair and anti-entropy apply states in any
      // order and any number of times, by checking the three laws on random triples.
      fc.assert(
        fc.property(triple, ([a, b, c]) => {
          const ab = mergeSiblingSets(a, b);
          expect(siblingSetEquals(ab, mergeSiblingSets(b, a))).toBe(true);
          expect(
            siblingSetEquals(mergeSiblingSets(ab, c), mergeSiblingSets(a, mergeSiblingSets(b, c))),
          ).toBe(true);
          expect(siblingSetEquals(mergeSiblingSets(a, a), a)).toBe(true);
          expect(siblingSetEquals(mergeSiblingSets(ab, b), ab)).toBe(true);
        }),
        runs,
      );
    });
  }

  it('holds the laws on states of replicas that share one history', () => {
    // Proves the laws on the states that actually meet in a cluster (replicas of one key that
    // exchanged some states), and that the merges of all replicas agree in every order.
    fc.assert(
      fc.property(relatedStates, ([a, b, c]) => {
        const abc = mergeSiblingSets(mergeSiblingSets(a, b), c);
        expect(siblingSetEquals(abc, mergeSiblingSets(c, mergeSiblingSets(b, a)))).toBe(true);
        expect(siblingSetEquals(abc, mergeSiblingSets(mergeSiblingSets(c, a), b))).toBe(true);
        expect(siblingSetEquals(mergeSiblingSets(abc, a), abc)).toBe(true);
      }),
      runs,
    );
  });

  it('returns canonical states that encode to the same bytes whatever the order', () => {
    // Proves that equal states are structurally equal down to their msgpack bytes (so replicas'
    // Merkle hashes agree), by packing merges done in both orders and checking validity.
    fc.assert(
      fc.property(fc.oneof(realisticTriple, arbitraryTriple), ([a, b]) => {
        const ab = mergeSiblingSets(a, b);
        const ba = mergeSiblingSets(b, a);
        expect(isValidSiblingSet(ab)).toBe(true);
        expect(ab).toEqual(ba);
        expect(Buffer.from(pack(ab)).equals(Buffer.from(pack(ba)))).toBe(true);
      }),
      runs,
    );
  });
});

describe('no acknowledged version is lost', () => {
  it('keeps exactly the writes no later context covered, after any puts and merges', () => {
    // Proves Riak's model check: after a random history of puts (with empty, stale, partial and
    // full-read contexts, on any coordinator) and merges in any order, the merge of all
    // replicas holds every acknowledged write that no later put's context superseded, and
    // nothing else.
    fc.assert(
      fc.property(historyArb(40), (steps) => {
        const { replicas, writes } = runHistory(steps);
        const merged = mergeAll(replicas);
        const expected = writes.filter((w) => !w.superseded).map((w) => `${w.node}:${w.counter}`);
        expect(dotsOf(merged.siblings).sort()).toEqual(expected.sort());
        for (const s of merged.siblings) {
          const index = writes.findIndex((w) => w.node === s.node && w.counter === s.counter);
          expect(s.deleted).toBe(writes[index].deleted);
          if (!s.deleted) expect(s.value).toEqual(valueOf(index));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never lets a merge remove a sibling that neither side superseded', () => {
    // Proves the local form of the same property: every state any replica ever held is valid
    // and canonical, and each replica's siblings are all still present or superseded at the end.
    fc.assert(
      fc.property(historyArb(40), (steps) => {
        const { replicas, writes, states } = runHistory(steps);
        for (const state of states) expect(isValidSiblingSet(state)).toBe(true);
        const merged = new Set(dotsOf(mergeAll(replicas).siblings));
        for (const state of states) {
          for (const s of state.siblings) {
            const w = writes.find((x) => x.node === s.node && x.counter === s.counter)!;
            expect(w.superseded || merged.has(`${s.node}:${s.counter}`)).toBe(true);
          }
        }
      }),
      runs,
    );
  });
});

describe('dominates and needsRepair', () => {
  it('agree with the merge they predict', () => {
    // Proves that read repair's test is exact: needsRepair(r, m) is true exactly when merging
    // m into r changes r, on realistic and arbitrary pairs.
    fc.assert(
      fc.property(fc.oneof(realisticTriple, arbitraryTriple), ([r, m]) => {
        const changed = !siblingSetEquals(mergeSiblingSets(r, m), r);
        expect(needsRepair(r, m)).toBe(changed);
        expect(dominates(r, m)).toBe(!changed);
        expect(needsRepair(mergeSiblingSets(r, m), m)).toBe(false);
      }),
      runs,
    );
  });

  it('holds for a replica that missed the last write', () => {
    // Proves the read-repair case by hand: a replica without the newest write needs repair,
    // and after the merge it no longer does.
    const a = put(undefined, {}, 'a', write(1));
    const newer = put(a, a.vv, 'a', write(2));
    expect(needsRepair(a, newer)).toBe(true);
    expect(needsRepair(newer, a)).toBe(false);
    expect(needsRepair(mergeSiblingSets(a, newer), newer)).toBe(false);
  });
});

describe('sibling explosion', () => {
  const alternating = fc.array(
    fc.record({
      client: fc.integer({ min: 0, max: 1 }),
      coordinator: fc.integer({ min: 0, max: 2 }),
      replicateTo: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      merges: fc.array(
        fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
        { maxLength: 2 },
      ),
    }),
    { minLength: 1, maxLength: 60 },
  );

  for (const coordinators of [1, 3]) {
    it(`stays at two siblings for two writers through ${coordinators} coordinator(s)`, () => {
      // Proves that dots stop the sibling explosion of plain vector clocks: two clients each
      // reuse the context their own last put returned, their puts land on one or several
      // coordinators and spread to random replicas, and no replica (nor the merge of all)
      // ever holds more siblings than the two truly concurrent writers.
      fc.assert(
        fc.property(alternating, (steps) => {
          const replicas = replicaIds.map(() => emptySiblingSet());
          const contexts: VersionVector[] = [{}, {}];
          const writes: { node: string; counter: number; superseded: boolean }[] = [];
          steps.forEach((step, n) => {
            const c = step.coordinator % coordinators;
            const context = contexts[step.client];
            for (const w of writes) if ((context[w.node] ?? 0) >= w.counter) w.superseded = true;
            const result = coordinatePut(replicas[c], context, replicaIds[c], write(n));
            expect(result.ok).toBe(true);
            if (!result.ok) return;
            replicas[c] = result.state;
            contexts[step.client] = result.state.vv;
            writes.push({ ...result.sibling, superseded: false });
            step.replicateTo.forEach((send, r) => {
              if (send) replicas[r] = mergeSiblingSets(replicas[r], result.state);
            });
            for (const [from, to] of step.merges) {
              replicas[to] = mergeSiblingSets(replicas[to], replicas[from]);
            }
            for (const replica of replicas) expect(replica.siblings.length).toBeLessThanOrEqual(2);
          });
          // The merge of all replicas holds exactly the writes neither client superseded:
          // at most each client's newest.
          const merged = mergeAll(replicas);
          const survivors = dotsOf(writes.filter((w) => !w.superseded));
          expect(dotsOf(merged.siblings).sort()).toEqual(survivors.sort());
          expect(merged.siblings.length).toBeGreaterThanOrEqual(1);
          expect(merged.siblings.length).toBeLessThanOrEqual(2);
        }),
        runs,
      );
    });
  }
  it('makes a blind put a sibling and a full-context put the only version', () => {
    // Proves the two ends of the context's meaning on realistic states: an empty context
    // supersedes nothing, a context that covers everything supersedes everything, also once
    // the other replicas' states are merged in.
    fc.assert(
      fc.property(historyArb(25), fc.integer({ min: 0, max: 2 }), (steps, c) => {
        const { replicas } = runHistory(steps);
        const node = replicaIds[c];
        const blind = put(replicas[c], {}, node, write(999));
        expect(blind.siblings.length).toBe(replicas[c].siblings.length + 1);
        const before = dotsOf(replicas[c].siblings);
        expect(dotsOf(blind.siblings)).toEqual(expect.arrayContaining(before));

        const read = mergeAll(replicas);
        const full = put(replicas[c], read.vv, node, write(1000));
        expect(full.siblings.length).toBe(1);
        expect(full.siblings[0].value).toEqual(valueOf(1000));
        const all = mergeAll([...replicas.filter((_, i) => i !== c), full]);
        expect(dotsOf(all.siblings)).toEqual(dotsOf(full.siblings));
        expect(vvEqual(all.vv, full.vv)).toBe(true);
      }),
      runs,
    );
  });

  it('gives concurrent puts on two coordinators with one context two siblings', () => {
    // Proves by hand that concurrency is never lost: two coordinators each accept a put with
    // the same context, and the merge keeps both.
    const base = put(undefined, {}, 'a', write(1));
    const b = mergeSiblingSets(emptySiblingSet(), base);
    const onA = put(base, base.vv, 'a', write(2));
    const onB = put(b, base.vv, 'b', write(3));
    const merged = mergeSiblingSets(onA, onB);
    expect(dotsOf(merged.siblings)).toEqual(['a:2', 'b:1']);
    expect(merged.vv).toEqual({ a: 2, b: 1 });
  });
});

describe('tombstones', () => {
  it('deletes with a tombstone and lives again after a put with its context', () => {
    // Proves a delete is a versioned write: with the read's context it leaves only a
    // tombstone; a put with the tombstone's context supersedes it and the key is live again.
    const v1 = put(undefined, {}, 'a', write(1));
    const deleted = put(v1, v1.vv, 'b', write(2, true));
    expect(isTombstoneOnly(deleted)).toBe(true);
    expect(liveSiblings(deleted)).toEqual([]);
    const stale = mergeSiblingSets(deleted, v1);
    expect(isTombstoneOnly(stale)).toBe(true);

    const again = put(deleted, deleted.vv, 'c', write(3));
    expect(isTombstoneOnly(again)).toBe(false);
    expect(again.siblings.length).toBe(1);
    expect(liveSiblings(again)[0].value).toEqual(valueOf(3));
    expect(isTombstoneOnly(mergeAll([v1, deleted, again]))).toBe(false);
  });

  it('keeps a value a blind delete did not see', () => {
    // Proves a delete without context is only a sibling: the value it did not see stays live.
    const v1 = put(undefined, {}, 'a', write(1));
    const blindDelete = put(v1, {}, 'a', write(2, true));
    expect(isTombstoneOnly(blindDelete)).toBe(false);
    expect(liveSiblings(blindDelete).map((s) => s.counter)).toEqual([1]);
    expect(isTombstoneOnly(emptySiblingSet())).toBe(false);
  });
});

describe('bounds', () => {
  it(`refuses a put past ${siblingsMax} siblings, and accepts a resolution`, () => {
    // Proves the sibling bound is a typed refusal, never a silent drop: siblingsMax blind puts
    // fit, the next is refused with too_many_siblings, and a put that read everything fits.
    let state: SiblingSet | undefined;
    for (let i = 0; i < siblingsMax; i++) state = put(state, {}, 'a', write(i));
    const refused = coordinatePut(state, {}, 'a', write(siblingsMax));
    expect(refused).toMatchObject({ ok: false, code: 'too_many_siblings', limit: siblingsMax });
    const partial = coordinatePut(state, { a: 1 }, 'b', write(siblingsMax));
    expect(partial.ok).toBe(true);
    const resolved = put(state, state!.vv, 'b', write(siblingsMax + 1));
    expect(resolved.siblings.length).toBe(1);
  });

  it(`refuses a put that would need more than ${clockEntriesMax} clock entries`, () => {
    // Proves the clock bound is a typed refusal rather than pruning: clockEntriesMax
    // coordinators fill the vector, a new one is refused, a known one still writes.
    let state: SiblingSet | undefined;
    for (let i = 0; i < clockEntriesMax; i++) {
      state = put(state, state?.vv ?? {}, `n${i}`, write(i));
    }
    expect(Object.keys(state!.vv).length).toBe(clockEntriesMax);
    const refused = coordinatePut(state, state!.vv, 'newcomer', write(0));
    expect(refused).toMatchObject({ ok: false, code: 'too_many_clock_entries' });
    expect(coordinatePut(state, state!.vv, 'n3', write(0)).ok).toBe(true);
  });

  it('merges past the bounds rather than dropping', () => {
    // Proves merges never refuse: two partitioned sides with siblingsMax siblings each merge
    // into one state holding all of them.
    let left: SiblingSet | undefined;
    let right: SiblingSet | undefined;
    for (let i = 0; i < siblingsMax; i++) {
      left = put(left, {}, 'a', write(i));
      right = put(right, {}, 'b', write(i));
    }
    const merged = mergeSiblingSets(left!, right!);
    expect(merged.siblings.length).toBe(2 * siblingsMax);
    expect(merged.vv).toEqual(vvMerge(left!.vv, right!.vv));
  });
});

describe('coordinatePut', () => {
  it('mints the next dot above both the context and the local clock', () => {
    // Proves the dot rule by hand, including a context that is ahead of the local replica.
    const local = put(undefined, {}, 'a', write(1));
    const ahead: VersionVector = { a: 5, b: 2 };
    const result = coordinatePut(local, ahead, 'a', write(2));
    expect(result.ok && result.sibling.counter).toBe(6);
    expect(result.ok && result.state.vv).toEqual({ a: 6, b: 2 });
    expect(result.ok && dotsOf(result.state.siblings)).toEqual(['a:6']);
  });

  it('does not change its arguments', () => {
    // Proves states are values: a put and a merge leave their inputs as they were.
    const steps: Step[] = [
      { type: 'put', coordinator: 0, context: { type: 'empty' }, deleted: false },
      { type: 'put', coordinator: 1, context: { type: 'empty' }, deleted: false },
    ];
    const { replicas } = runHistory(steps);
    const before = structuredClone(replicas);
    put(replicas[0], replicas[1].vv, 'a', write(3));
    mergeSiblingSets(replicas[0], replicas[1]);
    expect(replicas).toEqual(before);
  });
});
