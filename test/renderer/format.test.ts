// The shared formatters: lists read as English, counts and durations as an operator expects,
// node ids in natural order.

import { describe, expect, it } from 'vitest';
import { compareNodeIds, formatClockTime, formatCount, formatDuration, joinWords, plural } from '../../renderer/lib/format.js';

describe('format', () => {
  it('joins words with commas and a final "and"', () => {
    expect(joinWords([])).toBe('');
    expect(joinWords(['n1'])).toBe('n1');
    expect(joinWords(['n1', 'n2'])).toBe('n1 and n2');
    expect(joinWords(['n1', 'n2', 'n3'])).toBe('n1, n2 and n3');
  });

  it('counts with separators and the right number', () => {
    expect(formatCount(12345)).toBe('12,345');
    expect(plural(1, 'partition')).toBe('1 partition');
    expect(plural(2, 'partition')).toBe('2 partitions');
    expect(plural(1200, 'key')).toBe('1,200 keys');
  });

  it('shows durations at the two largest units', () => {
    expect(formatDuration(-5)).toBe('0s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(192_000)).toBe('3m 12s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2h 5m');
    expect(formatDuration(3 * 86_400_000 + 4 * 3600_000)).toBe('3d 4h');
  });

  it('shows clock times as local HH:MM:SS', () => {
    expect(formatClockTime(new Date(2026, 10, 30, 9, 5, 7).getTime())).toBe('09:05:07');
  });

  it('orders node ids naturally', () => {
    expect(['n10', 'n2', 'n1'].sort(compareNodeIds)).toEqual(['n1', 'n2', 'n10']);
  });
});
