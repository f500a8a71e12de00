// The Anti-entropy page's decisions (renderer/pages/anti-entropy/run-report.ts and
// run-progress.ts): which members a target asks and how many exchanges each partition takes, on a
// round-robin ring of 5 members (so the counts can be worked out by hand); a down member is
// skipped and warned of; a node that does not replicate the chosen partition is refused. A
// report adds up its runs, groups the runs one cause stopped, colours each partition by what its
// exchanges found and lists each repaired key with the member that was behind. Progress events
// add up per node and start again from nothing when a node starts another run.

import { describe, expect, it } from 'vitest';
import type { AntiEntropyRunView, RepairedKey } from '../../core/admin/admin-api.js';
import { addProgress, noProgress, progressRuns, type ProgressEvent } from '../../renderer/pages/anti-entropy/run-progress.js';
import {
  failureGroups,
  formatElapsed,
  keysRepairedPhrase,
  partitionCells,
  planRunView,
  repairRows,
  reportTotals,
  runScope,
  targetTitle,
  versionsText,
} from '../../renderer/pages/anti-entropy/run-report.js';
import { clusterView, member } from './fixtures.js';

function run(node: string, overrides: Partial<AntiEntropyRunView> = {}): AntiEntropyRunView {
  return {
    node,
    runId: `${node}-r`,
    trigger: 'manual',
    startedAt: 1000,
    finishedAt: 1500,
    partitionsCompared: 0,
    segmentsDiffering: 0,
    keysRepaired: 0,
    bytesSent: 0,
    exchanges: [],
    exchangesOmitted: 0,
    repairedKeys: [],
    repairedKeysOmitted: 0,
    ...overrides,
  };
}

const version = (node: string, counter: number, deleted = false) => ({ dot: { node, counter }, clock: { [node]: counter }, deleted, size: 5 });

describe('what a target will run', () => {
  // 5 members round-robin on 10 partitions with N = 3: partition p is on n(p+1), n(p+2), n(p+3) (mod 5).
  const view = clusterView({ nodes: 5, ringSize: 10, n: 3 });

  it('asks every member that is up for the whole cluster: each partition on 3 replicas, each with 2 peers', () => {
    const plan = planRunView({}, view);
    expect(plan.nodes).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(plan.skipped).toEqual([]);
    expect([...plan.exchanges.values()]).toEqual(Array(10).fill(6));
    // Each member replicates 6 of the 10 partitions, each with 2 peers.
    expect([...plan.exchangesByNode.values()]).toEqual([12, 12, 12, 12, 12]);
    expect(plan.sentence).toBe('Each of the 5 members that are up compares every partition it replicates with the other replicas: 60 exchanges in all.');
    expect(plan.warning).toBeUndefined();
  });

  it('skips a member that is down and says the runs go on without it, but stop at a peer named while down', () => {
    const down = clusterView({ nodes: 5, ringSize: 10, n: 3 });
    down.members = down.members.map((m) => (m.id === 'n3' ? member('n3', { process: { state: 'stopped', pid: undefined, startedAt: undefined, restarts: 0, lastExit: undefined } }) : m));
    const plan = planRunView({}, down);
    expect(plan.nodes).toEqual(['n1', 'n2', 'n4', 'n5']);
    expect(plan.skipped).toEqual(['n3']);
    expect(plan.exchangesByNode.get('n3')).toBeUndefined();
    expect(plan.warning).toBe('n3 is not up: the run goes on without it and compares the other replicas; repair it once back.');
    expect(planRunView({ node: 'n3' }, down).warning).toBe('n3 is not up: it cannot run until it is back.');
    expect(planRunView({ node: 'n1' }, down).warning).toMatch(/^n3 is not up: the run goes on without it/);
    expect(planRunView({ node: 'n1', peer: 'n3' }, down).warning).toBe('n3 is not up: the run stops when it reaches it, and reports how far it got.');
    expect(planRunView({ node: 'n1', peer: 'n5' }, down).warning).toBeUndefined();
  });

  it('limits a node to the partitions it shares with a peer', () => {
    const plan = planRunView({ node: 'n1', peer: 'n2' }, view);
    // Partition p is on n(p+1), n(p+2) and n(p+3), counted mod 5: n1 and n2 share 0, 4, 5 and 9.
    expect([...plan.exchanges]).toEqual([
      [0, 1],
      [4, 1],
      [5, 1],
      [9, 1],
    ]);
    expect(plan.sentence).toBe('n1 compares the 4 partitions it shares with n2: 4 exchanges.');
    expect(planRunView({ node: 'n1' }, view).exchangesByNode.get('n1')).toBe(12);
  });

  it('runs one partition on the node named, or on its first replica that is up, and refuses a node that does not replicate it', () => {
    expect(planRunView({ partition: 4 }, view)).toMatchObject({ nodes: ['n5'], sentence: 'n5 compares partition 4 with n1 and n2 (its first replica that is up).' });
    expect([...planRunView({ partition: 4, node: 'n2', peer: 'n1' }, view).exchanges]).toEqual([[4, 1]]);
    expect(planRunView({ partition: 4, node: 'n3' }, view).problem).toBe('n3 does not replicate partition 4; its replicas are n5, n1 and n2.');
    expect(planRunView({ partition: 12 }, view).problem).toBe('Partition 12 is not on the ring (0 to 9).');
  });

  it('names targets in a few words', () => {
    expect(targetTitle({}, [])).toBe('Whole cluster');
    expect(targetTitle({ node: 'n4' }, [])).toBe('n4 with every other replica');
    expect(targetTitle({ node: 'n4', peer: 'n2' }, [])).toBe('n4 with n2');
    expect(targetTitle({ partition: 12 }, [run('n3')])).toBe('Partition 12 on n3');
    expect(runScope({ node: 'n4', peer: 'n2', partition: 3 })).toBe('partition 3 on n4, with n2');
    expect(runScope({ node: 'n4' })).toBe('every partition of n4, with every other replica');
  });
});

