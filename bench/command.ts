// `dynamo bench`: the YCSB-style load generator against dynamo-desk (server- or client-driven),
// etcd, or raw classic-level. Prints a table (or --json) on stdout and progress on stderr.

import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { CliExit } from '../core/cli-kit/exit.js';
import { checkQuorum, endpointUrl, fraction, integerIn, powerOfTwo } from '../core/cli-kit/options.js';
import { historyVersionsMax } from '../core/common/limits.js';
import { recordsDefault, valueBytesDefault, workloadNames } from './workload.js';
import type { WorkloadName } from './workload.js';
import type { Distribution } from './zipfian.js';

/** The systems under test (targets.ts; repeated here so the CLI loads the bench only when run). */
export type TargetKind = 'http' | 'client' | 'etcd' | 'level';
export const targetKinds: readonly TargetKind[] = ['http', 'client', 'etcd', 'level'];

export interface BenchCommandOptions {
  target: TargetKind;
  workload: WorkloadName[];
  records: number;
  valueSize: number;
  distribution: Distribution;
  concurrency: number;
  rate?: number;
  warmup: number;
  duration: number;
  nodes: number;
  endpoint?: string;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  token?: string;
  etcdMembers: number;
  etcdBinary?: string;
  dir?: string;
  sync: boolean;
  history?: number;
  traceSample?: number;
  seed: number;
  waitQuiet: number;
  json: boolean;
}

function workloadList(raw: string): WorkloadName[] {
  const list = raw.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item.length > 0);
  if (list.length === 0) throw new InvalidArgumentError(`expected one or more of ${workloadNames.join(', ')}`);
  for (const item of list) {
    if (!(workloadNames as string[]).includes(item)) {
      throw new InvalidArgumentError(`unknown workload ${item}: expected ${workloadNames.join(', ')} (comma-separated)`);
    }
  }
  return list as WorkloadName[];
}

function seconds(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 86_400) throw new InvalidArgumentError('expected seconds from 0 to 86400');
  return value;
}

function positiveSeconds(raw: string): number {
  const value = seconds(raw);
  if (value === 0) throw new InvalidArgumentError('expected more than 0 seconds');
  return value;
}

export function addBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('YCSB-style load generator: dynamo-desk over HTTP or client-driven, etcd, or raw classic-level')
    .addOption(new Option('--target <target>', 'system under test').choices(targetKinds).default('http'))
    .option('--workload <list>', 'a (50/50 read/update), b (95/5), c (read only), w (update only); comma-separated runs each in turn', workloadList, ['a'] as WorkloadName[])
    .option('--records <n>', 'keys loaded before the run', integerIn(1, 10_000_000), recordsDefault)
    .option('--value-size <bytes>', 'bytes per value', integerIn(1, 1024 * 1024), valueBytesDefault)
    .addOption(new Option('--distribution <d>', 'key choice').choices(['zipfian', 'uniform']).default('zipfian'))
    .option('--concurrency <n>', 'operations in flight (closed loop), or at most in flight (with --rate)', integerIn(1, 4096), 32)
    .option('--rate <ops>', 'open loop at this many operations per second (latency from the intended start)', integerIn(1, 10_000_000))
    .option('--warmup <s>', 'seconds run before measuring', seconds, 5)
    .option('--duration <s>', 'seconds measured', positiveSeconds, 30)
    .option('--nodes <n>', 'nodes of the local dynamo-desk cluster the bench starts', integerIn(1, 64), 3)
    .option('--endpoint <url>', 'attach to a running dynamo-desk cluster through this node instead', endpointUrl)
    .option('--ring-size <q>', 'partitions on the ring', powerOfTwo(8, 16384), 64)
    .option('--n <n>', 'replicas per key', integerIn(1, 16), 3)
    .option('--r <r>', 'read quorum', integerIn(1, 16), 2)
    .option('--w <w>', 'write quorum', integerIn(1, 16), 2)
    .option('--token <token>', 'bearer token (or DYNAMO_TOKEN)')
    .option('--etcd-members <n>', 'members of the etcd cluster the bench starts', integerIn(1, 7), 3)
    .option('--etcd-binary <path>', 'the etcd executable', 'etcd')
    .option('--dir <path>', 'where temporary data directories go (default: the system temporary directory)')
    .option('--sync', 'start the dynamo-desk nodes with --sync: every write fsynced before its ack, as etcd does', false)
    .option('--history <n>', "the started nodes' --history: superseded versions kept per key, 0 is off (default: the nodes' own)", integerIn(0, historyVersionsMax))
    .option('--trace-sample <f>', "the started nodes' --trace-sample: fraction of requests traced, 0 to 1 (default: the nodes' own)", fraction)
    .option('--seed <n>', 'seed of the key and operation choices', integerIn(0, 2 ** 31 - 1), 1)
    .option('--wait-quiet <s>', 'before each run, wait up to this long for other programs to leave the machine quiet', seconds, 0)
    .option('--json', 'print the results as JSON', false)
    .action(async (options: BenchCommandOptions) => {
      const problem = checkQuorum(options.n, options.r, options.w);
      if (problem !== undefined) throw new CliExit(2, problem);
      if (options.endpoint !== undefined && (options.target === 'etcd' || options.target === 'level')) {
        throw new CliExit(2, `--endpoint applies to --target http or client, not ${options.target}`);
      }
      for (const [flag, given] of [['--sync', options.sync], ['--history', options.history !== undefined], ['--trace-sample', options.traceSample !== undefined]] as const) {
        if (given && (options.endpoint !== undefined || options.target === 'etcd' || options.target === 'level')) {
          throw new CliExit(2, `${flag} applies to a dynamo-desk cluster the bench starts (--target http or client, without --endpoint)`);
        }
      }
      // The generator, its targets and their libraries load only when the bench runs.
      const { coordinationFor, printResults, runBench } = await import('./run-bench.js');
      const results = await runBench(options);
      printResults(results, options.json, options.json ? [] : await coordinationFor(results));
    });
}

