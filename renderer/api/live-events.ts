// The renderer's ONE subscription to the cluster's events. Each event refetches the cached
// reads it made stale (coalesced: a burst of 60 transfer events is one refetch, within a fifth
// of a second), is added to the event log, and keeps the stream's state (live, lost) for the
// header. Components read the log and the state through useSyncExternalStore; a page that needs
// the events themselves (the Metrics page's samples) observes them here, never through a second
// subscription.

import type { QueryClient } from '@tanstack/react-query';
import type { AdminApi, ConsoleEvent } from '../../core/admin/admin-api.js';
import { appendEvent, type LogEntry } from '../lib/event-log.js';
import { type CachedRead, type LastSamples, staleReads } from '../lib/invalidation.js';
import { queryKeys } from './query-keys.js';

export type StreamState = 'connecting' | 'live' | 'lost';

export interface LiveSnapshot {
  log: readonly LogEntry[];
  stream: StreamState;
  /** Why the stream was lost, for the header's tooltip. */
  streamMessage: string | undefined;
}

const coalesceMs = 150;

export interface LiveEvents {
  start(): () => void;
  subscribe(onChange: () => void): () => void;
  getSnapshot(): LiveSnapshot;
  /** Calls `listener` with every event of the one subscription; returns the function that stops it. */
  observe(listener: (event: ConsoleEvent) => void): () => void;
}

export function createLiveEvents(api: AdminApi, queryClient: QueryClient): LiveEvents {
  let snapshot: LiveSnapshot = { log: [], stream: 'connecting', streamMessage: undefined };
  let nextId = 1;
  const watchers = new Set<() => void>();
  const observers = new Set<(event: ConsoleEvent) => void>();
  const lastSamples: LastSamples = new Map();
  const stale = new Set<CachedRead>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

  const publish = (next: LiveSnapshot) => {
    if (next === snapshot) return;
    snapshot = next;
    for (const watcher of [...watchers]) watcher();
  };

  const flush = () => {
    flushTimer = undefined;
    for (const read of stale) void queryClient.invalidateQueries({ queryKey: queryKeys[read] });
    stale.clear();
  };

  const onEvent = (event: ConsoleEvent) => {
    for (const read of staleReads(event, lastSamples)) stale.add(read);
    if (stale.size > 0 && flushTimer === undefined) flushTimer = setTimeout(flush, coalesceMs);
    let next = snapshot;
    const log = appendEvent(snapshot.log, event, nextId);
    if (log !== snapshot.log) {
      nextId += 1;
      next = { ...next, log };
    }
    if (event.type === 'connection' && event.node === 'console') {
      next = { ...next, stream: event.connected ? 'live' : 'lost', streamMessage: event.message };
    }
    publish(next);
    for (const observer of [...observers]) observer(event);
  };

  return {
    start() {
      const stop = api.subscribe(onEvent);
      return () => {
        stop();
        if (flushTimer !== undefined) clearTimeout(flushTimer);
        flushTimer = undefined;
      };
    },
    subscribe(onChange) {
      watchers.add(onChange);
      return () => watchers.delete(onChange);
    },
    getSnapshot: () => snapshot,
    observe(listener) {
      observers.add(listener);
      return () => observers.delete(listener);
    },
  };
}
