// What a node setting costs, measured the one way that survives a busy machine: fresh 3-node
// clusters (N=3, R=2, W=2), one per setting, driven server-driven with the same key space,
// interleaved round by round (setting A, B, C, A, B, C, ...) so that drift on the machine falls
// on every setting alike; the median of each setting is compared with the baseline's. Used by
// `npm run bench:history` (history-cost.ts) and `npm run bench:trace` (trace-cost.ts). Timings
// are reported, never checked by the tests.

import { Command } from 'commander';
import { integerIn } from '../core/cli-kit/options.js';
import { startBenchCluster } from './dynamo-target.js';
import { count, formatTable } from './report.js';
import { loadKeySpace, runWorkload, type RunResult } from './runner.js';
import { benchBucket, openTarget } from './targets.js';
import { makeKeySpace, valueBytesDefault, valuePoolSize, workloads } from './workload.js';
import type { WorkloadName } from './workload.js';

export interface CostRoundsOptions {
  rounds: number;
  warmupS: number;
  durationS: number;
  records: number;
  concurrency: number;
  workloads: WorkloadName[];
  seed: number;
  log: (line: string) => void;
}

/** One setting under comparison: its name in the table and the node options it starts with. */
export interface CostSetting {
  label: string;
  nodes: { history?: number; traceSample?: number };
}

export interface CostSample {
  label: string;
  workload: WorkloadName;
  opsPerSec: number;
  p99Ms: number;
  /** CPU the three node processes spent per operation, microseconds (null when unreadable). */
  nodeCpuUsPerOp: number | null;
  /** Cores busy with other programs during the window: the noise to read the figures against. */
  otherCores: number | null;
}

function nodeCpuUsPerOp(result: RunResult): number | null {
  let seconds = 0;
  for (const process of result.cpu.processes) {
    if (process.role === 'bench') continue;
    if (process.seconds === null) return null;
    seconds += process.seconds;
  }
  return result.operations === 0 ? null : (seconds * 1e6) / result.operations;
}

async function runOne(setting: CostSetting, options: CostRoundsOptions): Promise<CostSample[]> {
  const cluster = await startBenchCluster({ nodes: 3, ringSize: 64, n: 3, r: 2, w: 2, ...setting.nodes });
  const samples: CostSample[] = [];
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
        const sample: CostSample = {
          label: setting.label,
          workload,
          opsPerSec: result.opsPerSec,
          p99Ms: result.latency.p99Ms,
          nodeCpuUsPerOp: nodeCpuUsPerOp(result),
          otherCores: result.cpu.otherCores,
        };
        options.log(
          `${setting.label}, workload ${workload.toUpperCase()}: ${count(sample.opsPerSec)} ops/s, p99 ${sample.p99Ms.toFixed(1)} ms, ` +
            `nodes ${sample.nodeCpuUsPerOp?.toFixed(0) ?? '-'} µs CPU/op, other programs ${sample.otherCores?.toFixed(2) ?? '-'} cores`,
        );
        samples.push(sample);
      }
    } finally {
      await target.close();
    }
  } finally {
    await cluster.stop();
  }
  return samples;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs every setting once per round, in order, for `rounds` rounds. */
export async function runCostRounds(settings: readonly CostSetting[], options: CostRoundsOptions): Promise<CostSample[]> {
  const samples: CostSample[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const setting of settings) {
      options.log(`round ${round}/${options.rounds}: ${setting.label}`);
      samples.push(...(await runOne(setting, options)));
    }
  }
  return samples;
}

/**
 * Per workload and setting: median ops/s and node CPU per operation, each relative to the
 * baseline setting (the first), and every run's figure so the spread shows.
 */
export function costTable(settings: readonly CostSetting[], samples: readonly CostSample[]): string {
  const baseline = settings[0].label;
  const rows: string[][] = [];
  for (const workload of [...new Set(samples.map((s) => s.workload))]) {
    const of = (label: string) => samples.filter((s) => s.workload === workload && s.label === label);
    const opsOf = (label: string) => median(of(label).map((s) => s.opsPerSec));
    const cpuValues = (label: string) => of(label).flatMap((s) => (s.nodeCpuUsPerOp === null ? [] : [s.nodeCpuUsPerOp]));
    const cpuOf = (label: string) => (cpuValues(label).length === 0 ? NaN : median(cpuValues(label)));
    for (const { label } of settings) {
      rows.push([
        workload.toUpperCase(),
        label,
        count(opsOf(label)),
        `${((opsOf(label) / opsOf(baseline)) * 100).toFixed(1)}%`,
        Number.isNaN(cpuOf(label)) ? '-' : cpuOf(label).toFixed(0),
        Number.isNaN(cpuOf(label)) ? '-' : `${((cpuOf(label) / cpuOf(baseline)) * 100).toFixed(1)}%`,
        of(label).map((s) => count(s.opsPerSec)).join(' / '),
        of(label).map((s) => s.nodeCpuUsPerOp?.toFixed(0) ?? '-').join(' / '),
        of(label).map((s) => s.otherCores?.toFixed(2) ?? '-').join(' / '),
      ]);
    }
  }
  return formatTable(
    ['workload', 'setting', 'ops/s', `vs ${baseline}`, 'node µs/op', `vs ${baseline}`, 'runs ops/s', 'runs µs/op', 'other cores'],
    rows,
  );
}

/**
 * The command line of a cost benchmark: rounds, timings and load, with these defaults;
 * `configure` adds a benchmark's own options, whose values come back as `extra`.
 */
export function costCommand(
  name: string,
  defaults: { rounds: number; duration: number },
  configure: (command: Command) => Command = (command) => command,
): CostRoundsOptions & { extra: Record<string, unknown> } {
  const program = configure(new Command(name))
    .option('--rounds <n>', 'interleaved rounds (each runs every setting once)', integerIn(1, 20), defaults.rounds)
    .option('--warmup <s>', 'seconds before measuring', integerIn(0, 600), 3)
    .option('--duration <s>', 'seconds measured per run', integerIn(1, 3600), defaults.duration)
    .option('--records <n>', 'keys loaded', integerIn(1, 1_000_000), 10_000)
    .option('--concurrency <n>', 'operations in flight', integerIn(1, 4096), 32)
    .option('--seed <n>', 'key-space seed', integerIn(0, 2 ** 31), 1)
    .parse();
  const o = program.opts();
  return {
    rounds: o.rounds,
    warmupS: o.warmup,
    durationS: o.duration,
    records: o.records,
    concurrency: o.concurrency,
    workloads: [],
    seed: o.seed,
    log: (line: string) => process.stderr.write(`${line}\n`),
    extra: o,
  };
}
