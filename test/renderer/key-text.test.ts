// The Keys page's words: how far a listing has got (with and without the node's progress), clocks
// and dots as the paper writes them, local times, what a replica's copy says beside the quorum
// read, which writes a differing copy lacks or has extra, and how a preference list walks the ring.

import { describe, expect, it } from 'vitest';
import type { ReplicaCopy, VersionView } from '../../core/admin/admin-api.js';
import { formatClock, formatDateTime, formatDot, listingProgress, replicaStatus, versionDifference, versionsPhrase } from '../../renderer/lib/key-text.js';
import { preferenceWalk } from '../../renderer/lib/ring-geometry.js';
import { clusterView } from './fixtures.js';

const version = (node: string, counter: number): VersionView => ({
  index: 1,
  value: '',
  contentType: 'text/plain',
  clock: { [node]: counter },
  dot: { node, counter },
  past: {},
  lastModified: '2026-11-22T10:00:00.000Z',
  deleted: false,
});

describe('listing progress', () => {
  const listed = (cursor?: string, progress?: { partitionsDone: number; partitions: number }) => ({ keys: [], ...(cursor ? { cursor } : {}), ...(progress ? { progress } : {}) });

  it('says how many keys are shown and how far the scan has got', () => {
    expect(listingProgress(120, listed('c', { partitionsDone: 14, partitions: 64 }))).toBe('120 keys shown · 14 of 64 partitions scanned');
    expect(listingProgress(37, listed(undefined, { partitionsDone: 64, partitions: 64 }))).toBe('All 37 keys shown · all 64 partitions scanned');
    expect(listingProgress(1, listed(undefined, { partitionsDone: 64, partitions: 64 }))).toBe('1 key matches · all 64 partitions scanned');
    expect(listingProgress(0, listed(undefined, { partitionsDone: 64, partitions: 64 }))).toBe('No keys match · all 64 partitions scanned');
    expect(listingProgress(0, listed('c', { partitionsDone: 3, partitions: 64 }))).toBe('0 keys shown · 3 of 64 partitions scanned');
    expect(listingProgress(10, listed('c'))).toBe('10 keys shown · more to load');
    expect(listingProgress(10, listed())).toBe('All 10 keys shown');
  });
});

describe('clocks and times', () => {
  it('writes dots and clocks in node order', () => {
    expect(formatDot({ node: 'n3', counter: 1 })).toBe('n3:1');
    expect(formatClock({ n10: 1, n2: 4, n1: 2 })).toBe('n1:2, n2:4, n10:1');
    expect(formatClock({})).toBe('empty');
  });

  it('writes local times', () => {
    const at = new Date(2026, 10, 22, 9, 5, 7);
    expect(formatDateTime(at.toISOString())).toBe('2026-11-22 09:05:07');
    expect(formatDateTime(at.getTime())).toBe('2026-11-22 09:05:07');
    expect(formatDateTime('not a time')).toBe('not a time');
  });

  it('names versions', () => {
    expect(versionsPhrase(1)).toBe('1 version');
    expect(versionsPhrase(3)).toBe('3 concurrent versions (siblings)');
  });
});

describe('replica copies', () => {
  const copy = (overrides: Partial<ReplicaCopy>): ReplicaCopy => ({ node: 'n2', role: 'primary', versions: [version('n1', 1)], differs: false, ...overrides });

  it('says what a copy shows beside the quorum read', () => {
    expect(replicaStatus(copy({}))).toMatchObject({ word: 'same', colour: 'green' });
    expect(replicaStatus(copy({ differs: true }))).toMatchObject({ word: 'differs', colour: 'orange', sentence: expect.stringMatching(/^n2 holds 1 version, unlike/) });
    expect(replicaStatus(copy({ versions: [] }))).toMatchObject({ word: 'none' });
    expect(replicaStatus(copy({ error: 'n2 does not answer' }))).toEqual({ word: 'unreadable', colour: 'red', sentence: 'n2 does not answer' });
  });

  it('finds the writes a copy lacks and those it has extra', () => {
    expect(versionDifference([version('n1', 1)], [version('n1', 2), version('n3', 1)])).toEqual({ extra: ['n1:1'], missing: ['n1:2', 'n3:1'] });
    expect(versionDifference([version('n1', 1)], [version('n1', 1)])).toEqual({ extra: [], missing: [] });
  });
});

describe('preference walk', () => {
  it("finds each listed node's first partition clockwise from the key's", () => {
    // Round-robin owners n1…n5 over 64 partitions: partition 63 is n4's, then 0 n1, 1 n2.
    const ring = clusterView().ring!;
    expect(preferenceWalk(ring, 63, ['n4', 'n1', 'n2'])).toEqual([
      { node: 'n4', partition: 63 },
      { node: 'n1', partition: 0 },
      { node: 'n2', partition: 1 },
    ]);
    expect(preferenceWalk(ring, 5, ['n1', 'n9'])).toEqual([
      { node: 'n1', partition: 5 },
      { node: 'n9', partition: undefined },
    ]);
    expect(preferenceWalk(ring, 999, ['n1'])).toEqual([{ node: 'n1', partition: undefined }]);
  });
});
