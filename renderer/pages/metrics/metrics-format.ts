// How the Metrics page writes its figures: rates, latencies and byte rates, short for axes and
// with their unit for text, and the fault periods' words and durations. Pure.

import type { FaultPeriod } from '../../../core/admin/admin-api.js';
import { formatClockTime, formatDuration, plural } from '../../lib/format.js';
import type { FaultKind } from './metrics-series.js';

/** 0 → "0", 0.4 → "0.4", 12.46 → "12.5", 1234 → "1,234", 25300 → "25.3k". */
export function formatNumber(value: number): string {
  const size = Math.abs(value);
  if (size === 0) return '0';
  if (size >= 10_000_000) return `${trim((value / 1_000_000).toFixed(1))}M`;
  if (size >= 10_000) return `${trim((value / 1000).toFixed(1))}k`;
  if (size >= 100) return Math.round(value).toLocaleString('en-US');
  if (size >= 10) return trim(value.toFixed(1));
  return trim(value.toFixed(size < 1 ? 2 : 1));
}

/** "12.5/s". */
export function formatRate(value: number): string {
  return `${formatNumber(value)}/s`;
}

/** 0.213 → "0.21 ms", 3.4 → "3.4 ms", 1250 → "1.25 s". */
export function formatLatency(ms: number): string {
  if (ms >= 1000) return `${trim((ms / 1000).toFixed(2))} s`;
  return `${formatNumber(ms)} ms`;
}

/** Bytes per second: "0 B/s", "812 B/s", "12.3 KiB/s", "1.5 MiB/s". */
export function formatByteRate(bytes: number): string {
  return `${formatBytesShort(bytes)}/s`;
}

/** "812 B", "12.3 KiB", "1.5 MiB" (axes drop the "/s" their title says). */
export function formatBytesShort(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${trim((bytes / 1024).toFixed(1))} KiB`;
  return `${trim((bytes / (1024 * 1024)).toFixed(1))} MiB`;
}

function trim(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Axis labels for seconds since the epoch: "14:03:20", or "14:03" where ticks are a minute or more apart. */
export function formatAxisTime(seconds: number, incrementSeconds: number): string {
  const text = formatClockTime(seconds * 1000);
  return incrementSeconds >= 60 ? text.slice(0, 5) : text;
}

// ── Faults ────────────────────────────────────────────────────────────────────────────────────

/** The fault kinds as the legend and the list name them. */
export const faultKindWords: Record<FaultKind, string> = {
  killed: 'Killed',
  crashed: 'Crashed',
  stopped: 'Stopped',
  isolated: 'Isolated',
  down: 'Down',
};

/** What each kind means, for the legend's tooltips. */
export const faultKindMeanings: Record<FaultKind, string> = {
  killed: 'The node’s process was killed (SIGKILL) from the console.',
  crashed: 'The node’s process ended without being asked to.',
  stopped: 'The node’s process was stopped on request (or restarted).',
  isolated: 'The node was cut off from some or all of its peers (fault injection).',
  down: 'Other members judged the node down; an attached console cannot see why.',
};

/** "2m 13s", or "ongoing, 35s so far". */
export function faultDuration(period: FaultPeriod, consoleNow: number): string {
  if (period.to === undefined) return `ongoing, ${formatDuration(consoleNow - period.from)} so far`;
  return formatDuration(Math.max(0, period.to - period.from));
}

/** "1 fault period shaded", "no faults". */
export function faultsPhrase(count: number): string {
  return count === 0 ? 'no faults in this window' : `${plural(count, 'fault period')} shaded`;
}

/** "last 5 minutes". */
export function windowPhrase(windowMs: number): string {
  const minutes = Math.round(windowMs / 60_000);
  return minutes === 1 ? 'last minute' : `last ${minutes} minutes`;
}
