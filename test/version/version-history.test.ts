// Property tests of what the console shows about a key's versions: each sibling's own clock (the
// context it was written with, plus its dot) survives every merge path, and the bounded history
// of superseded versions merges as a join and holds exactly the newest superseded writes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historyVersionsDefault } from '../../core/common/limits.js';
import { compareHistory, mergeHistories, type HistoryEntry } from '../../core/version/history.js';
import { coordinatePut, mergeSiblingSets, siblingSetEquals, type SiblingSet } from '../../core/version/sibling-set.js';
import { historyArb, mergeAll, runHistory, type Write } from './history.js';

const runs = { numRuns: 300 };

const dot = (v: { node: string; counter: number }) => `${v.node}:${v.counter}`;

function writesByDot(writes: readonly Write[]): Map<string, Write> {
  return new Map(writes.map((w) => [dot(w), w]));
}

describe("a sibling's own clock", () => {
  it('is the context it was written with, in every state after any puts and merges', () => {
    fc.assert(
      fc.property(historyArb(30), (steps) => {
        const { states, writes } = runHistory(steps);
        const byDot = writesByDot(writes);
        for (const state of [...states, mergeAll(states)]) {
          for (const sibling of state.siblings) {
            expect(sibling.past ?? {}).toEqual(byDot.get(dot(sibling))!.past);
          }
          for (const entry of state.history ?? []) expect(entry.past).toEqual(byDot.get(dot(entry))!.past);
        }
      }),
      runs,
    );
  });

  it("is the paper's Figure 3: two writes from one read share their ancestor", () => {
    // D1 and D2 written through Sx; D3 through Sy and D4 through Sz, both from a read of D2.
    const write = (n: number) => ({ value: new Uint8Array([n]), contentType: 'text/plain', lastModified: n, deleted: false });
    const put = (local: SiblingSet | undefined, context: Record<string, number>, node: string, n: number) => {
      const result = coordinatePut(local, context, node, write(n));
      if (!result.ok) throw new Error(result.message);
      return result.state;
    };
    const d1 = put(undefined, {}, 'Sx', 1);
    const d2 = put(d1, d1.vv, 'Sx', 2);
    const d3 = put(d2, d2.vv, 'Sy', 3);
    const d4 = put(d2, d2.vv, 'Sz', 4);
    const both = mergeSiblingSets(d3, d4);
    expect(both.siblings.map((s) => ({ ...s.past, [s.node]: s.counter }))).toEqual([
      { Sx: 2, Sy: 1 },
      { Sx: 2, Sz: 1 },
    ]);
    // D1 and D2 were superseded: the history keeps them, newest first, with their clocks.
    expect(both.history!.map((e) => [dot(e), { ...e.past, [e.node]: e.counter }])).toEqual([
      ['Sx:2', { Sx: 2 }],
      ['Sx:1', { Sx: 1 }],
    ]);
  });
});

describe('the version history', () => {
  it('holds exactly the newest superseded writes once the replicas are merged', () => {
    fc.assert(
      fc.property(historyArb(40), (steps) => {
        const { replicas, writes } = runHistory(steps);
        const merged = mergeAll(replicas);
        const current = new Set(merged.siblings.map(dot));
        const superseded = writes.filter((w) => !current.has(dot(w)));
        superseded.sort((a, b) => b.lastModified - a.lastModified);
        const expected = superseded.slice(0, historyVersionsDefault).map(dot);
        expect((merged.history ?? []).map(dot)).toEqual(expected);
      }),
      runs,
    );
  });

  it('merges as a join within a smaller bound too', () => {
    const max = 3;
    fc.assert(
      fc.property(historyArb(30), fc.nat(), fc.nat(), fc.nat(), (steps, i, j, k) => {
        const { states } = runHistory(steps);
        const [a, b, c] = [states[i % states.length], states[j % states.length], states[k % states.length]];
        const merge = (x: SiblingSet, y: SiblingSet) => mergeSiblingSets(x, y, max);
        const ab = merge(a, b);
        expect(siblingSetEquals(ab, merge(b, a))).toBe(true);
        expect(siblingSetEquals(merge(ab, c), merge(a, merge(b, c)))).toBe(true);
        expect(siblingSetEquals(merge(ab, ab), ab)).toBe(true);
        expect((ab.history ?? []).length).toBeLessThanOrEqual(max);
      }),
      runs,
    );
  });

  it('is off with a bound of 0: states carry no history', () => {
    fc.assert(
      fc.property(historyArb(20), fc.nat(), fc.nat(), (steps, i, j) => {
        const { states } = runHistory(steps);
        const merged = mergeSiblingSets(states[i % states.length], states[j % states.length], 0);
        expect(merged.history).toBeUndefined();
      }),
      runs,
    );
  });

  it('keeps the union of two histories, newest first, cut to the bound', () => {
    const entry = (node: string, counter: number, lastModified: number): HistoryEntry => ({
      node,
      counter,
      past: {},
      lastModified,
      size: 1,
      hash: 7,
      deleted: false,
    });
    const a = [entry('a', 3, 30), entry('a', 1, 10)];
    const b = [entry('b', 2, 20), entry('a', 1, 10)];
    const merged = mergeHistories(a, b, [], 2);
    expect(merged.map(dot)).toEqual(['a:3', 'b:2']);
    expect([...merged].sort(compareHistory)).toEqual(merged);
    // Nothing new: the same list back.
    expect(mergeHistories(a, [entry('a', 1, 10)], [], 2)).toBe(a);
  });
});
