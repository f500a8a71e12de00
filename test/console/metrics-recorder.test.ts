// Proves the console's metrics recorder (core/console/metrics-recorder.ts) on a virtual clock, with
// events shaped as the console publishes them (the process states local-console.ts reports for a
// kill, a crash, a stop and a restart; a node's `faults` and `member` events): samples older than
// the window are gone and each node's ring never holds more than its bound, however fast samples
// come; past the node bound the node silent longest is forgotten; a malformed sample is refused
// and a sample is kept without fields it should not have; each kind of fault opens a period at the
// event that starts it and the process coming up again (or a heal) closes it; faults of several
// nodes overlap; periods that ended before the window are dropped while an older one still open
// stays; members judged down count only where the console has no process to say why.

import { beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleEvent, MetricSample, ProcessState } from '../../core/admin/admin-api.js';
import { metricsSamplesPerNodeMax, metricsWindowMs } from '../../core/console/limits.js';
import { MetricsRecorder } from '../../core/console/metrics-recorder.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';

const start = 1_800_000_000_000;

const sample = (get = 10, put = 5): MetricSample => ({
  opsPerSecond: { get, put, delete: 0 },
  requestsInFlight: 1,
  hintsPending: 0,
  transfersPending: 0,
  keysRepaired: 0,
  peerBytesIn: 100,
  peerBytesOut: 200,
  latencyMs: { get: { p50: 1, p99: 4, p999: 9 }, put: null, delete: null },
  keysRepairedTotal: 0,
});

