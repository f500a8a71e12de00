// Tests of version vectors: coverage, descent, merge, canonical form.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidNodeId,
  isValidVersionVector,
  vvCovers,
  vvDescends,
  vvEqual,
  vvGet,
  vvMerge,
  vvMergeWith,
  vvSize,
  type VersionVector,
} from '../../core/version/vector-clock.js';

const nodes = ['a', 'b', 'c', '10', '9', 'constructor'];
const vvArb: fc.Arbitrary<VersionVector> = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: nodes.length, maxLength: nodes.length })
  .chain((counters) =>
    fc.shuffledSubarray(nodes, { minLength: nodes.length }).map((order) => {
      const vv: VersionVector = {};
      for (const node of order) {
        const counter = counters[nodes.indexOf(node)];
        if (counter > 0) vv[node] = counter;
      }
      return vv;
    }),
  );

describe('vector clocks', () => {
  it('merge is the least upper bound, and canonical', () => {
    // Proves vvMerge is commutative, associative, idempotent and descends both inputs, on
    // vectors built in random key orders (numeric-looking and prototype-named ids included),
    // and that equal merges enumerate their keys identically.
    fc.assert(
      fc.property(vvArb, vvArb, vvArb, (a, b, c) => {
        const ab = vvMerge(a, b);
        expect(vvEqual(ab, vvMerge(b, a))).toBe(true);
        expect(Object.keys(ab)).toEqual(Object.keys(vvMerge(b, a)));
        expect(vvEqual(vvMerge(ab, c), vvMerge(a, vvMerge(b, c)))).toBe(true);
        expect(vvEqual(vvMerge(a, a), a)).toBe(true);
        expect(vvDescends(ab, a) && vvDescends(ab, b)).toBe(true);
        expect(vvDescends(a, b) && vvDescends(b, a)).toBe(vvEqual(a, b));
        expect(vvSize(ab)).toBe(new Set([...Object.keys(a), ...Object.keys(b)]).size);
        expect(isValidVersionVector(ab)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('answers coverage per dot and ignores prototype members', () => {
    // Proves vvCovers and vvGet by hand, including ids that name Object.prototype members.
    const vv: VersionVector = { a: 2 };
    expect(vvCovers(vv, 'a', 2)).toBe(true);
    expect(vvCovers(vv, 'a', 3)).toBe(false);
    expect(vvCovers(vv, 'toString', 1)).toBe(false);
    expect(vvGet(vv, 'constructor')).toBe(0);
    expect(vvGet(vv, '__proto__')).toBe(0);
    expect(vvMergeWith(vv, { b: 1 }, 'a', 5)).toEqual({ a: 5, b: 1 });
    expect(vvMergeWith(vv, { b: 1 }, 'c', 1)).toEqual({ a: 2, b: 1, c: 1 });
  });

  it('validates node ids and vectors', () => {
    // Proves the edge checks refuse what would corrupt a vector: '__proto__', empty or
    // oversized ids, lone surrogates, zero or fractional counters, non-plain objects.
    expect(isValidNodeId('n1')).toBe(true);
    expect(isValidNodeId('')).toBe(false);
    expect(isValidNodeId('__proto__')).toBe(false);
    expect(isValidNodeId('x'.repeat(65))).toBe(false);
    expect(isValidNodeId('\ud800')).toBe(false);
    expect(isValidVersionVector({ a: 1 })).toBe(true);
    expect(isValidVersionVector({ a: 0 })).toBe(false);
    expect(isValidVersionVector({ a: 1.5 })).toBe(false);
    expect(isValidVersionVector(JSON.parse('{"__proto__": 1}'))).toBe(false);
    expect(isValidVersionVector([1])).toBe(false);
    expect(isValidVersionVector(new Map())).toBe(false);
  });
});
