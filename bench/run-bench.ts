// Runs `dynamo bench` once its arguments are parsed (command.ts): opens the target, loads the
// key space, runs each workload in turn, prints the results.

import { CliExit } from '../core/cli-kit/exit.js';
import type { BenchCommandOptions } from './command.js';
import { coordinationShare, runCoordinationBench, type CoordinationResult } from './coordination.js';
import { EtcdMissingError } from './etcd.js';
import { cpuTable, loadLine, notes, resultsTable } from './report.js';
import { loadKeySpace, runWorkload } from './runner.js';
import type { RunResult } from './runner.js';
import { benchBucket, openTarget } from './targets.js';
import { makeKeySpace, valuePoolSize, workloads } from './workload.js';

/** Opens the target, loads the key space, runs each workload in turn, closes the target. */
export async function runBench(options: BenchCommandOptions): Promise<RunResult[]> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const keySpace = makeKeySpace({ bucket: benchBucket(), records: options.records, valueBytes: options.valueSize, seed: options.seed });
  let target;
  try {
    target = await openTarget({
      kind: options.target,
      keySpace,
      concurrency: options.concurrency,
      endpoint: options.endpoint,
      nodes: options.nodes,
      ringSize: options.ringSize,
      n: options.n,
      r: options.r,
      w: options.w,
      token: options.token ?? process.env.DYNAMO_TOKEN,
      etcdMembers: options.etcdMembers,
      etcdBinary: options.etcdBinary,
      dir: options.dir,
      sync: options.sync,
      history: options.history,
      traceSample: options.traceSample,
      log,
    });
  } catch (error) {
    if (error instanceof EtcdMissingError) throw new CliExit(1, error.message);
    throw new CliExit(1, `cannot start ${options.target}: ${(error as Error).message}`);
  }
  const stop = () => {
    void target.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  try {
    const load = await loadKeySpace(target, { records: options.records, concurrency: options.concurrency, valueCount: valuePoolSize });
    log(loadLine(target.name, load));
    const results: RunResult[] = [];
    for (const name of options.workload) {
      const result = await runWorkload(target, {
        workload: workloads[name],
        distribution: options.distribution,
        records: options.records,
        valueCount: valuePoolSize,
        concurrency: options.concurrency,
        rate: options.rate,
        warmupS: options.warmup,
        durationS: options.duration,
        seed: options.seed,
        waitQuietS: options.waitQuiet,
      });
      results.push(result);
    }
    return results;
  } finally {
    process.removeListener('SIGINT', stop);
    await target.close();
  }
}

export function printResults(results: readonly RunResult[], json: boolean, coordination: readonly CoordinationResult[] = []): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${resultsTable(results)}\n\n${cpuTable(results)}\n`);
  const extra = [...notes(results), ...coordinationShare(results, coordination)];
  if (extra.length > 0) process.stdout.write(`\n${extra.join('\n')}\n`);
}

/**
 * The XState machines' cost per request, measured in this process (a short bench:coordination),
 * when the runs measured a dynamo-desk cluster's own processes: with it, the report says what
 * share of the nodes' CPU per request the machine is.
 */
export async function coordinationFor(results: readonly RunResult[]): Promise<CoordinationResult[]> {
  const measured = results.some((r) => r.target.startsWith('dynamo-') && r.cpu.processes.some((p) => p.role !== 'bench' && p.seconds !== null));
  return measured ? runCoordinationBench({ requests: 5_000, rounds: 3 }) : [];
}
