// CPU time of the processes a benchmark involves (the cluster's nodes, etcd's members, the load
// generator itself), read from /proc/<pid>/stat: utime + stime, in clock ticks, summed over all
// the process's threads (LevelDB's and libuv's pools, Go's runtime). Dividing the operations of
// a run by the CPU seconds all of them spent gives operations per core-second, a figure that
// does not depend on how many cores the machine has or how busy they were.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** The kernel's USER_HZ (sysconf(_SC_CLK_TCK)); 100 on every Linux we know of. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number.parseInt(answer.stdout ?? '', 10);
    ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return ticksPerSecond;
}

/**
 * utime + stime of `pid` in seconds, or undefined when the process does not exist here (it
 * exited, or it runs on another machine) or /proc is missing.
 */
export function processCpuSeconds(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  return parseStatCpuTicks(text) / clockTicksPerSecond();
}

/**
 * utime + stime, in ticks, from the text of /proc/<pid>/stat. The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses, so fields are counted from the last
 * ')': the state (field 3) comes first, utime and stime are fields 14 and 15.
 */
export function parseStatCpuTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc/<pid>/stat: no command name');
  const fields = stat.slice(close + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('malformed /proc/<pid>/stat: no utime/stime');
  return utime + stime;
}

/**
 * Busy CPU seconds of the whole machine since boot (every core: all of /proc/stat's first line
 * but idle and iowait), or undefined without /proc. Compared with the measured processes' own
 * time, it shows how much of the machine something else used during a run.
 */
export function machineBusySeconds(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'latin1');
  } catch {
    return undefined;
  }
  const line = text.slice(0, text.indexOf('\n'));
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  if (ticks.length < 4 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already
  // counted in user time.
  const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
  const idle = ticks[3] + (ticks[4] ?? 0);
  return (total - idle) / clockTicksPerSecond();
}

/**
 * Waits until the rest of the machine (everything but `ours`) has kept under `otherCoresMax`
 * cores busy for two consecutive seconds, or `maxWaitMs` passed. Answers the cores the rest of
 * the machine used in the last second looked at (undefined without /proc).
 */
export async function waitForQuietMachine(
  ours: readonly MeasuredProcess[],
  options: { maxWaitMs: number; otherCoresMax?: number },
): Promise<number | undefined> {
  const limit = options.otherCoresMax ?? 0.15;
  const deadline = performance.now() + options.maxWaitMs;
  let quietSeconds = 0;
  let other: number | undefined;
  while (quietSeconds < 2 && performance.now() < deadline) {
    const meter = new CpuMeter(ours);
    meter.start();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const report = meter.stop();
    if (report.machineSeconds === undefined) return undefined;
    other = Math.max(0, report.machineSeconds - report.seconds) / ((performance.now() - started) / 1000);
    quietSeconds = other < limit ? quietSeconds + 1 : 0;
  }
  return other;
}

export interface MeasuredProcess {
  /** What the process is: 'n1', 'etcd e2', 'bench'. */
  role: string;
  pid: number;
}

export interface ProcessCpu extends MeasuredProcess {
  /** CPU seconds spent between start() and stop(); undefined when it could not be read. */
  seconds: number | undefined;
}

export interface CpuReport {
  /** Sum over the processes that could be read. */
  seconds: number;
  processes: ProcessCpu[];
  /** True when every process could be read at both ends. */
  complete: boolean;
  /** Busy CPU seconds of the whole machine over the interval (undefined without /proc/stat). */
  machineSeconds: number | undefined;
}

/** Measures the CPU time a set of processes spends over an interval. */
export class CpuMeter {
  private startSeconds: (number | undefined)[] = [];
  private machineStart: number | undefined;

  constructor(readonly processes: readonly MeasuredProcess[]) {}

  start(): void {
    this.startSeconds = this.processes.map((p) => processCpuSeconds(p.pid));
    this.machineStart = machineBusySeconds();
  }

  stop(): CpuReport {
    let seconds = 0;
    let complete = true;
    const processes = this.processes.map((p, i) => {
      const before = this.startSeconds[i];
      const after = processCpuSeconds(p.pid);
      const spent = before === undefined || after === undefined ? undefined : after - before;
      if (spent === undefined) complete = false;
      else seconds += spent;
      return { ...p, seconds: spent };
    });
    const machineEnd = machineBusySeconds();
    const machineSeconds = this.machineStart === undefined || machineEnd === undefined ? undefined : machineEnd - this.machineStart;
    return { seconds, processes, complete, machineSeconds };
  }
}
