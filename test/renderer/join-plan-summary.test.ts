// The join plan as shown before Commit (every move sorted, the keys that travel, a sentence
// naming the givers, ownership before and after) and the progress after it (a move is done when
// the ring names its new owner).

import { describe, expect, it } from 'vitest';
import type { JoinPlan } from '../../core/admin/admin-api.js';
import { joinProgress, keysPhrase, summarizeJoinPlan } from '../../renderer/lib/join-plan-summary.js';
import { clusterView } from './fixtures.js';

const plan: JoinPlan = {
  planId: 'p1',
  node: 'n6',
  http: '127.0.0.1:8006',
  moves: [
    { partition: 12, from: 'n3', to: 'n6', keysEstimate: 40 },
    { partition: 4, from: 'n5', to: 'n6', keysEstimate: 1200 },
    { partition: 10, from: 'n1', to: 'n6', keysEstimate: 0 },
  ],
  ownershipAfter: { n1: 12, n2: 13, n3: 12, n4: 13, n5: 11, n6: 3 },
};

describe('join plan summary', () => {
  it('lists every move by partition and says who gives what', () => {
    const summary = summarizeJoinPlan(plan, clusterView());
    expect(summary.moves.map((m) => m.partition)).toEqual([4, 10, 12]);
    expect(summary.keysAbout).toBe(1240);
    expect(summary.sentence).toBe('n6 takes 3 of 64 partitions (about 1,240 keys): 1 from n1, 1 from n3 and 1 from n5.');
    expect(summary.ownership.find((row) => row.id === 'n6')).toEqual({ id: 'n6', before: 0, after: 3 });
    expect(summary.ownership.find((row) => row.id === 'n1')).toEqual({ id: 'n1', before: 13, after: 12 });
  });

  it('says when nothing would move', () => {
    expect(summarizeJoinPlan({ ...plan, moves: [] }, undefined).sentence).toBe('n6 would take no partitions: the ring stays as it is.');
    expect(keysPhrase(0)).toBe('no keys yet');
    expect(keysPhrase(1)).toBe('about 1 key');
  });

  it('counts a move done once the ring names its new owner', () => {
    const view = clusterView();
    expect(joinProgress(plan, view)).toMatchObject({ done: 0, total: 3, percent: 0, finished: false, sentence: '0 of 3 partitions moved to n6.' });
    const partway = { ...view, ring: { ...view.ring!, partitions: view.ring!.partitions.map((p) => (p.index === 4 ? { ...p, owner: 'n6' } : p)) } };
    expect(joinProgress(plan, partway)).toMatchObject({ done: 1, percent: 33, finished: false });
    const failed = { ...partway, transfers: { pending: 2, partitions: [{ index: 12, from: 'n3', to: 'n6', keysSent: 5, state: 'failed' as const }] } };
    expect(joinProgress(plan, failed).sentence).toBe('1 of 3 partitions moved to n6; 1 failed.');
    const all = { ...view, ring: { ...view.ring!, partitions: view.ring!.partitions.map((p) => ([4, 10, 12].includes(p.index) ? { ...p, owner: 'n6' } : p)) } };
    expect(joinProgress(plan, all)).toMatchObject({ done: 3, percent: 100, finished: true, sentence: 'n6 joined: it owns 3 partitions now.' });
  });
});
