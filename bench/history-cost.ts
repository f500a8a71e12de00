// `npm run bench:history`: what the per-key version history costs (issue 10 asks for at most 5%
// of throughput). Fresh 3-node clusters (N=3, R=2, W=2) with --history 8 (the default) and
// --history 0 (off) are driven server-driven with the same key space, interleaved round by round
// (on, off, on, off, ...) so drift on the machine falls on both alike; the median of each side is
// compared. Workloads W (updates only: every write supersedes a version and grows the history)
// and A (50/50). Timings are reported, never checked by the tests.

import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { integerIn } from '../core/cli-kit/options.js';
import { startBenchCluster } from './dynamo-target.js';
import { count, formatTable } from './report.js';
import { loadKeySpace, runWorkload } from './runner.js';
import { benchBucket, openTarget } from './targets.js';
import { makeKeySpace, valueBytesDefault, valuePoolSize, workloads } from './workload.js';
import type { WorkloadName } from './workload.js';

interface HistoryCostOptions {
  rounds: number;
  warmupS: number;
  durationS: number;
  records: number;
  concurrency: number;
  workloads: WorkloadName[];
  seed: number;
  log: (line: string) => void;
}

type Sample = { history: number; workload: WorkloadName; opsPerSec: number; p99: number };

const settings = [8, 0] as const;

async function runOne(history: number, options: HistoryCostOptions): Promise<Sample[]> {
  const cluster = await startBenchCluster({ nodes: 3, ringSize: 64, n: 3, r: 2, w: 2, history });
  const samples: Sample[] = [];
  try {
    const keySpace = makeKeySpace({ bucket: benchBucket(), records: options.records, valueBytes: valueBytesDefault, seed: options.seed });
    const target = await openTarget({ kind: 'http', keySpace, cluster, concurrency: options.concurrency, nodes: 3, ringSize: 64, n: 3, r: 2, w: 2, etcdMembers: 3 });
    try {
      await loadKeySpace(target, { records: options.records, concurrency: options.concurrency, valueCount: valuePoolSize });
      for (const workload of options.workloads) {
        const result = await runWorkload(target, {
          workload: workloads[workload],
          distribution: 'zipfian',
          records: options.records,
          valueCount: valuePoolSize,
          concurrency: options.concurrency,
          warmupS: options.warmupS,
          durationS: options.durationS,
          seed: options.seed,
          waitQuietS: 0,
        });
        options.log(`history ${history}, workload ${workload.toUpperCase()}: ${count(result.opsPerSec)} ops/s, p99 ${result.latency.p99Ms.toFixed(1)} ms`);
        samples.push({ history, workload, opsPerSec: result.opsPerSec, p99: result.latency.p99Ms });
      }
    } finally {
      await target.close();
    }
  } finally {
    await cluster.stop();
  }
  return samples;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function runHistoryCost(options: HistoryCostOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const history of settings) {
      options.log(`round ${round}/${options.rounds}: --history ${history}`);
      samples.push(...(await runOne(history, options)));
    }
  }
  return samples;
}

export function historyCostTable(samples: readonly Sample[]): string {
  const rows: string[][] = [];
  for (const workload of [...new Set(samples.map((s) => s.workload))]) {
    const of = (history: number) => samples.filter((s) => s.workload === workload && s.history === history);
    const on = median(of(8).map((s) => s.opsPerSec));
    const off = median(of(0).map((s) => s.opsPerSec));
    rows.push([
      workload.toUpperCase(),
      count(on),
      count(off),
      `${((on / off) * 100).toFixed(1)}%`,
      of(8).map((s) => count(s.opsPerSec)).join(' / '),
      of(0).map((s) => count(s.opsPerSec)).join(' / '),
    ]);
  }
  return formatTable(['workload', 'history 8 ops/s', 'history 0 ops/s', 'on / off', 'runs on', 'runs off'], rows);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const program = new Command('bench:history')
    .option('--rounds <n>', 'interleaved on/off pairs', integerIn(1, 20), 3)
    .option('--warmup <s>', 'seconds before measuring', integerIn(0, 600), 3)
    .option('--duration <s>', 'seconds measured per run', integerIn(1, 3600), 15)
    .option('--records <n>', 'keys loaded', integerIn(1, 1_000_000), 10_000)
    .option('--concurrency <n>', 'operations in flight', integerIn(1, 4096), 32)
    .option('--seed <n>', 'key-space seed', integerIn(0, 2 ** 31), 1)
    .parse();
  const o = program.opts();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const samples = await runHistoryCost({
    rounds: o.rounds,
    warmupS: o.warmup,
    durationS: o.duration,
    records: o.records,
    concurrency: o.concurrency,
    workloads: ['w', 'a'],
    seed: o.seed,
    log,
  });
  process.stdout.write(`${historyCostTable(samples)}\n`);
}
