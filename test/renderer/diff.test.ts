// The Conflicts page's diffs: Myers' line diff finds a shortest edit script (checked against an
// LCS computed by dynamic programming on random inputs) and the JSON diff names the paths added,
// removed and changed, an array insertion being one addition.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffSequences, jsonDiff, lineDiff } from '../../renderer/lib/diff.js';
import { formatPath } from '../../renderer/lib/json-value.js';

function lcsLength(a: string[], b: string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = a[i - 1] === b[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1]);
      diagonal = above;
    }
  }
  return row[b.length];
}

describe('line diff', () => {
  it('marks lines added and removed, with their numbers on each side', () => {
    const diff = lineDiff('milk\neggs\nbread', 'milk\nbutter\nbread\njam');
    expect(diff.lines.map((l) => `${l.kind[0]} ${l.text}`)).toEqual(['s milk', 'r eggs', 'a butter', 's bread', 'a jam']);
    expect(diff.lines[1]).toEqual({ kind: 'removed', text: 'eggs', oldLine: 2 });
    expect(diff.lines[2]).toEqual({ kind: 'added', text: 'butter', newLine: 2 });
    expect(diff.lines[3]).toEqual({ kind: 'same', text: 'bread', oldLine: 3, newLine: 3 });
    expect([diff.added, diff.removed, diff.minimal]).toEqual([2, 1, true]);
  });

  it('handles empty and equal texts', () => {
    expect(lineDiff('same', 'same').lines).toEqual([{ kind: 'same', text: 'same', oldLine: 1, newLine: 1 }]);
    expect(lineDiff('', 'a').lines.map((l) => l.kind)).toEqual(['removed', 'added']);
  });

  it('is a shortest edit script that rebuilds both sides (property)', () => {
    const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const { edits, minimal } = diffSequences(a, b);
        expect(minimal).toBe(true);
        const rebuiltA = edits.flatMap((e) => (e.kind === 'added' ? [] : [a[e.a]]));
        const rebuiltB = edits.flatMap((e) => (e.kind === 'removed' ? [] : [b[e.b]]));
        expect(rebuiltA).toEqual(a);
        expect(rebuiltB).toEqual(b);
        for (const e of edits) if (e.kind === 'same') expect(a[e.a]).toBe(b[e.b]);
        const same = edits.filter((e) => e.kind === 'same').length;
        expect(same).toBe(lcsLength(a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('gives up on the shortest script past its bound, still correct', () => {
    const a = Array.from({ length: 2500 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 2500 }, (_, i) => `b${i}`);
    const { edits, minimal } = diffSequences(a, b);
    expect(minimal).toBe(false);
    expect(edits).toHaveLength(5000);
  });
});

describe('JSON diff', () => {
  const paths = (changes: ReturnType<typeof jsonDiff>) => changes.map((c) => `${c.kind} ${formatPath(c.path)}`);

  it('names fields added, removed and changed, at any depth', () => {
    const changes = jsonDiff({ name: 'cart', owner: { id: 1, tier: 'gold' }, note: 'x' }, { name: 'cart', owner: { id: 2, tier: 'gold' }, 'gift wrap': true });
    expect(paths(changes)).toEqual(['added $["gift wrap"]', 'removed $.note', 'changed $.owner.id']);
    expect(changes[2]).toMatchObject({ before: 1, after: 2 });
  });

  it('treats an inserted array element as one addition, and pairs replacements as changes', () => {
    expect(paths(jsonDiff(['milk', 'eggs'], ['milk', 'bread', 'eggs']))).toEqual(['added $[1]']);
    expect(paths(jsonDiff(['milk', 'eggs'], ['milk', 'jam']))).toEqual(['changed $[1]']);
    expect(paths(jsonDiff({ items: [{ sku: 'a', qty: 1 }] }, { items: [{ sku: 'a', qty: 2 }] }))).toEqual(['changed $.items[0].qty']);
    expect(paths(jsonDiff([1, 2, 3], [3]))).toEqual(['removed $[0]', 'removed $[1]']);
  });

  it('ignores key order and reports a change of kind at its path', () => {
    expect(jsonDiff({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
    expect(paths(jsonDiff({ a: [1] }, { a: { 0: 1 } }))).toEqual(['changed $.a']);
    expect(paths(jsonDiff(1, 'one'))).toEqual(['changed $']);
  });
});
