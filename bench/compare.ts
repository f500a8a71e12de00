// `npm run bench:compare`: dynamo-desk against etcd, measured in the same run on the same
// machine with the same generator, so the ratio means something wherever it runs.
//
// A 3-node dynamo-desk cluster (N=3, R=2, W=2) is driven server-driven, then a fresh one with
// --sync (every write fsynced before it is acknowledged, as etcd fsyncs its log: the like-for-like
// row), then a fresh one client-driven; a 3-member etcd cluster is started and driven, then
// stopped; raw classic-level in the generator's process gives the ceiling of one replica. Each target loads the same key
// space (10,000 keys of 900 bytes) and runs YCSB workloads A and B (zipfian) at concurrency 32.
// The systems run one after the other, never side by side, so they do not share the cores.
// Last, the coordination micro-benchmark sets the XState machines' cost against the CPU a
// request costs the cluster, and partition claim is timed on the largest ring. Open-loop runs
// report how much of their schedule they completed. Timings are reported here, never checked
// by the tests.

import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { historyVersionsMax, ringSizeMax } from '../core/common/limits.js';
import { fraction, integerIn } from '../core/cli-kit/options.js';
import { claim } from '../core/ring/claim.js';
import { coordinationShare, coordinationTable, runCoordinationBench } from './coordination.js';
import type { CoordinationResult } from './coordination.js';
import { prepareBaseline, startBaselineCluster } from './baseline.js';
import { startBenchCluster } from './dynamo-target.js';
import { EtcdMissingError, etcdVersion } from './etcd.js';
import { count, cpuTable, formatTable, loadLine, ms, nodesCpuPerOpUs, notes } from './report.js';
import { loadKeySpace, runWorkload } from './runner.js';
import type { RunResult } from './runner.js';
import { benchBucket, openTarget } from './targets.js';
import type { TargetKind } from './targets.js';
import { makeKeySpace, valueBytesDefault, valuePoolSize, workloads } from './workload.js';
import type { WorkloadName } from './workload.js';

/**
 * What the comparison can run: the bench's targets, and dynamo-desk's two ways on nodes started
 * with --sync (`http-sync`, `client-sync`).
 */
export type CompareTarget = TargetKind | 'http-sync' | 'client-sync';
export const compareTargets: readonly CompareTarget[] = ['http', 'http-sync', 'client', 'client-sync', 'etcd', 'level'];

/** A dynamo-desk target of the comparison: how requests reach the nodes, and whether they sync. */
function dynamoTarget(target: CompareTarget): { mode: 'http' | 'client'; sync: boolean } | undefined {
  switch (target) {
    case 'http':
    case 'client':
      return { mode: target, sync: false };
    case 'http-sync':
      return { mode: 'http', sync: true };
    case 'client-sync':
      return { mode: 'client', sync: true };
    default:
      return undefined;
  }
}

export interface CompareOptions {
  records: number;
  concurrency: number;
  warmupS: number;
  durationS: number;
  workloads: WorkloadName[];
  targets: CompareTarget[];
  /** Parent of the temporary data directories (e.g. /dev/shm to take the disk out). */
  dir?: string;
  coordination: boolean;
  /** Targets that also run each workload open loop at half their measured peak rate. */
  halfPeak: CompareTarget[];
  /** Seconds to wait, before each run, for other programs to leave the machine quiet. */
  waitQuietS: number;
  /** A git ref whose build runs beside the current tree (per mode), named `baseline-<mode>`. */
  baseline?: string;
  /**
   * Times every target runs (default 1). Rounds interleave the targets, and the baseline goes
   * first in every other round, so a machine whose speed drifts over the minutes (this one's does,
   * by a third) weighs on both sides alike; the report shows each target's median round.
   */
  rounds?: number;
  /** The dynamo-desk nodes' --history and --trace-sample, current and baseline alike (their defaults when absent). */
  history?: number;
  traceSample?: number;
  seed: number;
  log: (line: string) => void;
}

export interface CompareReport {
  results: RunResult[];
  coordination: CoordinationResult[] | null;
  claim: ClaimTiming;
  etcdVersion: string | null;
}

