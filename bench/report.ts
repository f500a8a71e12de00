// Terminal tables for benchmark results.

import type { LoadResult, RunResult } from './runner.js';

/** Left-aligns the first column and right-aligns the others. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function resultsTable(results: readonly RunResult[]): string {
  const header = ['target', 'workload', 'keys', 'load', 'ops/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'cpu cores', 'ops/core-s'];
  const rows = results.map((r) => [
    r.target,
    r.workload.toUpperCase(),
    r.distribution,
    r.mode === 'open' ? `${count(r.rate!)}/s` : `c=${r.concurrency}`,
    count(r.opsPerSec),
    ms(r.latency.p50Ms),
    ms(r.latency.p99Ms),
    ms(r.latency.p999Ms),
    String(r.errors + r.notFound),
    r.cpu.cores.toFixed(2),
    r.cpu.opsPerCoreSecond === null ? '-' : count(r.cpu.opsPerCoreSecond) + (r.cpu.complete ? '' : '*'),
  ]);
  return formatTable(header, rows);
}

/** Where the CPU went: seconds per process over each run's window. */
export function cpuTable(results: readonly RunResult[]): string {
  const header = ['target', 'workload', 'process', 'cpu s', 'cores', 'µs/op'];
  const rows: string[][] = [];
  for (const r of results) {
    for (const p of r.cpu.processes) {
      rows.push([
        r.target,
        r.workload.toUpperCase(),
        `${p.role} (${p.pid})`,
        p.seconds === null ? '-' : p.seconds.toFixed(2),
        p.seconds === null ? '-' : (p.seconds / r.seconds).toFixed(2),
        p.seconds === null || r.operations === 0 ? '-' : ((p.seconds * 1e6) / r.operations).toFixed(0),
      ]);
    }
  }
  return formatTable(header, rows);
}

export function loadLine(target: string, load: LoadResult): string {
  return (
    `${target}: loaded ${count(load.records)} keys in ${load.seconds.toFixed(1)} s ` +
    `(${count(load.opsPerSec)} inserts/s${load.errors > 0 ? `, ${load.errors} errors: ${JSON.stringify(load.errorCodes)}` : ''})`
  );
}

export function notes(results: readonly RunResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (r.errors > 0 || r.notFound > 0) {
      lines.push(`${r.target} ${r.workload.toUpperCase()}: ${r.errors} errors ${JSON.stringify(r.errorCodes)}, ${r.notFound} reads found nothing`);
    }
    if (r.cpu.otherCores !== null && r.cpu.otherCores > 0.2) {
      lines.push(`${r.target} ${r.workload.toUpperCase()}: the machine was not quiet: other work kept ${r.cpu.otherCores.toFixed(2)} cores busy during the run`);
    }
    if (!r.cpu.complete) lines.push(`${r.target} ${r.workload.toUpperCase()}: * CPU time of some processes could not be read (not on this machine?)`);
    const counters = Object.entries(r.counters).filter(([, value]) => value > 0);
    if (counters.length > 0) lines.push(`${r.target} ${r.workload.toUpperCase()}: ${counters.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (r.serviceLatency !== null) {
      lines.push(
        `${r.target} ${r.workload.toUpperCase()}: service time (from send) p50 ${ms(r.serviceLatency.p50Ms)} ms, ` +
          `p99 ${ms(r.serviceLatency.p99Ms)} ms, p99.9 ${ms(r.serviceLatency.p999Ms)} ms`,
      );
    }
  }
  return lines;
}

/** CPU the nodes (every measured process but the generator) spent per operation, in µs. */
export function nodesCpuPerOpUs(r: RunResult): number | null {
  if (r.operations === 0) return null;
  const seconds = r.cpu.processes.filter((p) => p.role !== 'bench').reduce((sum, p) => sum + (p.seconds ?? 0), 0);
  return (seconds * 1e6) / r.operations;
}
