// The event log: events become sentences, newest first; the same fact reported by several
// nodes within a few seconds is one line naming who saw it; metric samples are not lines; the
// log is bounded.

import { describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../core/admin/admin-api.js';
import { appendEvent, describeEvent, entrySentence, type LogEntry } from '../../renderer/lib/event-log.js';

function feed(events: ConsoleEvent[], options = { maxEntries: 300, mergeWindowMs: 5000 }): readonly LogEntry[] {
  let log: readonly LogEntry[] = [];
  events.forEach((event, i) => {
    log = appendEvent(log, event, i + 1, options);
  });
  return log;
}

describe('event log', () => {
  it('merges reports of one member change from several nodes', () => {
    const log = feed([
      { type: 'member', node: 'n1', at: 1000, id: 'n3', state: 'down', previous: 'up' },
      { type: 'member', node: 'n2', at: 1400, id: 'n3', state: 'down', previous: 'up' },
      { type: 'member', node: 'n2', at: 1500, id: 'n3', state: 'down', previous: 'up' },
      { type: 'member', node: 'n4', at: 1600, id: 'n3', state: 'down', previous: 'up' },
    ]);
    expect(log).toHaveLength(1);
    expect(entrySentence(log[0])).toBe('n3 is down (seen by n1, n2 and n4).');
    expect(log[0].tone).toBe('bad');
  });

  it('keeps the same fact apart when it happens again later', () => {
    const log = feed([
      { type: 'member', node: 'n1', at: 1000, id: 'n3', state: 'down', previous: 'up' },
      { type: 'member', node: 'n1', at: 9000, id: 'n3', state: 'down', previous: 'up' },
    ]);
    expect(log).toHaveLength(2);
  });

  it('puts the newest first and skips metric samples', () => {
    const sample = { opsPerSecond: { get: 0, put: 0, delete: 0 }, requestsInFlight: 0, hintsPending: 0, transfersPending: 0, keysRepaired: 0, peerBytesIn: 0, peerBytesOut: 0 };
    const log = feed([
      { type: 'process', node: 'n3', at: 1000, state: 'stopped', reason: 'killed' },
      { type: 'metrics', node: 'n1', at: 1100, sample },
      { type: 'transfer', node: 'n1', at: 1200, partition: 12, from: 'n1', to: 'n6', state: 'done', keysSent: 340 },
    ]);
    expect(log.map(entrySentence)).toEqual(["Partition 12 moved from n1 to n6 (340 keys).", "n3's process stopped (killed)."]);
  });

  it('describes every kind of event in a sentence', () => {
    const events: ConsoleEvent[] = [
      { type: 'ring', node: 'n1', at: 0, version: 7, partitionsOwned: 13 },
      { type: 'faults', node: 'n2', at: 0, isolated: ['n1', 'n3'] },
      { type: 'faults', node: 'n2', at: 0, isolated: [] },
      { type: 'transfer', node: 'n1', at: 0, partition: 3, from: 'n1', to: 'n6', state: 'failed', keysSent: 1 },
      { type: 'hints-delivered', node: 'n1', at: 0, target: 'n3', delivered: 12, pending: 0 },
      { type: 'anti-entropy', node: 'n1', at: 0, peer: 'n2', trigger: 'manual', report: { partitionsCompared: 13, segmentsDiffering: 1, keysRepaired: 2, bytesSent: 10 } },
      { type: 'process', node: 'n3', at: 0, state: 'up', pid: 4242 },
      { type: 'connection', node: 'console', at: 0, connected: false, message: 'reconnecting' },
      { type: 'join-plan', node: 'n6', at: 0, planId: 'p', state: 'committed' },
    ];
    expect(events.map((event) => describeEvent(event)?.text)).toEqual([
      'Ring version 7 adopted',
      'n2 cut off from n1 and n3',
      'n2 healed: its peer traffic flows again',
      'Transfer of partition 3 from n1 to n6 failed after 1 key',
      'n1 handed 12 hints to n3 (0 still pending)',
      'Anti-entropy on n1 with n2: 13 partitions compared, 2 keys repaired',
      "n3's process is running (pid 4242)",
      "Lost the console's live events: reconnecting",
      'Join of n6 committed',
    ]);
    const ring = feed([events[0], { ...events[0], node: 'n2' } as ConsoleEvent]);
    expect(entrySentence(ring[0])).toBe('Ring version 7 adopted by n1 and n2.');
    const streams = feed(['n1', 'n2', 'n3'].map((node): ConsoleEvent => ({ type: 'connection', node, at: 0, connected: true })));
    expect(streams.map(entrySentence)).toEqual(['Following the live events of n1, n2 and n3.']);
  });

  it('keeps at most maxEntries lines', () => {
    const many: ConsoleEvent[] = Array.from({ length: 20 }, (_, i) => ({ type: 'process', node: `n${i}`, at: i, state: 'up' }));
    const log = feed(many, { maxEntries: 5, mergeWindowMs: 5000 });
    expect(log).toHaveLength(5);
    expect(log[0].text).toContain('n19');
  });
});
