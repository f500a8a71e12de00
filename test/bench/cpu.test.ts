// CPU time is read from /proc/<pid>/stat. This proves the parser finds utime and stime even
// when the command name holds spaces and parentheses, and that the reader agrees with Node's own
// process.cpuUsage() on the test process while it burns CPU, to within a few clock ticks. The
// burns run until process.cpuUsage() has counted a given amount of CPU, however long that
// takes on a busy machine: nothing here depends on how fast the machine is.

import { describe, expect, it } from 'vitest';
import { clockTicksPerSecond, CpuMeter, machineBusySeconds, parseStatCpuTicks, processCpuSeconds } from '../../bench/cpu.js';

/** Spins until Node counts `seconds` of CPU (user + system) spent by this process. */
function burnCpu(seconds: number): void {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + 1);
    const spent = process.cpuUsage(start);
    if ((spent.user + spent.system) / 1e6 >= seconds) break;
  }
  if (x < 0) throw new Error('unreachable');
}

describe('parseStatCpuTicks', () => {
  it('counts fields from the last parenthesis, so odd command names do not shift them', () => {
    // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (we ird) (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 8 9 20 0 1 0 100 0 0';
    expect(parseStatCpuTicks(stat)).toBe(1234 + 567);
  });

  it('throws on text that is not a stat line', () => {
    expect(() => parseStatCpuTicks('nothing here')).toThrow(/malformed/);
  });
});

describe('processCpuSeconds', () => {
  it('agrees with process.cpuUsage() on this process', () => {
    const tick = 1 / clockTicksPerSecond();
    const procBefore = processCpuSeconds(process.pid)!;
    const usageBefore = process.cpuUsage();
    burnCpu(0.3);
    const procSpent = processCpuSeconds(process.pid)! - procBefore;
    const usage = process.cpuUsage(usageBefore);
    const usageSpent = (usage.user + usage.system) / 1e6;
    // Both count the whole process; /proc in whole ticks, read a moment apart from Node's
    // counter, so other threads of this process (GC, the test runner) may add a little between.
    // A wrong field or a wrong tick rate would be off by far more.
    expect(Math.abs(procSpent - usageSpent)).toBeLessThan(5 * tick + 0.05);
  });

  it('answers undefined for a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 22 + 12345)).toBeUndefined();
  });
});

describe('CpuMeter', () => {
  it('measures the interval between start and stop, process by process, and the whole machine', () => {
    const meter = new CpuMeter([
      { role: 'test', pid: process.pid },
      { role: 'gone', pid: 2 ** 22 + 12345 },
    ]);
    const tick = 1 / clockTicksPerSecond();
    meter.start();
    burnCpu(0.2);
    const report = meter.stop();
    // At least the CPU Node counted, less the ticks /proc rounds away at either end.
    expect(report.processes[0].seconds).toBeGreaterThanOrEqual(0.2 - 2 * tick);
    expect(report.processes[1].seconds).toBeUndefined();
    expect(report.complete).toBe(false);
    expect(report.seconds).toBe(report.processes[0].seconds);
    // The whole machine was busy at least as long as this process was; the machine's counters
    // are sampled per core per tick, the process's are not, so allow a few ticks.
    expect(report.machineSeconds).toBeGreaterThanOrEqual(report.seconds - 5 * tick);
    expect(machineBusySeconds()).toBeGreaterThan(0);
  });
});
