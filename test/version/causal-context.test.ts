// Causal contexts with loose dots: a PUT's returned context covers exactly what its client has
// seen, so writers that reuse their own contexts neither lose each other's writes nor pile up
// siblings (Riak's sibling explosion), and contexts survive sealing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextDotsMax } from '../../core/common/limits.js';
import {
  contextAfterWrite,
  contextCovers,
  emptyContext,
  foldDots,
  type CausalContext,
} from '../../core/version/causal-context.js';
import { ContextCodec } from '../../core/version/context.js';
import { coordinatePut, liveSiblings, mergeSiblingSets, type SiblingSet } from '../../core/version/sibling-set.js';
import { contextMac } from '../../core/node/context-mac.js';

const text = (s: string) => new TextEncoder().encode(s);
const read = (state: SiblingSet) => liveSiblings(state).map((s) => new TextDecoder().decode(s.value)).sort();

/** One replica coordinating every write, as a single preference-list node would. */
function writeThrough(state: SiblingSet | undefined, context: CausalContext, value: string, node = 'n1') {
  const result = coordinatePut(
    state,
    context.vv,
    node,
    { value: text(value), contentType: 'text/plain', lastModified: 0, deleted: false },
    context.dots,
  );
  if (!result.ok) throw new Error(result.message);
  return { state: result.state, context: contextAfterWrite(context, [node, result.sibling.counter]) };
}

describe('causal contexts', () => {
  it('two blind writers that reuse their own contexts keep both values and at most two siblings', () => {
    // Client A and B write the same key alternately through one coordinator, each passing the
    // context its own last write returned. Neither ever read the other's value, so the other's
    // latest value must survive every write, and siblings never exceed the two writers.
    let state: SiblingSet | undefined;
    let a = emptyContext();
    let b = emptyContext();
    for (let round = 1; round <= 50; round++) {
      ({ state, context: a } = writeThrough(state, a, `a${round}`));
      expect(read(state!)).toContain(`a${round}`);
      if (round > 1) expect(read(state!)).toContain(`b${round - 1}`);
      ({ state, context: b } = writeThrough(state, b, `b${round}`));
      expect(read(state!)).toEqual([`a${round}`, `b${round}`]);
    }
    expect(a.dots.length).toBeLessThanOrEqual(contextDotsMax);
  });

  it('a read context replaces everything the reader saw', () => {
    // After both writers' values are siblings, a client that reads (context = the state's
    // vector) and writes a resolution leaves exactly one sibling.
    let state: SiblingSet | undefined;
    ({ state } = writeThrough(state, emptyContext(), 'x'));
    ({ state } = writeThrough(state, emptyContext(), 'y'));
    expect(read(state!)).toEqual(['x', 'y']);
    ({ state } = writeThrough(state, { vv: state!.vv, dots: [] }, 'resolved'));
    expect(read(state!)).toEqual(['resolved']);
  });

  it('a single writer keeps a plain vector: its dots fold in', () => {
    let state: SiblingSet | undefined;
    let context = emptyContext();
    for (let i = 0; i < 20; i++) ({ state, context } = writeThrough(state, context, `v${i}`));
    expect(context.dots).toEqual([]);
    expect(context.vv).toEqual({ n1: 20 });
    expect(read(state!)).toEqual(['v19']);
  });

  it('contexts from writes at different replicas merge without losing a write', () => {
    // Writers on two coordinators, replicas exchanging state after every step: every value
    // whose writer's later context did not cover it stays readable.
    let n1: SiblingSet | undefined;
    let n2: SiblingSet | undefined;
    let a = emptyContext();
    let b = emptyContext();
    for (let round = 1; round <= 20; round++) {
      ({ state: n1, context: a } = writeThrough(n1, a, `a${round}`, 'n1'));
      ({ state: n2, context: b } = writeThrough(n2, b, `b${round}`, 'n2'));
      const merged = mergeSiblingSets(n1!, n2!);
      n1 = merged;
      n2 = merged;
      expect(read(merged)).toEqual([`a${round}`, `b${round}`]);
    }
  });

  it('foldDots extends the vector only with contiguous dots', () => {
    expect(foldDots({ n1: 1 }, [['n1', 2], ['n1', 3], ['n2', 2]])).toEqual({ vv: { n1: 3 }, dots: [['n2', 2]] });
    expect(foldDots({}, [['n1', 1]])).toEqual({ vv: { n1: 1 }, dots: [] });
    expect(contextCovers({ vv: { n1: 1 }, dots: [['n1', 5]] }, 'n1', 5)).toBe(true);
    expect(contextCovers({ vv: { n1: 1 }, dots: [['n1', 5]] }, 'n1', 4)).toBe(false);
  });

  it('sealed contexts with dots round-trip, and any change to them is refused', () => {
    const codec = new ContextCodec(contextMac('secret'));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('n1', 'n2', 'n3'), fc.integer({ min: 1, max: 1000 })),
        fc.array(fc.tuple(fc.constantFrom('n1', 'n2', 'n4'), fc.integer({ min: 1, max: 5000 })), { maxLength: 6 }),
        (vv, rawDots) => {
          const context = foldDots(vv, rawDots);
          const sealed = codec.encodeContext(context, 'b/k');
          expect(codec.decodeContext(sealed, 'b/k')).toEqual(context);
          if (sealed === '') return; // the empty context carries no authority, in any scope
          expect(codec.decodeContext(sealed, 'b/other')).toBeUndefined();
          {
            const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.at(-1);
            expect(codec.decodeContext(flipped, 'b/k')).toBeUndefined();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('dot clouds', () => {
  it('a write whose context names a version its coordinator never saw still supersedes it everywhere', () => {
    // Replica n4 holds versions n4:1..n4:3 (from three clients); a client that wrote n4:3 (its
    // context is the loose dot n4:3) deletes through n1, which has only seen n4:1. The delete
    // must remove n4:3 once the replicas merge, and must not touch n4:2, which it never saw.
    let n4: SiblingSet | undefined;
    ({ state: n4 } = writeThrough(n4, emptyContext(), 'first', 'n4'));
    let n1 = n4!;
    ({ state: n4 } = writeThrough(n4, emptyContext(), 'second', 'n4'));
    let mine: CausalContext;
    ({ state: n4, context: mine } = writeThrough(n4, emptyContext(), 'third', 'n4'));
    expect(mine.dots).toEqual([['n4', 3]]);
    const deleted = coordinatePut(n1, mine.vv, 'n1', { value: new Uint8Array(0), contentType: '', lastModified: 0, deleted: true }, mine.dots);
    if (!deleted.ok) throw new Error(deleted.message);
    n1 = deleted.state;
    expect(n1.cloud).toEqual([['n4', 3]]);
    const merged = mergeSiblingSets(n1, n4!);
    expect(read(merged)).toEqual(['first', 'second']);
    expect(mergeSiblingSets(n4!, n1)).toEqual(merged);
    // Once the gap fills (n1 learns n4:2), the cloud folds into the vector.
    expect(merged.cloud).toBeUndefined();
    expect(merged.vv.n4).toBe(3);
  });
});
