// The Keys page's words: how far a listing has got, clocks and dots as people write them
// ("n1:2, n3:1", the paper's [Sx,2]), times, and what each replica's copy says beside the
// quorum read. Pure: every value comes in as an argument.

import type { KeyPage, ReplicaCopy } from '../../core/admin/admin-api.js';
import { compareNodeIds, formatCount, plural } from './format.js';

/**
 * "120 keys shown · 14 of 64 partitions scanned" while more can be loaded, "All 37 keys shown ·
 * all 64 partitions scanned" at the end; without the node's progress, only whether more remain.
 */
export function listingProgress(shown: number, last: KeyPage | undefined): string {
  const more = last?.cursor !== undefined;
  const keys = more ? `${plural(shown, 'key')} shown` : shown === 0 ? 'No keys match' : shown === 1 ? '1 key matches' : `All ${plural(shown, 'key')} shown`;
  const progress = last?.progress;
  if (progress === undefined) return more ? `${keys} · more to load` : keys;
  const { partitionsDone, partitions } = progress;
  const scanned = partitionsDone >= partitions ? `all ${formatCount(partitions)} partitions scanned` : `${formatCount(partitionsDone)} of ${formatCount(partitions)} partitions scanned`;
  return `${keys} · ${scanned}`;
}

/** A dot as the paper writes a clock entry: "n3:1". */
export function formatDot(dot: { node: string; counter: number }): string {
  return `${dot.node}:${dot.counter}`;
}

/** A vector clock, its entries in node order: "n1:2, n3:1" ("empty" for none). */
export function formatClock(clock: Record<string, number>): string {
  const entries = Object.entries(clock).sort(([a], [b]) => compareNodeIds(a, b));
  return entries.length === 0 ? 'empty' : entries.map(([node, counter]) => `${node}:${counter}`).join(', ');
}

/** An ISO 8601 time or epoch milliseconds as local "2026-11-22 10:00:05"; the input itself when it is no time. */
export function formatDateTime(at: string | number): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

export type ReplicaWord = 'same' | 'differs' | 'unreadable' | 'none';

export interface ReplicaStatus {
  word: ReplicaWord;
  /** A Mantine colour, always shown with the word. */
  colour: string;
  sentence: string;
}

/** What a replica's copy says beside the quorum read. */
export function replicaStatus(copy: ReplicaCopy): ReplicaStatus {
  if (copy.error !== undefined) return { word: 'unreadable', colour: 'red', sentence: copy.error };
  if (copy.differs) {
    const held = copy.versions.length === 0 ? 'holds no version' : `holds ${plural(copy.versions.length, 'version')}`;
    return { word: 'differs', colour: 'orange', sentence: `${copy.node} ${held}, unlike the quorum read: read repair or anti-entropy will bring it in line` };
  }
  if (copy.versions.length === 0) return { word: 'none', colour: 'gray', sentence: `${copy.node} holds no version, as the quorum read says` };
  return { word: 'same', colour: 'green', sentence: `${copy.node} holds exactly the versions of the quorum read` };
}

/** "1 version", "2 concurrent versions (siblings)". */
export function versionsPhrase(count: number): string {
  return count > 1 ? `${formatCount(count)} concurrent versions (siblings)` : plural(count, 'version');
}

/** Which writes a replica's copy has that the quorum read has not, and which it lacks (by dot). */
export function versionDifference(
  copy: readonly { dot: { node: string; counter: number } }[],
  read: readonly { dot: { node: string; counter: number } }[],
): { extra: string[]; missing: string[] } {
  const inCopy = new Set(copy.map((version) => formatDot(version.dot)));
  const inRead = new Set(read.map((version) => formatDot(version.dot)));
  return { extra: [...inCopy].filter((dot) => !inRead.has(dot)), missing: [...inRead].filter((dot) => !inCopy.has(dot)) };
}
