// Which cached reads an event makes stale. The console follows one event stream and refetches
// only what an event changed; metric samples arrive every second from every node, so they
// invalidate only when something the pages show moved: a pending count the cluster view shows,
// or writes (a key's detail and the bucket counts may have changed). Key listings are pages
// the operator walks through: they refresh on request (and after the console's own writes),
// never under the operator's feet, except after the stream was lost. The anti-entropy history
// refreshes when a run ends; handoff (hints and transfers) whenever a backlog or a transfer moved,
// and when members or processes change (who holds what, who cannot be read). Traces are not
// events: the Traces page reads them again on request and after the traces it asks for.

import type { ConsoleEvent, MetricSample } from '../../core/admin/admin-api.js';

/** The cached reads, by name (query keys are built from these). */
export type CachedRead = 'clusterView' | 'buckets' | 'keyPages' | 'keyDetail' | 'antiEntropyRuns' | 'handoff' | 'traceList' | 'trace';

/** The last sample seen from each node: what "moved" is judged against. */
export type LastSamples = Map<string, Pick<MetricSample, 'hintsPending' | 'transfersPending'>>;

export function staleReads(event: ConsoleEvent, lastSamples: LastSamples): CachedRead[] {
  switch (event.type) {
    case 'metrics': {
      const previous = lastSamples.get(event.node);
      const { hintsPending, transfersPending, opsPerSecond } = event.sample;
      lastSamples.set(event.node, { hintsPending, transfersPending });
      const moved = previous !== undefined && (previous.hintsPending !== hintsPending || previous.transfersPending !== transfersPending);
      const wrote = opsPerSecond.put + opsPerSecond.delete > 0;
      return [...(moved ? (['clusterView', 'handoff'] as const) : []), ...(wrote ? (['buckets', 'keyDetail'] as const) : [])];
    }
    case 'anti-entropy':
      return ['antiEntropyRuns', ...(event.report.keysRepaired > 0 ? (['buckets', 'keyDetail'] as const) : [])];
    case 'anti-entropy-progress':
      // One exchange of a run that goes on: keys it repaired changed; the run's end refreshes the history.
      return event.keysRepaired > 0 ? ['keyDetail'] : [];
    case 'hints-delivered':
    case 'transfer':
    case 'transfer-progress':
      // Copies moved between nodes: where a key's replicas are, and what they hold.
      return ['clusterView', 'keyDetail', 'handoff'];
    case 'connection':
      // Back on the stream: events may have been missed while it was down.
      return event.connected ? ['clusterView', 'buckets', 'keyPages', 'keyDetail', 'antiEntropyRuns', 'handoff'] : [];
    default:
      // Members, the ring, faults and processes: the cluster, which copies can be read, who holds hints.
      return ['clusterView', 'keyDetail', 'handoff'];
  }
}
