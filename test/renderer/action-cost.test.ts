// The cost sentences of destructive actions, checked against a ring whose preference lists are
// known: five nodes own 64 partitions round-robin, so partition i's preference list is the owners
// of i, i+1 and i+2. Taking a node away leaves its partitions two live replicas; with a second
// node already down, the partitions both replicate keep only one.

import { describe, expect, it } from 'vitest';
import { actionCost, describePartitions, replicasLeftWithout } from '../../renderer/lib/action-cost.js';
import { clusterView, member } from './fixtures.js';

const down = (id: string) =>
  member(id, { state: 'down', process: { state: 'stopped', pid: undefined, startedAt: undefined, restarts: 0, lastExit: undefined } });

describe('action cost', () => {
  it('names few partitions and counts the rest', () => {
    expect(describePartitions([9])).toBe('partition 9');
    expect(describePartitions([9, 4])).toBe('partitions 4 and 9');
    expect(describePartitions([1, 2, 3, 4, 5, 6, 7])).toBe('partitions 1, 2, 3, 4, 5, 6 and 7');
    expect(describePartitions([1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe('partitions 1, 2, 3, 4, 5, 6 and 3 more');
  });

  it('with every other node up, killing one leaves its partitions two live replicas', () => {
    const view = clusterView();
    const groups = replicasLeftWithout(view, 'n2');
    expect([...groups.keys()]).toEqual([2]);
    const replicated = view.ring!.partitions.filter((p) => p.preference.includes('n2')).map((p) => p.index);
    expect(groups.get(2)).toEqual(replicated);
    expect(replicated.length).toBeGreaterThanOrEqual(38);
    const cost = actionCost({ kind: 'kill', node: 'n2' }, view);
    expect(cost.title).toBe('Kill n2?');
    expect(cost.confirmLabel).toBe('Kill n2');
    expect(cost.sentences.join(' ')).toContain(`With n2 down, the ${replicated.length} partitions it replicates keep at least 2 of 3 live replicas.`);
  });

  it('with n3 already down, killing n2 leaves the partitions both replicate one live replica', () => {
    const base = clusterView();
    const view = { ...base, members: base.members.map((m) => (m.id === 'n3' ? down('n3') : m)) };
    const shared = view.ring!.partitions.filter((p) => p.preference.includes('n2') && p.preference.includes('n3')).map((p) => p.index);
    const replicated = view.ring!.partitions.filter((p) => p.preference.includes('n2'));
    const groups = replicasLeftWithout(view, 'n2');
    expect(groups.get(1)).toEqual(shared);
    const text = actionCost({ kind: 'kill', node: 'n2' }, view).sentences.join(' ');
    expect(text).toContain(`With n2 down, ${describePartitions(shared)} keep only one live replica.`);
    expect(text).toContain(`The other ${replicated.length - shared.length} partitions it replicates keep at least 2 of 3 live replicas.`);
  });

  it('says when partitions are left with no live replica', () => {
    const base = clusterView({ nodes: 3 });
    const view = { ...base, members: base.members.map((m) => (m.id === 'n1' ? m : down(m.id))) };
    const text = actionCost({ kind: 'isolate', node: 'n1', from: [] }, view).sentences.join(' ');
    expect(text).toContain('With n1 isolated, partitions');
    expect(text).toContain('have no live replica');
  });

  it('says a node without replicas costs nothing', () => {
    const view = clusterView();
    const withNew = { ...view, members: [...view.members, member('n6', { state: 'joining' })] };
    expect(actionCost({ kind: 'kill', node: 'n6' }, withNew).sentences).toContain('n6 holds no replicas, so no partition loses a live copy.');
  });

  it('describes a leave by what moves and what remains', () => {
    const text = actionCost({ kind: 'leave', node: 'n1' }, clusterView({ nodes: 3 })).sentences.join(' ');
    expect(text).toContain('n1 hands its 22 partitions to the other members');
    expect(text).toContain('Only 2 members would remain, fewer than N=3');
  });

  it('describes a partial isolation by who still reaches the node', () => {
    const text = actionCost({ kind: 'isolate', node: 'n2', from: ['n1', 'n4'] }, clusterView()).sentences.join(' ');
    expect(text).toContain('n2 stops exchanging messages with n1 and n4, and they with it; n3 and n5 still reach it.');
  });
});