const replication = { n: 3, r: 2, w: 2 };
/** Slots for operations in flight in the open-loop runs. */
const openLoopInFlightMax = 256;

export async function runCompare(options: CompareOptions): Promise<CompareReport> {
  const results: RunResult[] = [];
  const keySpaceFor = () => makeKeySpace({ bucket: benchBucket(), records: options.records, valueBytes: valueBytesDefault, seed: options.seed });
  const common = {
    concurrency: options.concurrency,
    nodes: 3,
    ringSize: 64,
    ...replication,
    etcdMembers: 3,
    dir: options.dir,
    log: options.log,
  };

  const exercise = async (kind: CompareTarget, target: Awaited<ReturnType<typeof openTarget>>) => {
    try {
      const load = await loadKeySpace(target, { records: options.records, concurrency: options.concurrency, valueCount: valuePoolSize });
      options.log(loadLine(target.name, load));
      const run = (workload: WorkloadName, rate?: number) =>
        runWorkload(target, {
          workload: workloads[workload],
          distribution: 'zipfian',
          records: options.records,
          valueCount: valuePoolSize,
          // Open loop: enough slots that the bound on operations in flight never paces the run.
          concurrency: rate === undefined ? options.concurrency : Math.max(options.concurrency, openLoopInFlightMax),
          rate,
          warmupS: options.warmupS,
          durationS: options.durationS,
          seed: options.seed,
          waitQuietS: options.waitQuietS,
        });
      for (const workload of options.workloads) {
        const peak = await run(workload);
        results.push(peak);
        if (options.halfPeak.includes(kind) && peak.opsPerSec > 2) results.push(await run(workload, Math.round(peak.opsPerSec / 2)));
      }
    } finally {
      await target.close();
    }
  };

  // Each dynamo-desk target gets a fresh cluster: a second run on the same one would inherit the
  // first one's data, background compactions and anti-entropy work. The baseline runs beside the
  // current tree, mode by mode (without --sync, which an older commit may not know), after it in
  // even rounds and before it in odd ones, so the two meet the machine in the same state.
  const baseline = options.baseline === undefined ? undefined : prepareBaseline(options.baseline, options.log);
  const nodeSettings = { history: options.history, traceSample: options.traceSample };
  let version: string | null = null;
  const rounds = options.rounds ?? 1;
  for (let round = 0; round < rounds; round++) {
    if (rounds > 1) options.log(`round ${round + 1} of ${rounds}`);
    for (const target of options.targets) {
      const dynamo = dynamoTarget(target);
      if (dynamo === undefined) continue;
      const { mode, sync } = dynamo;
      const current = async () => {
        options.log(`starting a 3-node dynamo-desk cluster (N=3 R=2 W=2, Q=64${sync ? ', --sync' : ''}) for the ${target} target`);
        const cluster = await startBenchCluster({ nodes: 3, ringSize: 64, ...replication, ...nodeSettings, parentDir: options.dir, sync });
        try {
          await exercise(target, await openTarget({ ...common, kind: mode, keySpace: keySpaceFor(), cluster, sync }));
        } finally {
          await cluster.stop();
        }
      };
      const old = async () => {
        if (baseline === undefined || sync) return;
        options.log(`starting a 3-node cluster of the baseline ${baseline.label} for the ${mode} target`);
        const cluster = await startBaselineCluster(baseline, { nodes: 3, ringSize: 64, ...replication, ...nodeSettings, parentDir: options.dir });
        try {
          await exercise(mode, await openTarget({ ...common, kind: mode, keySpace: keySpaceFor(), cluster, name: `baseline-${mode}` }));
        } finally {
          await cluster.stop();
        }
      };
      for (const step of round % 2 === 0 ? [current, old] : [old, current]) await step();
    }
    if (options.targets.includes('etcd')) {
      version = etcdVersion() ?? null;
      if (version === null) throw new EtcdMissingError();
      await exercise('etcd', await openTarget({ ...common, kind: 'etcd', keySpace: keySpaceFor() }));
    }
    if (options.targets.includes('level')) await exercise('level', await openTarget({ ...common, kind: 'level', keySpace: keySpaceFor() }));
  }

  let coordination: CoordinationResult[] | null = null;
  if (options.coordination) {
    options.log('coordination micro-benchmark (XState machine against plain code)');
    coordination = await runCoordinationBench({ rounds: 3 });
  }
  return { results, coordination, claim: measureClaim(), etcdVersion: version };
}

