// Which events refetch the cluster view: every change of the cluster does; metric samples only
// when a pending count the view shows moved; a regained stream does (events may be missed).

import { describe, expect, it } from 'vitest';
import type { MetricSample } from '../../core/admin/admin-api.js';
import { type LastSamples, staleReads } from '../../renderer/lib/invalidation.js';

const sample = (hintsPending: number): MetricSample => ({
  opsPerSecond: { get: 0, put: 0, delete: 0 },
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
    expect(staleReads({ type: 'member', node: 'n1', at: 0, id: 'n3', state: 'down', previous: 'up' }, last)).toEqual(['clusterView']);
    expect(staleReads({ type: 'process', node: 'n3', at: 0, state: 'stopped' }, last)).toEqual(['clusterView']);
    expect(staleReads({ type: 'connection', node: 'console', at: 0, connected: false }, last)).toEqual([]);
    expect(staleReads({ type: 'connection', node: 'console', at: 0, connected: true }, last)).toEqual(['clusterView']);
  });

  it('refetches on a metric sample only when a pending count moved', () => {
    const last: LastSamples = new Map();
    expect(staleReads({ type: 'metrics', node: 'n1', at: 0, sample: sample(0) }, last)).toEqual([]);
    expect(staleReads({ type: 'metrics', node: 'n1', at: 1, sample: sample(0) }, last)).toEqual([]);
    expect(staleReads({ type: 'metrics', node: 'n1', at: 2, sample: sample(4) }, last)).toEqual(['clusterView']);
    expect(staleReads({ type: 'metrics', node: 'n2', at: 2, sample: sample(4) }, last)).toEqual([]);
  });
});
