// A run's progress as the nodes tell it, one `anti-entropy-progress` event per exchange (one
// partition with one peer): per node, how many of its exchanges are done and what they found;
// per partition, the exchanges done so far and the segments that differed. A node that starts
// another run (a new run id) starts again from nothing. Pure: events in, state out.

import type { ConsoleEvent } from '../../../core/admin/admin-api.js';

export type ProgressEvent = Extract<ConsoleEvent, { type: 'anti-entropy-progress' }>;

export interface NodeProgress {
  node: string;
  runId: string;
  /** Exchanges done, of `total` in its run. */
  done: number;
  total: number;
  segmentsDiffering: number;
  keysRepaired: number;
  /** Its exchanges so far, in order. */
  exchanges: Array<{ partition: number; peer: string; segmentsDiffering: number; keysRepaired: number }>;
}

export interface RunProgress {
  nodes: Readonly<Record<string, NodeProgress>>;
  /** The exchange the nodes told of last. */
  latest: { node: string; partition: number; peer: string } | undefined;
}

export const noProgress: RunProgress = { nodes: {}, latest: undefined };

export function addProgress(progress: RunProgress, event: ProgressEvent): RunProgress {
  const known = progress.nodes[event.node];
  const current: NodeProgress =
    known !== undefined && known.runId === event.runId
      ? known
      : { node: event.node, runId: event.runId, done: 0, total: event.total, segmentsDiffering: 0, keysRepaired: 0, exchanges: [] };
  const exchange = { partition: event.partition, peer: event.peer, segmentsDiffering: event.segmentsDiffering, keysRepaired: event.keysRepaired };
  const next: NodeProgress = {
    ...current,
    done: Math.max(current.done, event.done),
    total: event.total,
    segmentsDiffering: current.segmentsDiffering + event.segmentsDiffering,
    keysRepaired: current.keysRepaired + event.keysRepaired,
    exchanges: [...current.exchanges, exchange],
  };
  return { nodes: { ...progress.nodes, [event.node]: next }, latest: { node: event.node, partition: event.partition, peer: event.peer } };
}

/** Every node's exchanges so far, as partitionCells (run-report.ts) reads runs. */
export function progressRuns(progress: RunProgress): Array<{ node: string; exchanges: NodeProgress['exchanges'] }> {
  return Object.values(progress.nodes).map(({ node, exchanges }) => ({ node, exchanges }));
}
