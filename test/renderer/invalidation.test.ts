// Which events refetch what: every change of the cluster refetches the cluster view and a key's
// detail; metric samples only when a pending count the view shows moved, or when writes happened
// (bucket counts and key details); repairs refetch what keys show and the end of a run the run
// history; hints and transfers moving refetch the handoff; a regained stream refetches everything
// (events may be missed); pages of keys never refresh under the operator's feet.

import { describe, expect, it } from 'vitest';
import type { MetricSample } from '../../core/admin/admin-api.js';
import { type LastSamples, staleReads } from '../../renderer/lib/invalidation.js';

const sample = (hintsPending: number, put = 0): MetricSample => ({
  opsPerSecond: { get: 0, put, delete: 0 },
  requestsInFlight: 0,
  hintsPending,
  transfersPending: 0,
  keysRepaired: 0,
  peerBytesIn: 0,
  peerBytesOut: 0,
});

describe('stale reads', () => {
  it('refetches the cluster view on changes of the cluster', () => {
    const last: LastSamples = new Map();
    expect(staleReads({ type: 'member', node: 'n1', at: 0, id: 'n3', state: 'down', previous: 'up' }, last)).toEqual(['clusterView', 'keyDetail', 'handoff']);
    expect(staleReads({ type: 'process', node: 'n3', at: 0, state: 'stopped' }, last)).toEqual(['clusterView', 'keyDetail', 'handoff']);
    expect(staleReads({ type: 'connection', node: 'console', at: 0, connected: false }, last)).toEqual([]);
    expect(staleReads({ type: 'connection', node: 'console', at: 0, connected: true }, last)).toEqual([
      'clusterView',
      'buckets',
      'keyPages',
      'keyDetail',
      'antiEntropyRuns',
      'handoff',
    ]);
  });

  it('refetches on a metric sample only when a pending count moved', () => {
    const last: LastSamples = new Map();
    expect(staleReads({ type: 'metrics', node: 'n1', at: 0, sample: sample(0) }, last)).toEqual([]);
    expect(staleReads({ type: 'metrics', node: 'n1', at: 1, sample: sample(0) }, last)).toEqual([]);
    expect(staleReads({ type: 'metrics', node: 'n1', at: 2, sample: sample(4) }, last)).toEqual(['clusterView', 'handoff']);
    expect(staleReads({ type: 'metrics', node: 'n2', at: 2, sample: sample(4) }, last)).toEqual([]);
  });

  it('refetches what keys show after writes and repairs, but never pages of keys under the operator', () => {
    const last: LastSamples = new Map();
    expect(staleReads({ type: 'metrics', node: 'n1', at: 0, sample: sample(0, 12) }, last)).toEqual(['buckets', 'keyDetail']);
    const report = { partitionsCompared: 4, segmentsDiffering: 1, keysRepaired: 3, bytesSent: 100 };
    expect(staleReads({ type: 'anti-entropy', node: 'n1', at: 0, peer: 'n2', trigger: 'manual', report }, last)).toEqual(['antiEntropyRuns', 'buckets', 'keyDetail']);
    expect(staleReads({ type: 'anti-entropy', node: 'n1', at: 0, peer: 'n2', trigger: 'background', report: { ...report, keysRepaired: 0 } }, last)).toEqual(['antiEntropyRuns']);
    expect(staleReads({ type: 'hints-delivered', node: 'n1', at: 0, target: 'n3', delivered: 2, pending: 0 }, last)).toEqual(['clusterView', 'keyDetail', 'handoff']);
  });

  it('refetches handoff as backlogs and transfers move, and nothing but repaired keys while a run goes on', () => {
    const last: LastSamples = new Map();
    const progress = { type: 'anti-entropy-progress', node: 'n1', at: 0, runId: 'r', partition: 3, peer: 'n2', done: 1, total: 8, segmentsDiffering: 0 } as const;
    expect(staleReads({ ...progress, keysRepaired: 0 }, last)).toEqual([]);
    expect(staleReads({ ...progress, keysRepaired: 2 }, last)).toEqual(['keyDetail']);
    const moving = { node: 'n1', at: 0, partition: 3, from: 'n1', to: 'n6', keysSent: 40, keysTotal: 100, startedAt: 0 } as const;
    expect(staleReads({ type: 'transfer-progress', ...moving }, last)).toEqual(['clusterView', 'keyDetail', 'handoff']);
    expect(staleReads({ type: 'transfer', ...moving, state: 'done' }, last)).toEqual(['clusterView', 'keyDetail', 'handoff']);
  });
});
