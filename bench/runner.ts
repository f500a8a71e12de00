// The load generator: loads the key space, then runs a workload against a BenchTarget for a
// warm-up and a measured window, in one of two modes:
//
// - closed loop (`concurrency` workers, each issuing its next operation when the previous one
//   answers): measures throughput at a given concurrency;
// - open loop (a fixed `rate`): operation i is due at start + i/rate whether or not earlier ones
//   have answered, and its latency is measured from that intended start, so a stall is charged
//   to every operation it delayed (no coordinated omission; Tene, "How NOT to measure
//   latency"). `concurrency` then bounds the operations in flight; a due operation waiting for
//   a free slot is still timed from when it was due.
//
// Only operations that complete inside the measured window count, and the CPU time of every
// process involved is read at the window's two ends. Progress goes to stderr once a second.

import { SeededRandom } from '../core/common/random.js';
import { CpuMeter, waitForQuietMachine } from './cpu.js';
import type { CpuReport } from './cpu.js';
import { LatencyHistogram } from './histogram.js';
import type { LatencySummary } from './histogram.js';
import { keyChooser } from './zipfian.js';
import type { Distribution } from './zipfian.js';
import type { BenchTarget, Outcome, Workload, WorkloadName } from './workload.js';

export interface LoadOptions {
  records: number;
  concurrency: number;
  /** Values in the target's key space (inserts cycle through them). */
  valueCount: number;
  progress?: (line: string) => void;
}

export interface LoadResult {
  records: number;
  seconds: number;
  opsPerSec: number;
  errors: number;
  errorCodes: Record<string, number>;
}

export interface RunOptions {
  workload: Workload;
  distribution: Distribution;
  records: number;
  valueCount: number;
  /** Workers (closed loop), or the most operations in flight (open loop). */
  concurrency: number;
  /** Operations per second to issue (open loop); absent for a closed loop. */
  rate?: number;
  warmupS: number;
  durationS: number;
  seed: number;
  /** Where the once-a-second progress lines go; stderr by default. */
  progress?: (line: string) => void;
  /**
   * Before starting, wait up to this many seconds for the rest of the machine to be quiet
   * (other programs using under 0.15 cores); 0 or absent: start at once.
   */
  waitQuietS?: number;
}

export interface RunResult {
  target: string;
  workload: WorkloadName;
  distribution: Distribution;
  mode: 'closed' | 'open';
  concurrency: number;
  rate: number | null;
  /** Length of the measured window, seconds. */
  seconds: number;
  operations: number;
  opsPerSec: number;
  reads: number;
  updates: number;
  errors: number;
  notFound: number;
  errorCodes: Record<string, number>;
  /** Every operation; in an open loop, from its intended start. */
  latency: LatencySummary;
  readLatency: LatencySummary;
  updateLatency: LatencySummary;
  /** Open loop only: from when the operation was actually sent (service time). */
  serviceLatency: LatencySummary | null;
  /**
   * Open loop only: the operations due in the measured window (rate × its length). Against
   * `operations` it shows whether the generator and the target kept the schedule: a result to
   * report, never a pass/fail check.
   */
  scheduled: number | null;
  cpu: {
    seconds: number;
    /** CPU seconds per second of the window: how many cores the run kept busy. */
    cores: number;
    opsPerCoreSecond: number | null;
    complete: boolean;
    processes: { role: string; pid: number; seconds: number | null }[];
    /**
     * Cores busy with anything else on the machine during the window (other programs, the
     * kernel's own work not charged to a process): a run on a machine that was not quiet is
     * not comparable with one on a quiet machine.
     */
    otherCores: number | null;
  };
  counters: Record<string, number>;
}

const progressIntervalMs = 1000;
const defaultProgress = (line: string) => {
  process.stderr.write(`${line}\n`);
};

/** Writes every key once, with `concurrency` writers. */
export async function loadKeySpace(target: BenchTarget, options: LoadOptions): Promise<LoadResult> {
  const progress = options.progress ?? defaultProgress;
  const errorCodes = new Map<string, number>();
  let next = 0;
  let done = 0;
  let errors = 0;
  const started = performance.now();
  const ticker = setInterval(() => {
    progress(`[${target.name} load] ${done}/${options.records} keys, errors ${errors}`);
  }, progressIntervalMs);
  const worker = async () => {
    while (next < options.records) {
      const key = next++;
      const outcome = await attempt(() => target.insert(key, key % options.valueCount));
      done++;
      if (outcome.kind !== 'ok') {
        errors++;
        countCode(errorCodes, outcome.kind === 'error' ? outcome.code : outcome.kind);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.records) }, worker));
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - started) / 1000;
  return { records: options.records, seconds, opsPerSec: options.records / seconds, errors, errorCodes: Object.fromEntries(errorCodes) };
}