/** The runs of one target, workload and mode, in the order they ran. */
function byRun(results: readonly RunResult[]): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.workload}\u0000${r.target}\u0000${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

/**
 * One result per target, workload and mode: the run with the median throughput of its rounds
 * (the lower of the two middle ones for an even count), in the order the groups first ran.
 */
export function medianRuns(results: readonly RunResult[]): RunResult[] {
  return [...byRun(results).values()].map((runs) => [...runs].sort((a, b) => a.opsPerSec - b.opsPerSec)[Math.floor((runs.length - 1) / 2)]);
}

/** Each target's rounds, when there was more than one: ops/s and the nodes' µs per operation, in the order they ran. */
export function roundLines(results: readonly RunResult[]): string[] {
  return [...byRun(results).values()]
    .filter((runs) => runs.length > 1)
    .map((runs) => {
      const r = runs[0];
      const rounds = runs.map((run) => `${count(run.opsPerSec)} ops/s ${nodesCpuPerOpUs(run)?.toFixed(0) ?? '-'} µs/op`).join(' · ');
      return `${r.target} ${r.workload.toUpperCase()}${r.mode === 'open' ? ' (half peak)' : ''}, rounds: ${rounds}`;
    });
}

/**
 * The ratio of each dynamo-desk run to the baseline's run of the same round (the i-th of each,
 * same workload and mode), then the median of those ratios: rounds pair the two sides on the same
 * minutes of the machine, so a paired ratio is steadier than a ratio of medians.
 */
export function baselineRatios(all: readonly RunResult[], r: RunResult): { opsPerSec: number; cpuPerOp: number | null } | undefined {
  const same = (target: string) => all.filter((x) => x.workload === r.workload && x.mode === r.mode && x.target === target);
  const ours = same(r.target);
  const theirs = same(r.target.replace('dynamo-', 'baseline-'));
  if (!r.target.startsWith('dynamo-') || theirs.length === 0) return undefined;
  const pairs = Math.min(ours.length, theirs.length);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  const ops: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < pairs; i++) {
    if (theirs[i].opsPerSec > 0) ops.push(ours[i].opsPerSec / theirs[i].opsPerSec);
    const [mine, base] = [nodesCpuPerOpUs(ours[i]), nodesCpuPerOpUs(theirs[i])];
    if (mine !== null && base !== null && base > 0) cpu.push(mine / base);
  }
  if (ops.length === 0) return undefined;
  return { opsPerSec: median(ops), cpuPerOp: cpu.length === 0 ? null : median(cpu) };
}

/**
 * The comparison table: every target per workload (one run each: the median round when there were
 * several), with its ratio to etcd, and for a dynamo-desk target the median of its paired ratios
 * to the baseline (`all`: every round's runs; the shown ones when absent).
 */
