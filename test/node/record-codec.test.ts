// Proves that the record codec round-trips canonical states (with and without a dot cloud, with
// siblings' clocks and the version history), reads records written before those existed, and
// refuses every record that is malformed or not canonical, so a peer can never hand the merge a
// state that breaks its invariants (unsorted or duplicate siblings, a sibling its vector does
// not cover, a bad dot cloud).

import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, RecordError } from '../../core/node/record-codec.js';
import { coordinatePut, mergeSiblingSets, siblingSetEquals, type SiblingSet } from '../../core/version/sibling-set.js';

const packr = new Packr({ useRecords: false, mapsAsObjects: true });
const bytes = (s: string) => new TextEncoder().encode(s);

function put(state: SiblingSet | undefined, node: string, value: string, dots: Array<[string, number]> = []): SiblingSet {
  const result = coordinatePut(state, {}, node, { value: bytes(value), contentType: 'text/plain', lastModified: 1, deleted: false }, dots);
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

describe('record codec', () => {
  it('round-trips canonical states, dot clouds included', () => {
    const two = mergeSiblingSets(put(undefined, 'n1', 'a'), put(undefined, 'n2', 'b'));
    expect(siblingSetEquals(decodeRecord(encodeRecord(two)), two)).toBe(true);
    const clouded = put(two, 'n3', 'c', [['n9', 5]]);
    expect(clouded.cloud).toEqual([['n9', 5]]);
    const decoded = decodeRecord(encodeRecord(clouded));
    expect(decoded.cloud).toEqual([['n9', 5]]);
    expect(siblingSetEquals(decoded, clouded)).toBe(true);
  });

  it("round-trips siblings' clocks and the version history, and reads records without them", () => {
    const first = put(undefined, 'n1', 'a');
    const next = coordinatePut(first, first.vv, 'n2', { value: bytes('b'), contentType: 'text/plain', lastModified: 2, deleted: false });
    if (!next.ok) throw new Error(next.message);
    const state = mergeSiblingSets(next.state, put(undefined, 'n3', 'c'));
    expect(state.history?.map((e) => `${e.node}:${e.counter}`)).toEqual(['n1:1']);
    const decoded = decodeRecord(encodeRecord(state));
    expect(siblingSetEquals(decoded, state)).toBe(true);
    expect(decoded.siblings.find((s) => s.node === 'n2')!.past).toEqual({ n1: 1 });
    expect(decoded.history).toEqual(state.history);
    // A record from before clocks and history: six-field siblings, no history.
    const old = decodeRecord(packr.pack([1, { n1: 1 }, [['n1', 1, bytes('v'), 'text/plain', 1, false]]]));
    expect(old.siblings[0].past).toBeUndefined();
    expect(old.history).toBeUndefined();
  });

  it('refuses malformed and non-canonical records', () => {
    const sibling = (node: string, counter: number) => [node, counter, bytes('v'), 'text/plain', 1, false];
    const bad: unknown[] = [
      'not an array',
      [2, { n1: 1 }, [sibling('n1', 1)]], // unknown format
      [1, { n1: 1 }, [sibling('n1', 2)]], // a sibling its vector does not cover
      [1, { n1: 2 }, [sibling('n1', 2), sibling('n1', 1)]], // unsorted
      [1, { n1: 2 }, [sibling('n1', 1), sibling('n1', 1)]], // the same dot twice
      [1, { n1: 0 }, []], // a zero counter
      [1, { n1: 1 }, [['n1', 1, 'not bytes', 'text/plain', 1, false]]],
      [1, { n1: 1 }, [sibling('n1', 1)], [['n2', 1]]], // a cloud dot that continues the vector
      [1, { n1: 1 }, [sibling('n1', 1)], [['n2', 5], ['n2', 3]]], // an unsorted cloud
      [1, { n1: 1 }, [sibling('n1', 1)], []], // an empty cloud is written as none
      [1, { n1: 1 }, [[...sibling('n1', 1), {}]]], // an empty clock is written as none
      [1, { n1: 1 }, [[...sibling('n1', 1), { n2: -1 }]]], // a bad clock
      [1, { n1: 1 }, [sibling('n1', 1)], null, []], // an empty history is written as none
      [1, { n1: 1 }, [sibling('n1', 1)], null, [['n0', 1, {}, 5, 1, 2, false], ['n0', 2, {}, 6, 1, 2, false]]], // history oldest first
      [1, { n1: 1 }, [sibling('n1', 1)], null, [['n0', 1, {}, 5, 1, 2 ** 33, false]]], // a hash past 32 bits
    ];
    for (const record of bad) expect(() => decodeRecord(packr.pack(record)), JSON.stringify(record)).toThrow(RecordError);
    expect(() => decodeRecord(new Uint8Array([0xc1, 0xc1]))).toThrow(RecordError);
  });
});