/** Runs one workload: warm-up, then the measured window. */
export async function runWorkload(target: BenchTarget, options: RunOptions): Promise<RunResult> {
  const progress = options.progress ?? defaultProgress;
  const root = new SeededRandom(options.seed);
  const opRandom = root.fork();
  const chooser = keyChooser(options.distribution, options.records, root.fork());
  const valueRandom = root.fork();
  const readProportion = options.workload.readProportion;
  const open = options.rate !== undefined;
  const label = `[${target.name} ${options.workload.name.toUpperCase()}${open ? ` @${options.rate}/s` : ''}]`;

  const all = new LatencyHistogram();
  const readHistogram = new LatencyHistogram();
  const updateHistogram = new LatencyHistogram();
  const service = new LatencyHistogram();
  const second = new LatencyHistogram();
  const errorCodes = new Map<string, number>();
  let reads = 0;
  let updates = 0;
  let errors = 0;
  let notFound = 0;
  let secondOps = 0;
  let secondErrors = 0;
  let inFlight = 0;

  const measured = [...(await target.processes()), { role: 'bench', pid: process.pid }];
  const cpu = new CpuMeter(measured);
  if (options.waitQuietS !== undefined && options.waitQuietS > 0) {
    const other = await waitForQuietMachine(measured, { maxWaitMs: options.waitQuietS * 1000 });
    if (other !== undefined && other >= 0.15) {
      progress(`${label} the machine is still busy (${other.toFixed(2)} cores used by other work); running anyway`);
    }
  }
  let measuring = false;
  let stopping = false;
  let windowStart = 0;
  let windowEnd = 0;
  let cpuReport: CpuReport | undefined;

  const record = (isRead: boolean, outcome: Outcome, latencyMs: number, serviceMs: number) => {
    secondOps++;
    if (outcome.kind !== 'ok') secondErrors++;
    second.record(latencyMs);
    if (!measuring) return;
    all.record(latencyMs);
    if (open) service.record(serviceMs);
    if (isRead) {
      reads++;
      readHistogram.record(latencyMs);
    } else {
      updates++;
      updateHistogram.record(latencyMs);
    }
    if (outcome.kind === 'not_found') notFound++;
    else if (outcome.kind === 'error') {
      errors++;
      countCode(errorCodes, outcome.code);
    }
  };

  const issue = async (intendedMs: number | undefined) => {
    const isRead = opRandom.next() < readProportion;
    const key = chooser.next();
    const value = valueRandom.int(options.valueCount);
    inFlight++;
    const sent = performance.now();
    const outcome = await attempt(() => (isRead ? target.read(key) : target.update(key, value)));
    const done = performance.now();
    inFlight--;
    const from = intendedMs === undefined ? sent : Math.min(intendedMs, sent);
    record(isRead, outcome, done - from, done - sent);
  };

  const started = performance.now();
  const warmupMs = options.warmupS * 1000;
  const durationMs = options.durationS * 1000;
  let phase = options.warmupS > 0 ? 'warm-up' : 'run';
  const beginWindow = () => {
    cpu.start();
    windowStart = performance.now();
    measuring = true;
    phase = 'run';
  };
  const endWindow = () => {
    windowEnd = performance.now();
    measuring = false;
    cpuReport = cpu.stop();
    stopping = true;
    phase = 'drain';
  };
  let endTimer: NodeJS.Timeout | undefined;
  const startTimer = setTimeout(() => {
    beginWindow();
    endTimer = setTimeout(endWindow, durationMs);
  }, warmupMs);
  const ticker = setInterval(() => {
    const elapsed = Math.round((performance.now() - started) / 1000);
    progress(
      `${label} ${elapsed}s ${phase}: ${secondOps} ops/s, p50 ${fmt(second.percentileMs(50))} ms, ` +
        `p99 ${fmt(second.percentileMs(99))} ms, errors ${secondErrors}, in flight ${inFlight}`,
    );
    secondOps = 0;
    secondErrors = 0;
    second.reset();
  }, progressIntervalMs);

  try {
    if (!open) {
      const worker = async () => {
        while (!stopping) await issue(undefined);
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    } else {
      const intervalMs = 1000 / options.rate!;
      let due = 0;
      const worker = async () => {
        while (!stopping) {
          const intended = started + due++ * intervalMs;
          const wait = intended - performance.now();
          // Timers fire on whole milliseconds and late: sleep to just under the due time; an
          // operation sent early is timed from when it was sent.
          if (wait >= 1) await sleepMs(Math.floor(wait));
          if (stopping) break;
          await issue(intended);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
    }
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    clearInterval(ticker);
  }
  if (cpuReport === undefined) throw new Error('runWorkload: the measured window never ended');

  const seconds = (windowEnd - windowStart) / 1000;
  const operations = all.count;
  return {
    target: target.name,
    workload: options.workload.name,
    distribution: options.distribution,
    mode: open ? 'open' : 'closed',
    concurrency: options.concurrency,
    rate: options.rate ?? null,
    seconds,
    operations,
    opsPerSec: operations / seconds,
    reads,
    updates,
    errors,
    notFound,
    errorCodes: Object.fromEntries(errorCodes),
    latency: all.summary(),
    readLatency: readHistogram.summary(),
    updateLatency: updateHistogram.summary(),
    serviceLatency: open ? service.summary() : null,
    scheduled: open ? options.rate! * seconds : null,
    cpu: {
      seconds: cpuReport.seconds,
      cores: cpuReport.seconds / seconds,
      opsPerCoreSecond: cpuReport.seconds > 0 ? operations / cpuReport.seconds : null,
      complete: cpuReport.complete,
      processes: cpuReport.processes.map((p) => ({ role: p.role, pid: p.pid, seconds: p.seconds ?? null })),
      otherCores: cpuReport.machineSeconds === undefined ? null : Math.max(0, cpuReport.machineSeconds - cpuReport.seconds) / seconds,
    },
    counters: target.counters?.() ?? {},
  };
}

async function attempt(operation: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await operation();
  } catch (error) {
    const withCode = error as { code?: string; message?: string };
    return { kind: 'error', code: String(withCode?.code ?? withCode?.message ?? error) };
  }
}

function countCode(codes: Map<string, number>, code: string): void {
  codes.set(code, (codes.get(code) ?? 0) + 1);
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}
