// bench:compare's report: the ratios against etcd and against a baseline commit are computed from
// the results of one run, row by row, and a baseline that is not a commit is refused with a
// sentence before anything starts.

import { describe, expect, it } from 'vitest';
import { prepareBaseline } from '../../bench/baseline.js';
import { compareTable, medianRuns, roundLines } from '../../bench/compare.js';
import { nodesCpuPerOpUs } from '../../bench/report.js';
import type { RunResult } from '../../bench/runner.js';

function result(target: string, workload: string, opsPerSec: number, nodeSeconds: number[]): RunResult {
  const seconds = 10;
  const operations = opsPerSec * seconds;
  return {
    target,
    workload,
    mode: 'closed',
    concurrency: 32,
    rate: null,
    seconds,
    operations,
    opsPerSec,
    reads: operations / 2,
    updates: operations / 2,
    errors: 0,
    notFound: 0,
    latency: { p50Ms: 10, p99Ms: 40, p999Ms: 80, maxMs: 100 },
    scheduled: null,
    cpu: {
      seconds: nodeSeconds.reduce((a, b) => a + b, 0) + 1,
      cores: 1,
      opsPerCoreSecond: opsPerSec,
      complete: true,
      processes: [...nodeSeconds.map((s, i) => ({ role: `n${i + 1}`, pid: 100 + i, seconds: s })), { role: 'bench', pid: 99, seconds: 1 }],
      otherCores: 0,
    },
    counters: {},
  } as unknown as RunResult;
}

describe('bench:compare report', () => {
  it('counts the nodes, not the generator, in the CPU per operation', () => {
    expect(nodesCpuPerOpUs(result('dynamo-http', 'a', 1000, [2, 2, 2]))).toBe(600);
  });

  it('sets each dynamo-desk row against the baseline of the same mode and workload', () => {
    const table = compareTable([
      result('dynamo-http', 'a', 2000, [2, 2, 2]),
      result('baseline-http', 'a', 1000, [3, 3, 3]),
      result('dynamo-http', 'b', 3000, [3, 3, 3]),
      result('baseline-http', 'b', 1500, [3, 3, 3]),
    ]);
    const rows = table.split('\n').filter((line) => line.startsWith('A ') || line.startsWith('B '));
    // A: twice the throughput; 300 µs against 900 µs per operation.
    expect(rows[0]).toMatch(/dynamo-http .* 300\s+2\.00×\s+0\.33×$/);
    expect(rows[1]).toMatch(/baseline-http .* 900$/);
    expect(rows[2]).toMatch(/dynamo-http .* 300\s+2\.00×\s+0\.50×$/);
    expect(table.split('\n')[0]).toMatch(/ops\/s ÷ baseline\s+µs\/op ÷ baseline$/);
  });

  it('leaves the baseline columns out when no baseline ran', () => {
    expect(compareTable([result('dynamo-http', 'a', 2000, [2, 2, 2])])).not.toMatch(/baseline/);
  });

  it('shows the median round of each target, and lists every round in the order it ran', () => {
    const runs = [
      result('dynamo-http', 'a', 1500, [2, 2, 2]),
      result('baseline-http', 'a', 1000, [3, 3, 3]),
      result('baseline-http', 'a', 1400, [3, 3, 3]),
      result('dynamo-http', 'a', 2100, [2, 2, 2]),
      result('dynamo-http', 'a', 1800, [1, 1, 1]),
      result('baseline-http', 'a', 1200, [4, 4, 4]),
    ];
    const shown = medianRuns(runs);
    expect(shown.map((r) => [r.target, r.opsPerSec])).toEqual([
      ['dynamo-http', 1800],
      ['baseline-http', 1200],
    ]);
    expect(roundLines(runs)).toEqual([
      'dynamo-http A, rounds: 1,500 ops/s 400 µs/op · 2,100 ops/s 286 µs/op · 1,800 ops/s 167 µs/op',
      'baseline-http A, rounds: 1,000 ops/s 900 µs/op · 1,400 ops/s 643 µs/op · 1,200 ops/s 1000 µs/op',
    ]);
    // Against the baseline: the median of the rounds' paired ratios (CPU 0.44, 0.44, 0.17), not
    // the ratio of the medians shown (167 ÷ 1000 µs).
    const row = compareTable(shown, runs).split('\n').find((line) => line.startsWith('A ') && line.includes('dynamo-http'));
    expect(row).toMatch(/ 167\s+1\.50×\s+0\.44×$/);
    // An even count: the lower of the two middle rounds.
    expect(medianRuns(runs.slice(0, 4)).map((r) => r.opsPerSec)).toEqual([1500, 1000]);
    // One round each: nothing to list.
    expect(roundLines(runs.slice(0, 2))).toEqual([]);
  });

  it('refuses a baseline that is not a commit of the repository', () => {
    expect(() => prepareBaseline('no-such-ref-anywhere', () => undefined)).toThrow('--baseline no-such-ref-anywhere: not a commit of this repository');
  });
});