describe('MetricsRecorder', () => {
  let clock: VirtualClock;
  let recorder: MetricsRecorder;
  const record = (event: ConsoleEvent) => recorder.record(event);
  const metrics = (node: string, s: MetricSample = sample()) => record({ type: 'metrics', node, at: clock.now(), sample: s });
  const process = (node: string, state: ProcessState, reason?: Extract<ConsoleEvent, { type: 'process' }>['reason']) =>
    record({ type: 'process', node, at: clock.now(), state, ...(reason === undefined ? {} : { reason }) });
  const isolate = (node: string, isolated: string[]) => record({ type: 'faults', node, at: clock.now(), isolated });
  const member = (observer: string, id: string, state: 'up' | 'down') => record({ type: 'member', node: observer, at: clock.now(), id, state, previous: undefined });
  /** Every node of a local console starts as the supervisor reports it: stopped (never ran), starting, up. */
  const startNodes = (...nodes: string[]) => {
    for (const node of nodes) for (const state of ['stopped', 'starting', 'up'] as const) process(node, state);
  };

  beforeEach(() => {
    clock = new VirtualClock({ startMs: start });
    recorder = new MetricsRecorder(clock);
  });

  describe('samples', () => {
    it('keeps the last 15 minutes of each node, oldest first, stamped with the console clock', async () => {
      for (let second = 0; second < 20 * 60; second++) {
        metrics('n1');
        metrics('n2', sample(second));
        await clock.advance(1000);
      }
      const history = recorder.history();
      expect(history.now).toBe(clock.now());
      expect(history.windowMs).toBe(metricsWindowMs);
      const since = clock.now() - metricsWindowMs;
      expect(history.points.every((point) => point.at >= since)).toBe(true);
      // One a second for the window: 900 per node (the sample at exactly `since` included).
      expect(history.points.filter((point) => point.node === 'n1')).toHaveLength(900);
      expect(history.points.filter((point) => point.node === 'n2')).toHaveLength(900);
      const times = history.points.map((point) => point.at);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // The newest n2 sample is the last one recorded (second 1199), at the time it was recorded.
      const last = history.points.filter((point) => point.node === 'n2').at(-1);
      expect(last).toEqual({ node: 'n2', at: clock.now() - 1000, sample: sample(1199) });
    });

    it('bounds each node\u2019s ring: samples coming faster than one a second overwrite the oldest', async () => {
      for (let i = 0; i < 4 * metricsSamplesPerNodeMax; i++) {
        metrics('n1', sample(i));
        await clock.advance(100);
      }
      const points = recorder.history().points;
      expect(points).toHaveLength(metricsSamplesPerNodeMax);
      expect(points.at(-1)?.sample.opsPerSecond.get).toBe(4 * metricsSamplesPerNodeMax - 1);
      expect(points[0].sample.opsPerSecond.get).toBe(3 * metricsSamplesPerNodeMax);
    });

    it('forgets the node silent longest when one more node than its bound sends samples', async () => {
      recorder = new MetricsRecorder(clock, { nodesMax: 3 });
      metrics('n1');
      await clock.advance(1000);
      metrics('n2');
      metrics('n3');
      await clock.advance(1000);
      metrics('n4');
      expect(new Set(recorder.history().points.map((point) => point.node))).toEqual(new Set(['n2', 'n3', 'n4']));
      expect(recorder.nodesEvicted).toBe(1);
      // A node whose samples all left the window makes room without anyone being evicted.
      await clock.advance(metricsWindowMs + 1);
      metrics('n2');
      metrics('n5');
      metrics('n6');
      expect(recorder.nodesEvicted).toBe(1);
      expect(new Set(recorder.history().points.map((point) => point.node))).toEqual(new Set(['n2', 'n5', 'n6']));
    });

    it('refuses what is not a sample, and keeps a sample\u2019s figures only', () => {
      record({ type: 'metrics', node: 'n1', at: 0, sample: { opsPerSecond: { get: 1 } } as unknown as MetricSample });
      record({ type: 'metrics', node: 'n1', at: 0, sample: { ...sample(), hintsPending: Number.NaN } });
      record({ type: 'metrics', node: 'n1', at: 0, sample: { ...sample(), latencyMs: { get: { p50: 1 }, put: null, delete: null } } as unknown as MetricSample });
      expect(recorder.samplesRefused).toBe(3);
      const { latencyMs: _latency, keysRepairedTotal: _total, ...older } = sample();
      record({ type: 'metrics', node: 'n1', at: 0, sample: { ...older, padding: 'x'.repeat(10_000) } as unknown as MetricSample });
      const points = recorder.history().points;
      expect(points).toHaveLength(1);
      expect(points[0].sample).toEqual(older);
    });
  });

  describe('fault periods', () => {
    it('a kill opens a killed period when the kill starts; the restart closes it when the process is up', async () => {
      startNodes('n1', 'n2', 'n3');
      await clock.advance(5000);
      const killedAt = clock.now();
      process('n3', 'killing');
      await clock.advance(40);
      process('n3', 'stopped', 'killed');
      await clock.advance(30_000);
      expect(recorder.history().faults).toEqual([{ node: 'n3', kind: 'killed', label: 'n3 killed', from: killedAt }]);
      process('n3', 'restarting');
      process('n3', 'starting');
      await clock.advance(1500);
      process('n3', 'up');
      expect(recorder.history().faults).toEqual([{ node: 'n3', kind: 'killed', label: 'n3 killed', from: killedAt, to: killedAt + 40 + 30_000 + 1500 }]);
      // Nodes that started normally had no fault: the first `stopped` of a node that never ran is none.
      expect(recorder.history().faults).toHaveLength(1);
    });

    it('a crash opens a crashed period; an exit asked for is a stop, and a stop then start says Restart', async () => {
      startNodes('n1', 'n2');
      process('n1', 'crashed', 'oom');
      await clock.advance(2000);
      process('n2', 'stopping');
      await clock.advance(100);
      process('n2', 'stopped', 'clean-exit');
      process('n2', 'restarting');
      process('n2', 'starting');
      await clock.advance(900);
      process('n2', 'up');
      await clock.advance(1000);
      process('n1', 'restarting');
      process('n1', 'starting');
      process('n1', 'up');
      expect(recorder.history().faults).toEqual([
        { node: 'n1', kind: 'crashed', label: 'n1 ran out of memory', from: start, to: start + 4000 },
        { node: 'n2', kind: 'stopped', label: 'n2 restarted', from: start + 2000, to: start + 3000 },
      ]);
    });

    it('a process that ends unasked while nobody saw it stop is a crash; a kill that fails is still a kill', async () => {
      startNodes('n1', 'n2');
      process('n1', 'stopped', 'crashed');
      process('n2', 'killing');
      process('n2', 'crashed', 'crashed');
      expect(recorder.history().faults.map(({ node, kind }) => ({ node, kind }))).toEqual([
        { node: 'n1', kind: 'crashed' },
        { node: 'n2', kind: 'killed' },
      ]);
    });

    it('isolation opens a period naming whom the node is cut from; a new list starts another, a heal ends it', async () => {
      startNodes('n1', 'n2', 'n3');
      isolate('n3', ['n2', 'n1']);
      await clock.advance(1000);
      isolate('n3', ['n1', 'n2']); // the same list again: nothing changes
      await clock.advance(1000);
      isolate('n3', ['n1']);
      await clock.advance(1000);
      isolate('n3', []);
      expect(recorder.history().faults).toEqual([
        { node: 'n3', kind: 'isolated', label: 'n3 isolated from n1, n2', from: start, to: start + 2000 },
        { node: 'n3', kind: 'isolated', label: 'n3 isolated from n1', from: start + 2000, to: start + 3000 },
      ]);
    });

    it('isolation ends with the process that held it: a kill closes it and opens the kill', async () => {
      startNodes('n1', 'n2');
      isolate('n2', ['n1']);
      await clock.advance(1000);
      process('n2', 'killing');
      process('n2', 'stopped', 'killed');
      await clock.advance(1000);
      process('n2', 'restarting');
      process('n2', 'starting');
      process('n2', 'up');
      expect(recorder.history().faults).toEqual([
        { node: 'n2', kind: 'isolated', label: 'n2 isolated from n1', from: start, to: start + 1000 },
        { node: 'n2', kind: 'killed', label: 'n2 killed', from: start + 1000, to: start + 2000 },
      ]);
    });

    it('keeps overlapping faults of different nodes apart, each closed by its own node', async () => {
      startNodes('n1', 'n2', 'n3', 'n4');
      process('n2', 'killing');
      process('n2', 'stopped', 'killed');
      await clock.advance(1000);
      isolate('n4', ['n1']);
      await clock.advance(1000);
      process('n1', 'crashed', 'crashed');
      await clock.advance(1000);
      // n4's process going up is not n2's: only a node's own process closes its period.
      process('n2', 'restarting');
      process('n2', 'starting');
      process('n2', 'up');
      await clock.advance(1000);
      isolate('n4', []);
      const { faults } = recorder.history();
      expect(faults).toEqual([
        { node: 'n2', kind: 'killed', label: 'n2 killed', from: start, to: start + 3000 },
        { node: 'n4', kind: 'isolated', label: 'n4 isolated from n1', from: start + 1000, to: start + 4000 },
        { node: 'n1', kind: 'crashed', label: 'n1 crashed', from: start + 2000 },
      ]);
    });

    it('drops periods that ended before the window, keeps one still open however old', async () => {
      startNodes('n1', 'n2');
      process('n1', 'killing');
      await clock.advance(1000);
      process('n1', 'up');
      process('n2', 'crashed', 'crashed');
      await clock.advance(metricsWindowMs - 500);
      expect(recorder.history().faults.map((period) => period.node)).toEqual(['n1', 'n2']);
      await clock.advance(1000);
      expect(recorder.history().faults).toEqual([{ node: 'n2', kind: 'crashed', label: 'n2 crashed', from: start + 1000 }]);
    });

    it('returns copies: a caller changing the history changes nothing kept', () => {
      startNodes('n1');
      process('n1', 'killing');
      recorder.history().faults[0].label = 'changed';
      expect(recorder.history().faults[0].label).toBe('n1 killed');
    });

    it('a cancelled join plan\u2019s node is forgotten, not left stopped', () => {
      startNodes('n1', 'n6');
      process('n6', 'stopping');
      process('n6', 'stopped', 'clean-exit');
      record({ type: 'join-plan', node: 'n6', at: clock.now(), planId: 'join-n6-1', state: 'cancelled' });
      expect(recorder.history().faults).toEqual([]);
    });

    it('without processes (attached), a member judged down is a down period until any report says otherwise', async () => {
      member('n1', 'n3', 'down');
      await clock.advance(500);
      member('n2', 'n3', 'down'); // another observer: the same period
      await clock.advance(10_000);
      member('n2', 'n3', 'up');
      await clock.advance(500);
      member('n1', 'n3', 'up');
      expect(recorder.history().faults).toEqual([{ node: 'n3', kind: 'down', label: 'n3 down (seen by n1)', from: start, to: start + 10_500 }]);
    });

    it('leaves out member reports where processes speak, and between nodes isolation cuts apart', async () => {
      startNodes('n1', 'n2');
      member('n1', 'n2', 'down');
      expect(recorder.history().faults).toEqual([]);
      // Attached: n4 cut from n5 sees n5 down and n5 sees n4 down; a third node's report still counts.
      isolate('n4', ['n5']);
      member('n4', 'n5', 'down');
      member('n5', 'n4', 'down');
      expect(recorder.history().faults.map((period) => period.kind)).toEqual(['isolated']);
      member('n6', 'n4', 'down');
      expect(recorder.history().faults.map((period) => `${period.node} ${period.kind}`)).toEqual(['n4 isolated', 'n4 down']);
    });
  });
});