describe('a report', () => {
  const repaired = (key: string, partition: number, peer: string, behind: RepairedKey['behind']): RepairedKey => ({
    bucket: 'b',
    key,
    partition,
    peer,
    behind,
    versions: {
      ...(behind !== 'peer' ? { local: { before: [], after: [version('n2', 1)] } } : {}),
      ...(behind !== 'local' ? { peer: { before: [version('n1', 1)], after: [version('n1', 1), version('n2', 1)] } } : {}),
    },
  });
  const runs = [
    run('n1', {
      startedAt: 1000,
      finishedAt: 1400,
      partitionsCompared: 2,
      segmentsDiffering: 3,
      keysRepaired: 2,
      bytesSent: 900,
      exchanges: [
        { partition: 4, peer: 'n2', segmentsDiffering: 3, keysRepaired: 2, bytesSent: 800 },
        { partition: 5, peer: 'n2', segmentsDiffering: 0, keysRepaired: 0, bytesSent: 100 },
      ],
      repairedKeys: [repaired('a', 4, 'n2', 'peer'), repaired('b', 4, 'n2', 'both')],
      repairedKeysOmitted: 7,
    }),
    run('n2', { startedAt: 1100, finishedAt: 1900, partitionsCompared: 1, exchanges: [{ partition: 4, peer: 'n3', segmentsDiffering: 0, keysRepaired: 0, bytesSent: 40 }], bytesSent: 40, error: 'peer n3 went away' }),
    run('n3', { error: 'n3 is not running (its process is stopped), so it was not asked to run' }),
    run('n4', { runId: 'n4-r', partitionsCompared: 2, exchanges: [], error: 'peer n3 went away' }),
  ];

  it('adds its runs up, from the first start to the last finish', () => {
    expect(reportTotals(runs)).toMatchObject({ partitionsCompared: 5, segmentsDiffering: 3, keysRepaired: 2, bytesSent: 940, durationMs: 900, repairedKeysOmitted: 7 });
    expect(keysRepairedPhrase(1)).toBe('1 key repaired');
    expect(keysRepairedPhrase(1234)).toBe('1,234 keys repaired');
  });

  it('gives one alert per cause: the runs a peer stopped together, the member not asked apart', () => {
    const groups = failureGroups(runs);
    expect(groups.map((group) => [group.notRun, group.runs.map((r) => r.node)])).toEqual([
      [false, ['n2', 'n4']],
      [true, ['n3']],
    ]);
  });

  it('colours each partition by what all its exchanges found', () => {
    expect(partitionCells(runs)).toEqual([
      { index: 4, exchanges: 2, segmentsDiffering: 3, keysRepaired: 2, differingPairs: ['n1 ↔ n2'] },
      { index: 5, exchanges: 1, segmentsDiffering: 0, keysRepaired: 0, differingPairs: [] },
    ]);
  });

  it('lists each repaired key with the member that was behind and its versions before and after', () => {
    const rows = repairRows(runs);
    expect(rows.map((row) => [row.key, row.node, row.peer, row.behindNodes])).toEqual([
      ['a', 'n1', 'n2', ['n2']],
      ['b', 'n1', 'n2', ['n1', 'n2']],
    ]);
    expect(rows[1].sides.map((side) => `${side.node}: ${versionsText(side.before)} → ${versionsText(side.after)}`)).toEqual([
      'n1: none → n2:1',
      'n2: n1:1 → n1:1 and n2:1',
    ]);
    expect(versionsText([version('n4', 3, true)])).toBe('n4:3 deleted');
  });

  it('says how long it took with the precision that matters', () => {
    expect(formatElapsed(64.4)).toBe('64 ms');
    expect(formatElapsed(1430)).toBe('1.4 s');
    expect(formatElapsed(42_300)).toBe('42 s');
    expect(formatElapsed(192_000)).toBe('3m 12s');
  });
});

describe('a run under way', () => {
  const event = (node: string, runId: string, done: number, partition: number, segmentsDiffering = 0, keysRepaired = 0): ProgressEvent => ({
    type: 'anti-entropy-progress',
    node,
    at: done,
    runId,
    partition,
    peer: 'n9',
    done,
    total: 4,
    segmentsDiffering,
    keysRepaired,
  });

  it('adds each exchange to its node, and starts again when the node starts another run', () => {
    let progress = noProgress;
    progress = addProgress(progress, event('n1', 'a', 1, 0));
    progress = addProgress(progress, event('n1', 'a', 2, 1, 2, 3));
    progress = addProgress(progress, event('n2', 'b', 1, 1, 1, 1));
    expect(progress.nodes.n1).toMatchObject({ done: 2, total: 4, segmentsDiffering: 2, keysRepaired: 3 });
    expect(progress.latest).toEqual({ node: 'n2', partition: 1, peer: 'n9' });
    expect(partitionCells(progressRuns(progress)).map((cell) => [cell.index, cell.exchanges, cell.segmentsDiffering])).toEqual([
      [0, 1, 0],
      [1, 2, 3],
    ]);
    progress = addProgress(progress, event('n1', 'c', 1, 3));
    expect(progress.nodes.n1).toMatchObject({ runId: 'c', done: 1, keysRepaired: 0, exchanges: [{ partition: 3 }] });
  });
});
