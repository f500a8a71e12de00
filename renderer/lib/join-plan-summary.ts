// The join plan as the operator reads it before Commit (Riak's `cluster plan`): every partition
// that moves, from whom, about how many keys, and one sentence for the whole; then, after
// Commit, how far the transfers have come. A move is done when the ring names its new owner
// (owner registers move only when a transfer completes).

import type { ClusterView, JoinPlan, PlannedMove } from '../../core/admin/admin-api.js';
import { compareNodeIds, formatCount, joinWords, plural } from './format.js';

export interface OwnershipChange {
  id: string;
  before: number;
  after: number;
}

export interface JoinPlanSummary {
  node: string;
  /** Every move, by partition. */
  moves: PlannedMove[];
  keysAbout: number;
  /** "n6 takes 11 of 64 partitions (about 1,200 keys): 3 from n1, 2 from n2 …" */
  sentence: string;
  ownership: OwnershipChange[];
}

export function summarizeJoinPlan(plan: JoinPlan, view: ClusterView | undefined): JoinPlanSummary {
  const moves = [...plan.moves].sort((a, b) => a.partition - b.partition);
  const keysAbout = moves.reduce((sum, move) => sum + move.keysEstimate, 0);
  const bySource = new Map<string, number>();
  for (const move of moves) bySource.set(move.from, (bySource.get(move.from) ?? 0) + 1);
  const sources = [...bySource].sort(([a], [b]) => compareNodeIds(a, b)).map(([id, count]) => `${count} from ${id}`);
  const ringSize = view?.ring?.ringSize ?? moves.length;
  const sentence =
    moves.length === 0
      ? `${plan.node} would take no partitions: the ring stays as it is.`
      : `${plan.node} takes ${formatCount(moves.length)} of ${plural(ringSize, 'partition')} (${keysPhrase(keysAbout)}): ${joinWords(sources)}.`;
  const before = new Map<string, number>();
  for (const member of view?.members ?? []) before.set(member.id, member.partitionsOwned);
  const ids = new Set([...before.keys(), ...Object.keys(plan.ownershipAfter)]);
  const ownership = [...ids]
    .sort(compareNodeIds)
    .map((id) => ({ id, before: before.get(id) ?? 0, after: plan.ownershipAfter[id] ?? 0 }));
  return { node: plan.node, moves, keysAbout, sentence, ownership };
}

/** "about 1,200 keys", "about 1 key", "no keys yet". */
export function keysPhrase(keys: number): string {
  return keys === 0 ? 'no keys yet' : `about ${plural(keys, 'key')}`;
}

export interface JoinProgress {
  total: number;
  done: number;
  failed: number;
  /** 0…100, whole numbers. */
  percent: number;
  finished: boolean;
  /** "7 of 11 partitions moved to n6". */
  sentence: string;
}

export function joinProgress(plan: JoinPlan, view: ClusterView | undefined): JoinProgress {
  const owners = new Map((view?.ring?.partitions ?? []).map((p) => [p.index, p.owner]));
  const done = plan.moves.filter((move) => owners.get(move.partition) === move.to).length;
  const failed = (view?.transfers.partitions ?? []).filter(
    (t) => t.state === 'failed' && plan.moves.some((m) => m.partition === t.index && m.to === t.to),
  ).length;
  const total = plan.moves.length;
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  const finished = done === total;
  const sentence = finished
    ? `${plan.node} joined: it owns ${plural(plan.ownershipAfter[plan.node] ?? total, 'partition')} now.`
    : `${formatCount(done)} of ${plural(total, 'partition')} moved to ${plan.node}${failed > 0 ? `; ${formatCount(failed)} failed` : ''}.`;
  return { total, done, failed, percent, finished, sentence };
}
