// Small text formatters the console's sentences share: lists of names, counts, durations and
// clock times. Pure: every value comes in as an argument (no Date.now here).

/** "n1", "n1 and n2", "n1, n2 and n3". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** "1 partition", "3 partitions". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/** 12345 → "12,345" (the same on every machine, whatever its locale). */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

/** A duration for the uptime column: "42s", "3m 12s", "2h 5m", "3d 4h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${rest}s`;
  return `${rest}s`;
}

/** Epoch milliseconds → local "HH:MM:SS" for the event log. */
export function formatClockTime(at: number): string {
  const date = new Date(at);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

/** Node ids in natural order: n2 before n10. */
export function compareNodeIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
