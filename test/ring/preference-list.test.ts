// Tests of annotated preference lists: fallbacks stand in for down primaries, with hints.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotatedPreferenceList, type AnnotatedNode } from '../../core/ring/preference-list.js';
import { Ring } from '../../core/ring/ring.js';
import { makeMembers } from './ring-helpers.js';

/** The model: Riak's get_apl_ann, written as plainly as possible. */
function modelList(ring: Ring, partition: number, up: ReadonlySet<string>): AnnotatedNode[] {
  const primaries = ring.preferenceList(partition);
  const others = ring.extendedPreferenceList(partition).slice(primaries.length);
  const result: AnnotatedNode[] = primaries.filter((id) => up.has(id)).map((node) => ({ node, role: 'primary' }));
  const down = primaries.filter((id) => !up.has(id));
  const standIns = others.filter((id) => up.has(id));
  down.forEach((hintFor, i) => {
    if (i < standIns.length) result.push({ node: standIns[i], role: 'fallback', hintFor });
  });
  return result;
}

describe('annotatedPreferenceList', () => {
  it('is the preference list, all primaries, when every node is up', () => {
    // Proves the healthy case on every partition of a 64-partition, 6-member ring with n = 3.
    const ring = Ring.create(64, makeMembers(6), 3);
    for (let p = 0; p < 64; p++) {
      const list = annotatedPreferenceList(ring, p, () => true);
      expect(list).toEqual(ring.preferenceList(p).map((node) => ({ node, role: 'primary' })));
    }
  });

  it('replaces each down primary, in order, by the next healthy node and names it in hintFor', () => {
    // Proves the substitution on a hand-checked case: with primaries [a, b, c] and fallbacks
    // [d, e, ...], a and c down and d down too, the list is b (primary), then e for a, f for c.
    const ring = Ring.create(64, makeMembers(8), 3);
    const extended = ring.extendedPreferenceList(10);
    const [a, b, c, d, e, f] = extended;
    const down = new Set([a, c, d]);
    const list = annotatedPreferenceList(ring, 10, (id) => !down.has(id));
    expect(list).toEqual([
      { node: b, role: 'primary' },
      { node: e, role: 'fallback', hintFor: a },
      { node: f, role: 'fallback', hintFor: c },
    ]);
  });

  it('returns what there is when fewer than n nodes are healthy', () => {
    // Proves the short list: 4 members, n = 3, three of them down leaves one entry; all down
    // leaves none.
    const ring = Ring.create(16, makeMembers(4), 3);
    const survivor = ring.extendedPreferenceList(5)[3];
    const list = annotatedPreferenceList(ring, 5, (id) => id === survivor);
    expect(list).toEqual([{ node: survivor, role: 'fallback', hintFor: ring.preferenceList(5)[0] }]);
    expect(annotatedPreferenceList(ring, 5, () => false)).toEqual([]);
  });

  it('asks isUp once per node it looks at', () => {
    // Proves the health callback is not called repeatedly for one node (it may be a map lookup
    // or a failure-detector query).
    const ring = Ring.create(64, makeMembers(8), 3);
    const asked = new Map<string, number>();
    annotatedPreferenceList(ring, 3, (id) => {
      asked.set(id, (asked.get(id) ?? 0) + 1);
      return id !== ring.preferenceList(3)[1];
    });
    for (const count of asked.values()) expect(count).toBe(1);
  });

  it('agrees with the model on random rings and random failures, never duplicating a node', () => {
    // Proves the general case by property: fast-check draws a ring (size, members, weights, n)
    // and a set of down nodes; the list must equal the get_apl_ann model, hold distinct healthy
    // nodes only, have min(preference length, healthy members) entries, and every fallback's
    // hintFor must be a down primary, each at most once.
    const arbitrary = fc.record({
      ringSize: fc.constantFrom(8, 16, 32, 64),
      weights: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 }),
      n: fc.integer({ min: 1, max: 5 }),
      downMask: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      partition: fc.nat(),
    });
    fc.assert(
      fc.property(arbitrary, ({ ringSize, weights, n, downMask, partition }) => {
        fc.pre(weights.some((weight) => weight > 0));
        const members = weights.map((weight, i) => ({ id: `n${i}`, weight }));
        const ring = Ring.create(ringSize, members, n);
        const up = new Set(members.filter((_, i) => !downMask[i]).map((member) => member.id));
        const p = partition % ringSize;
        const list = annotatedPreferenceList(ring, p, (id) => up.has(id));
        expect(list).toEqual(modelList(ring, p, up));
        const nodes = list.map((entry) => entry.node);
        expect(new Set(nodes).size).toBe(nodes.length);
        for (const node of nodes) expect(up.has(node)).toBe(true);
        const healthy = ring.members.filter((id) => up.has(id)).length;
        expect(list.length).toBe(Math.min(ring.preferenceList(p).length, healthy));
        const primaries = ring.preferenceList(p);
        const hinted = list.filter((entry) => entry.role === 'fallback').map((entry) => entry.hintFor!);
        expect(new Set(hinted).size).toBe(hinted.length);
        for (const id of hinted) expect(primaries.includes(id) && !up.has(id)).toBe(true);
        for (const entry of list) expect(entry.role === 'primary').toBe(primaries.includes(entry.node));
      }),
      { numRuns: 300, seed: 20070801 },
    );
  });

  it('spreads a failed node\'s load over many stand-ins', () => {
    // Measures §4.6's point about spreading load: for each node of a 64-partition ring with 8
    // members (n = 3) taken down alone, how many distinct nodes receive its hints, compared with
    // a plain round-robin ring, where the same n nodes always stand in.
    const ring = Ring.create(64, makeMembers(8), 3);
    const roundRobin = new Ring({ ringSize: 64, n: 3, owners: Array.from({ length: 64 }, (_, p) => `n0${p % 8}`), version: 1 });
    const standIns = (r: Ring): number[] =>
      r.members.map((failed) => {
        const nodes = new Set<string>();
        for (let p = 0; p < r.ringSize; p++) {
          for (const entry of annotatedPreferenceList(r, p, (id) => id !== failed)) {
            if (entry.hintFor === failed) nodes.add(entry.node);
          }
        }
        return nodes.size;
      });
    const ours = standIns(ring);
    const plain = standIns(roundRobin);
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    console.log(`distinct stand-ins for a failed node: claim ${mean(ours).toFixed(2)}, round-robin ${mean(plain).toFixed(2)}`);
    expect(mean(ours)).toBeGreaterThan(mean(plain));
  });
});
