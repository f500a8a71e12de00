// CPU time is read from /proc/<pid>/stat. This proves the parser finds utime and stime even
// when the command name holds spaces and parentheses, and that the reader agrees with Node's own
// process.cpuUsage() on the test process while it burns CPU, to within a few clock ticks.

import { describe, expect, it } from 'vitest';
import { clockTicksPerSecond, CpuMeter, machineBusySeconds, parseStatCpuTicks, processCpuSeconds } from '../../bench/cpu.js';

function burn(ms: number): void {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
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
    burn(300);
    const procSpent = processCpuSeconds(process.pid)! - procBefore;
    const usage = process.cpuUsage(usageBefore);
    const usageSpent = (usage.user + usage.system) / 1e6;
    expect(usageSpent).toBeGreaterThan(0.2);
    // /proc counts whole ticks; other threads of this process (GC, the test runner) may add a little.
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
    meter.start();
    burn(200);
    const report = meter.stop();
    expect(report.processes[0].seconds).toBeGreaterThan(0.1);
    expect(report.processes[1].seconds).toBeUndefined();
    expect(report.complete).toBe(false);
    expect(report.seconds).toBe(report.processes[0].seconds);
    expect(report.machineSeconds).toBeGreaterThanOrEqual(report.seconds - 0.05);
    expect(machineBusySeconds()).toBeGreaterThan(0);
  });
});
