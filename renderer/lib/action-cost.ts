// What a destructive action costs, in sentences for its confirmation: which partitions lose a
// live replica (Dynamo keeps each key on the N nodes of its preference list, so taking a node
// away leaves the partitions it replicates with fewer live copies), what moves on a leave, and
// who stops talking to whom on an isolation. Decided from the ring and the members' states.

import type { ClusterView } from '../../core/admin/admin-api.js';
import { formatCount, joinWords, plural } from './format.js';
import { isLiveReplica } from './member-state.js';

export type NodeAction =
  | { kind: 'kill'; node: string }
  | { kind: 'restart'; node: string }
  | { kind: 'leave'; node: string }
  | { kind: 'isolate'; node: string; from: string[] };

export interface ActionCost {
  /** The confirmation's title, a question: "Kill n3?" */
  title: string;
  /** What happens and what it costs, one sentence each. */
  sentences: string[];
  /** The confirm button's label: "Kill n3". */
  confirmLabel: string;
}

/** "partition 4", "partitions 4 and 9", "partitions 1, 2, 3, 5, 8, 13 and 4 more". */
export function describePartitions(indices: readonly number[], shown = 6): string {
  const sorted = [...indices].sort((a, b) => a - b).map(String);
  if (sorted.length === 1) return `partition ${sorted[0]}`;
  if (sorted.length <= shown + 1) return `partitions ${joinWords(sorted)}`;
  return `partitions ${sorted.slice(0, shown).join(', ')} and ${sorted.length - shown} more`;
}

/**
 * Live replicas left per partition that `node` replicates once it stops serving, grouped:
 * how many partitions keep 0, 1, 2… live replicas.
 */
export function replicasLeftWithout(view: ClusterView, node: string): Map<number, number[]> {
  const members = new Map(view.members.map((m) => [m.id, m]));
  const groups = new Map<number, number[]>();
  for (const partition of view.ring?.partitions ?? []) {
    if (!partition.preference.includes(node)) continue;
    const live = partition.preference.filter((id) => id !== node && isLiveReplica(members.get(id))).length;
    groups.set(live, [...(groups.get(live) ?? []), partition.index]);
  }
  return groups;
}

/** The replica sentences for "with <node> <gone>": the worst groups named, the rest counted. */
function replicaSentences(view: ClusterView, node: string, gone: string): string[] {
  const groups = replicasLeftWithout(view, node);
  if (groups.size === 0) return [`${node} holds no replicas, so no partition loses a live copy.`];
  const sentences: string[] = [];
  const none = groups.get(0) ?? [];
  const one = groups.get(1) ?? [];
  if (none.length > 0) {
    const verb = none.length === 1 ? 'has' : 'have';
    sentences.push(`With ${node} ${gone}, ${describePartitions(none)} ${verb} no live replica: their keys cannot be read or written until a replica is back.`);
  }
  if (one.length > 0) {
    const verb = one.length === 1 ? 'keeps' : 'keep';
    sentences.push(`With ${node} ${gone}, ${describePartitions(one)} ${verb} only one live replica.`);
  }
  const rest = [...groups].filter(([live]) => live >= 2);
  if (rest.length > 0) {
    const count = rest.reduce((sum, [, indices]) => sum + indices.length, 0);
    const fewest = Math.min(...rest.map(([live]) => live));
    const lead = none.length + one.length > 0 ? `The other ${plural(count, 'partition')} it replicates` : `With ${node} ${gone}, the ${plural(count, 'partition')} it replicates`;
    sentences.push(`${lead} keep at least ${fewest} of ${view.n} live replicas.`);
  }
  return sentences;
}

export function actionCost(action: NodeAction, view: ClusterView): ActionCost {
  const { node } = action;
  switch (action.kind) {
    case 'kill':
      return {
        title: `Kill ${node}?`,
        confirmLabel: `Kill ${node}`,
        sentences: [
          `${node}'s process gets SIGKILL: requests it is serving fail, and nothing it holds in memory is flushed.`,
          ...replicaSentences(view, node, 'down'),
          `Other nodes keep writes meant for ${node} as hints and hand them over when it restarts.`,
        ],
      };
    case 'restart':
      return {
        title: `Restart ${node}?`,
        confirmLabel: `Restart ${node}`,
        sentences: [`${node} stops and starts again with the data and membership it had.`, ...replicaSentences(view, node, 'restarting')],
      };
    case 'leave':
      return { title: `Remove ${node} from the cluster?`, confirmLabel: `Leave ${node}`, sentences: leaveSentences(view, node) };
    case 'isolate':
      return {
        title: `Isolate ${node}?`,
        confirmLabel: `Isolate ${node}`,
        sentences: isolateSentences(view, node, action.from),
      };
  }
}

function leaveSentences(view: ClusterView, node: string): string[] {
  const owned = view.ring?.partitions.filter((p) => p.owner === node).length ?? 0;
  const remaining = view.members.filter((m) => m.id !== node && m.state !== 'leaving').length;
  const sentences = [
    owned > 0
      ? `${node} hands its ${plural(owned, 'partition')} to the other members, then leaves the cluster; it keeps serving them until each one has arrived.`
      : `${node} owns no partitions; it leaves the cluster at once.`,
  ];
  if (owned > 0) sentences.push(`About ${formatCount((owned / Math.max(view.ring?.ringSize ?? 1, 1)) * 100)}% of the data moves.`);
  if (remaining < view.n) {
    sentences.push(`Only ${plural(remaining, 'member')} would remain, fewer than N=${view.n}: keys keep only ${remaining} ${remaining === 1 ? 'replica' : 'replicas'}.`);
  }
  sentences.push(`To bring ${node} back it must join again.`);
  return sentences;
}

function isolateSentences(view: ClusterView, node: string, from: string[]): string[] {
  const others = view.members.filter((m) => m.id !== node).map((m) => m.id);
  const cutFrom = from.length === 0 ? others : from;
  if (cutFrom.length >= others.length) {
    return [
      `${node} keeps running but exchanges no messages with any other member; requests sent to ${node} itself fail their quorum.`,
      ...replicaSentences(view, node, 'isolated'),
      'Heal restores its traffic; hints and anti-entropy then bring it up to date.',
    ];
  }
  const reachable = others.filter((id) => !cutFrom.includes(id));
  return [
    `${node} stops exchanging messages with ${joinWords(cutFrom)}, and they with it; ${joinWords(reachable)} still reach it.`,
    `Requests that ${node} coordinates use only the replicas it can reach; the nodes cut off from it treat it as down and keep hints for it.`,
    'Heal restores its traffic; hints and anti-entropy then bring it up to date.',
  ];
}
