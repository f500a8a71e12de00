// The sentences around a resolution write: what it supersedes before, and after it either
// "Resolved: one version remains" or, when a concurrent write arrived meanwhile, which versions
// remain and which one is ours, never a claim of success.

import { describe, expect, it } from 'vitest';
import type { VersionView } from '../../core/admin/admin-api.js';
import { supersedeSentence, writeOutcome } from '../../renderer/lib/resolution.js';

function version(index: number, node: string, counter: number, clock: Record<string, number>): VersionView {
  const past = { ...clock };
  if (counter <= 1) delete past[node];
  else past[node] = counter - 1;
  return { index, value: '', contentType: 'text/plain', clock, past, dot: { node, counter }, lastModified: '2026-11-22T10:00:00.000Z', deleted: false };
}

const before = [version(1, 'n1', 1, { n1: 1 }), version(2, 'n2', 1, { n2: 1 })];
const read = (versions: VersionView[]) => ({ bucket: 'b', key: 'k', found: true, context: 'c', versions });

describe('resolution sentences', () => {
  it('says before writing what the write supersedes', () => {
    expect(supersedeSentence(2)).toBe('This write supersedes these 2 versions; the new version descends from all of them.');
    expect(supersedeSentence(1)).toMatch(/^This write supersedes this version/);
  });

  it('reports a resolution when one version remains', () => {
    const merged = version(1, 'n1', 2, { n1: 2, n2: 1 });
    const outcome = writeOutcome(before, { after: read([merged]), raced: false });
    expect(outcome).toMatchObject({ state: 'resolved', title: 'Resolved: one version remains' });
    expect(outcome.remaining).toEqual([{ version: merged, id: 'n1:2', written: true }]);
  });

  it('says plainly when a concurrent write left a sibling, naming ours and theirs', () => {
    const ours = version(1, 'n1', 2, { n1: 2, n2: 1 });
    const theirs = version(2, 'n3', 1, { n3: 1 });
    const outcome = writeOutcome(before, { after: read([ours, theirs]), raced: true });
    expect(outcome.state).toBe('raced');
    expect(outcome.title).toBe('Not resolved: another write arrived meanwhile, 2 versions remain');
    expect(outcome.detail).toMatch(/^The write \(n1:2\) superseded the 2 versions this page read, but n3:1 was written concurrently and stays beside it as a sibling\./);
    expect(outcome.remaining.map((r) => [r.id, r.written])).toEqual([
      ['n1:2', true],
      ['n3:1', false],
    ]);
  });

  it('says so when nothing remains', () => {
    expect(writeOutcome(before, { after: { ...read([]), found: false }, raced: false }).state).toBe('gone');
  });
});