export function compareTable(results: readonly RunResult[], all: readonly RunResult[] = results): string {
  const rows: string[][] = [];
  const workloadsSeen = [...new Set(results.map((r) => r.workload))];
  const hasBaseline = results.some((r) => r.target.startsWith('baseline-'));
  for (const workload of workloadsSeen) {
    for (const r of results.filter((x) => x.workload === workload)) {
      const etcd = results.find((x) => x.workload === workload && x.target === 'etcd' && x.mode === r.mode);
      const ratio = (a: number | null, b: number | null | undefined) =>
        etcd === undefined || r === etcd || a === null || b === null || b === undefined || b === 0 ? '' : `${(a / b).toFixed(2)}×`;
      const against = baselineRatios(all, r);
      const times = (value: number | null | undefined) => (value === null || value === undefined ? '' : `${value.toFixed(2)}×`);
      rows.push([
        workload.toUpperCase(),
        r.target,
        r.mode === 'open' ? `${count(r.rate!)}/s` : `c=${r.concurrency}`,
        count(r.opsPerSec),
        ms(r.latency.p50Ms),
        ms(r.latency.p99Ms),
        ms(r.latency.p999Ms),
        String(r.errors + r.notFound),
        r.cpu.cores.toFixed(2),
        r.cpu.opsPerCoreSecond === null ? '-' : count(r.cpu.opsPerCoreSecond),
        ratio(r.opsPerSec, etcd?.opsPerSec),
        ratio(r.cpu.opsPerCoreSecond, etcd?.cpu.opsPerCoreSecond),
        ratio(etcd?.latency.p99Ms ?? null, r.latency.p99Ms),
        ...(hasBaseline ? [nodesCpuPerOpUs(r)?.toFixed(0) ?? '-', times(against?.opsPerSec), times(against?.cpuPerOp)] : []),
      ]);
    }
  }
  return formatTable(
    [
      ...['workload', 'target', 'load', 'ops/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'cpu cores', 'ops/core-s', 'ops/s ÷ etcd', 'ops/core-s ÷ etcd', 'etcd p99 ÷ p99'],
      ...(hasBaseline ? ['nodes µs/op', 'ops/s ÷ baseline', 'µs/op ÷ baseline'] : []),
    ],
    rows,
  );
}

/** Open-loop runs: how much of their schedule they completed in the measured window. */
export function scheduleNotes(results: readonly RunResult[]): string[] {
  return results
    .filter((r) => r.mode === 'open' && r.scheduled !== null && r.scheduled > 0)
    .map(
      (r) =>
        `${r.target} ${r.workload.toUpperCase()} @${count(r.rate!)}/s: ${count(r.operations)} of ${count(r.scheduled!)} scheduled ` +
        `operations completed in the window (${((100 * r.operations) / r.scheduled!).toFixed(0)} %)`,
    );
}

export interface ClaimTiming {
  ringSize: number;
  members: number;
  /** Claiming a fresh ring. */
  freshMs: number;
  /** Claiming again with one more member, least movement from the fresh ring. */
  joinMs: number;
}

/**
 * Times partition claim on the largest ring (Q = 16384, 40 equal members, then a join): the
 * work every node does on a membership change, which must stay well within a gossip round.
 */
export function measureClaim(ringSize = ringSizeMax, members = 40): ClaimTiming {
  const named = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `n${String(i).padStart(2, '0')}`, weight: 1 }));
  const started = performance.now();
  const owners = claim(ringSize, named(members), replication.n);
  const claimed = performance.now();
  claim(ringSize, named(members + 1), replication.n, owners);
  return { ringSize, members, freshMs: claimed - started, joinMs: performance.now() - claimed };
}

export function claimLine(timing: ClaimTiming): string {
  return (
    `Partition claim on Q=${timing.ringSize} with ${timing.members} members: ${timing.freshMs.toFixed(0)} ms fresh, ` +
    `${timing.joinMs.toFixed(0)} ms for a join (least movement)`
  );
}

function compareTargetList(raw: string): CompareTarget[] {
  const list = raw.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  for (const item of list) {
    if (!(compareTargets as readonly string[]).includes(item)) {
      throw new InvalidArgumentError(`unknown target ${item}: expected ${compareTargets.join(', ')} (comma-separated)`);
    }
  }
  return list as CompareTarget[];
}

/**
 * Seconds of load before each measured run. A node's JIT is still compiling its hot paths for
 * 15–20 s after it starts serving (about 800 functions optimized 10 s into a YCSB-A run, 1,200
 * after 20 s, few after that; V8's compiler threads were 13% of a node's CPU in that window), so
 * a short warm-up measures dynamo-desk before its steady state while etcd, compiled ahead of
 * time, has none: 3 s of warm-up gave 12–18% fewer ops/s than 20 s in 3 interleaved A rounds.
 */
