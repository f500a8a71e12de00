// Which cached reads an event makes stale. The console follows one event stream and refetches
// only what an event changed; metric samples arrive every second from every node, so they
// invalidate only when a figure the cluster view shows (hints or transfers pending) moved.

import type { ConsoleEvent, MetricSample } from '../../core/admin/admin-api.js';

/** The cached reads, by name (query keys are built from these). */
export type CachedRead = 'clusterView';

/** The last sample seen from each node: what "moved" is judged against. */
export type LastSamples = Map<string, Pick<MetricSample, 'hintsPending' | 'transfersPending'>>;

export function staleReads(event: ConsoleEvent, lastSamples: LastSamples): CachedRead[] {
  switch (event.type) {
    case 'metrics': {
      const previous = lastSamples.get(event.node);
      const { hintsPending, transfersPending } = event.sample;
      lastSamples.set(event.node, { hintsPending, transfersPending });
      const moved = previous !== undefined && (previous.hintsPending !== hintsPending || previous.transfersPending !== transfersPending);
      return moved ? ['clusterView'] : [];
    }
    case 'anti-entropy':
      return [];
    case 'connection':
      // Back on the stream: events may have been missed while it was down.
      return event.connected ? ['clusterView'] : [];
    default:
      return ['clusterView'];
  }
}
