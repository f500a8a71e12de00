// The one live subscription: a burst of events is one refetch of what they made stale (within a
// fifth of a second), metric samples without writes refetch nothing, every event worth a line
// reaches the log, and the console's own stream state is kept for the header.

import type { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminApi, ConsoleEvent } from '../../core/admin/admin-api.js';
import { createLiveEvents } from '../../renderer/api/live-events.js';

function fakes() {
  let listener: ((event: ConsoleEvent) => void) | undefined;
  const api = { subscribe: (next: (event: ConsoleEvent) => void) => ((listener = next), () => (listener = undefined)) } as unknown as AdminApi;
  const invalidated: unknown[] = [];
  const queryClient = { invalidateQueries: async (filters: { queryKey: unknown }) => void invalidated.push(filters.queryKey) } as unknown as QueryClient;
  return { api, queryClient, invalidated, send: (event: ConsoleEvent) => listener?.(event), subscribed: () => listener !== undefined };
}

describe('live events', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('coalesces a burst into one refetch and logs each fact once', () => {
    const { api, queryClient, invalidated, send, subscribed } = fakes();
    const live = createLiveEvents(api, queryClient);
    const stop = live.start();
    expect(subscribed()).toBe(true);
    for (let partition = 0; partition < 60; partition++) {
      send({ type: 'transfer', node: 'n1', at: 1000, partition, from: 'n1', to: 'n6', state: 'done', keysSent: 3 });
    }
    expect(invalidated).toEqual([]);
    vi.advanceTimersByTime(150);
    // Transfers move the cluster, where a key's copies are and the handoff: one refetch of each, for all 60.
    expect(invalidated).toEqual([['clusterView'], ['keyDetail'], ['handoff']]);
    expect(live.getSnapshot().log).toHaveLength(60);
    stop();
    expect(subscribed()).toBe(false);
  });

  it('keeps the console stream state and refetches nothing for steady metric samples without writes', () => {
    const { api, queryClient, invalidated, send } = fakes();
    const live = createLiveEvents(api, queryClient);
    let changes = 0;
    live.subscribe(() => changes++);
    live.start();
    expect(live.getSnapshot().stream).toBe('connecting');
    send({ type: 'connection', node: 'console', at: 1, connected: false, message: 'reconnecting' });
    expect(live.getSnapshot()).toMatchObject({ stream: 'lost', streamMessage: 'reconnecting' });
    const sample = { opsPerSecond: { get: 1, put: 0, delete: 0 }, requestsInFlight: 0, hintsPending: 0, transfersPending: 0, keysRepaired: 0, peerBytesIn: 0, peerBytesOut: 0 };
    const before = changes;
    send({ type: 'metrics', node: 'n1', at: 2, sample });
    send({ type: 'metrics', node: 'n1', at: 3, sample });
    expect(changes).toBe(before);
    vi.advanceTimersByTime(1000);
    expect(invalidated).toEqual([]);
  });
});