const warmupSecondsDefault = 15;

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('bench:compare')
    .description('dynamo-desk (3 nodes, N=3 R=2 W=2) against etcd (3 members) and raw classic-level, workloads A and B')
    .option('--records <n>', 'keys loaded per target', (raw) => Number.parseInt(raw, 10), 10_000)
    .option('--concurrency <n>', 'operations in flight', (raw) => Number.parseInt(raw, 10), 32)
    .option('--warmup <s>', 'seconds of load before each measured run (the JIT warms up)', Number, warmupSecondsDefault)
    .option('--duration <s>', 'seconds measured per workload and target', Number, 10)
    .option('--workloads <list>', 'workloads to run', (raw) => raw.split(',') as WorkloadName[], ['a', 'b'] as WorkloadName[])
    .addOption(
      new Option('--targets <list>', `targets to run, of ${compareTargets.join(', ')} (-sync: nodes started with --sync)`)
        .default(['http', 'http-sync', 'client', 'etcd', 'level'])
        .argParser(compareTargetList),
    )
    .option('--dir <path>', 'parent of the temporary data directories (e.g. /dev/shm)')
    .option('--no-coordination', 'skip the coordination micro-benchmark')
    .addOption(
      new Option('--half-peak <list>', 'targets that also run open loop at half their peak rate (latency at moderate load)')
        .default(['http', 'etcd'])
        .argParser((raw) => (raw === '' || raw === 'none' ? [] : compareTargetList(raw))),
    )
    .option('--wait-quiet <s>', 'before each run, wait up to this long for other programs to leave the machine quiet', Number, 30)
    .option('--seed <n>', 'seed', (raw) => Number.parseInt(raw, 10), 1)
    .option('--baseline <ref>', 'also run this git ref (built in a worktree of its own) beside the current tree, mode by mode, and report the ratios')
    .option('--rounds <n>', 'run every target this many times, interleaved, and report the median round of each', (raw) => Number.parseInt(raw, 10), 1)
    .option('--history <n>', "the dynamo-desk nodes' --history, baseline included (default: the nodes' own)", integerIn(0, historyVersionsMax))
    .option('--trace-sample <f>', "the dynamo-desk nodes' --trace-sample, baseline included (default: the nodes' own)", fraction)
    .option('--json', 'print the results as JSON', false);
  program.parse(argv);
  const options = program.opts();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = performance.now();
  let report: CompareReport;
  try {
    report = await runCompare({
      records: options.records,
      concurrency: options.concurrency,
      warmupS: options.warmup,
      durationS: options.duration,
      workloads: options.workloads,
      targets: options.targets,
      dir: options.dir,
      coordination: options.coordination,
      halfPeak: options.halfPeak,
      waitQuietS: options.waitQuiet,
      seed: options.seed,
      baseline: options.baseline,
      rounds: options.rounds,
      history: options.history,
      traceSample: options.traceSample,
      log,
    });
  } catch (error) {
    process.stderr.write(`bench:compare: ${(error as Error).message}\n`);
    process.exit(1);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  // With several rounds, the tables show each target's median round; every round is listed after them.
  const shown = medianRuns(report.results);
  const out: string[] = [
    `dynamo-desk vs etcd${report.etcdVersion === null ? '' : ` ${report.etcdVersion}`}: ${options.records} keys of ${valueBytesDefault} bytes, ` +
      `zipfian, concurrency ${options.concurrency}, ${options.duration} s per run after ${options.warmup} s of warm-up` +
      `${options.rounds > 1 ? `, median of ${options.rounds} interleaved rounds` : ''} (${((performance.now() - started) / 60_000).toFixed(1)} min in all)`,
    '',
    compareTable(shown, report.results),
    '',
    cpuTable(shown),
  ];
  const rounds = roundLines(report.results);
  if (rounds.length > 0) out.push('', ...rounds);
  const extra = [...notes(shown), ...scheduleNotes(shown)];
  if (extra.length > 0) out.push('', ...extra);
  out.push('', claimLine(report.claim));
  if (report.coordination !== null) {
    out.push('', 'Coordination cost per request (CPU µs, effects answering through resolved promises):', '', coordinationTable(report.coordination));
    out.push('', ...coordinationShare(shown, report.coordination));
  }
  out.push(
    '',
    'Durability: etcd fsyncs its Raft log before acknowledging a write. dynamo-http and dynamo-client nodes write to',
    'LevelDB without sync (an acknowledged write is on W nodes, in their OS page cache: it survives a killed process,',
    'not a power loss); dynamo-*-sync nodes (--sync) fsync every write before acking it, as etcd does. A client can',
    'also ask per request (?dw=N: N of the W acks durable). `--dir /dev/shm` takes the disk out of all of them.',
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv);
}
