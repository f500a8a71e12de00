// The Anti-entropy page's decisions, as plain functions: who a target asks to run and what they
// will compare (from the cluster view, before anything runs), what a set of runs adds up to, each
// partition's differences across its exchanges, the repaired keys as rows (which node was behind,
// its versions before and after), and the words for scopes, versions and durations. Pure: every
// value comes in as an argument.

import type { AntiEntropyRunView, AntiEntropyTarget, ClusterView, RepairedKey, VersionSummary } from '../../../core/admin/admin-api.js';
import { isLiveReplica } from '../../lib/member-state.js';
import { compareNodeIds, formatCount, joinWords, plural } from '../../lib/format.js';

// ── Before a run: who runs what ─────────────────────────────────────────────────────────────

export interface RunPlanView {
  /** The members that will be asked, in id order. */
  nodes: string[];
  /** Members of a whole-cluster run that will not be asked (down, or not running). */
  skipped: string[];
  /** Partitions the run compares, each with how many exchanges (replica × peer) it takes. */
  exchanges: Map<number, number>;
  /** Exchanges each asked member will run. */
  exchangesByNode: Map<string, number>;
  /** What will happen, in a sentence; or why it cannot. */
  sentence: string;
  /** Why the target cannot run as chosen (no replica up, a node not replicating the partition). */
  problem?: string;
  /** What will go wrong as things stand (a member is down), though the run may be asked for. */
  warning?: string;
}

/** A down replica ends a run when its turn comes (the node stops at the first peer that fails). */
function downWarning(down: readonly string[], named = false): string | undefined {
  if (down.length === 0) return undefined;
  const they = down.length === 1 ? `${down[0]} is` : `${joinWords(down)} are`;
  // A peer named in the target ends the run when it fails; any other is given up on at its first
  // failed exchange, and the run goes on with the other replicas.
  return named
    ? `${they} not up: the run stops when it reaches ${down.length === 1 ? 'it' : 'them'}, and reports how far it got.`
    : `${they} not up: the run goes on without ${down.length === 1 ? 'it' : 'them'} and compares the other replicas; repair ${down.length === 1 ? 'it' : 'them'} once back.`;
}

/** What `target` will do on the cluster as `view` shows it (the console checks again when it runs). */
export function planRunView(target: AntiEntropyTarget, view: ClusterView): RunPlanView {
  const ring = view.ring;
  const live = (id: string) => isLiveReplica(view.members.find((member) => member.id === id));
  const plan: RunPlanView = { nodes: [], skipped: [], exchanges: new Map(), exchangesByNode: new Map(), sentence: '' };
  if (ring === undefined) return { ...plan, sentence: 'No ring yet: no node has joined a cluster.', problem: 'The cluster has no ring yet.' };
  const add = (node: string, partition: number, count: number) => {
    plan.exchanges.set(partition, (plan.exchanges.get(partition) ?? 0) + count);
    plan.exchangesByNode.set(node, (plan.exchangesByNode.get(node) ?? 0) + count);
  };
  const { node, peer, partition } = target;

  if (partition !== undefined) {
    const entry = ring.partitions[partition];
    if (entry === undefined) return { ...plan, sentence: '', problem: `Partition ${partition} is not on the ring (0 to ${ring.ringSize - 1}).` };
    const replicas = entry.preference;
    const runner = node ?? replicas.find(live);
    if (runner === undefined) return { ...plan, problem: `No replica of partition ${partition} is up (${joinWords(replicas)}).` };
    if (!replicas.includes(runner)) return { ...plan, problem: `${runner} does not replicate partition ${partition}; its replicas are ${joinWords(replicas)}.` };
    if (peer !== undefined && !replicas.includes(peer)) return { ...plan, problem: `${peer} does not replicate partition ${partition}; its replicas are ${joinWords(replicas)}.` };
    const peers = peer === undefined ? replicas.filter((id) => id !== runner) : [peer];
    add(runner, partition, peers.length);
    plan.nodes = [runner];
    plan.warning = live(runner) ? downWarning(peers.filter((id) => !live(id)), peer !== undefined) : `${runner} is not up: it cannot run until it is back.`;
    plan.sentence = `${runner} compares partition ${partition} with ${joinWords(peers)}${node === undefined ? ` (its first replica that is up)` : ''}.`;
    return plan;
  }

  if (node !== undefined) {
    for (const entry of ring.partitions) {
      if (!entry.preference.includes(node) || (peer !== undefined && !entry.preference.includes(peer))) continue;
      add(node, entry.index, peer === undefined ? entry.preference.length - 1 : 1);
    }
    plan.nodes = [node];
    const involved = new Set(ring.partitions.filter((entry) => plan.exchanges.has(entry.index)).flatMap((entry) => (peer === undefined ? entry.preference : [node, peer])));
    plan.warning = live(node) ? downWarning([...involved].filter((id) => !live(id)).sort(compareNodeIds), peer !== undefined) : `${node} is not up: it cannot run until it is back.`;
    const count = plan.exchanges.size;
    if (count === 0) return { ...plan, problem: `${node} and ${peer} share no partition.` };
    plan.sentence =
      peer === undefined
        ? `${node} compares each of its ${plural(count, 'partition')} with the other replicas: ${plural(plan.exchangesByNode.get(node) ?? 0, 'exchange')}.`
        : `${node} compares the ${plural(count, 'partition')} it shares with ${peer}: ${plural(count, 'exchange')}.`;
    return plan;
  }

  const members = [...view.members].sort((a, b) => compareNodeIds(a.id, b.id));
  for (const member of members) (live(member.id) ? plan.nodes : plan.skipped).push(member.id);
  const asked = new Set(plan.nodes);
  for (const entry of ring.partitions) {
    for (const replica of entry.preference) if (asked.has(replica)) add(replica, entry.index, entry.preference.length - 1);
  }
  if (plan.nodes.length === 0) return { ...plan, problem: 'No member is up.' };
  plan.warning = downWarning(plan.skipped);
  const total = [...plan.exchangesByNode.values()].reduce((sum, count) => sum + count, 0);
  plan.sentence = `Each of the ${plural(plan.nodes.length, 'member')} that ${plan.nodes.length === 1 ? 'is' : 'are'} up compares every partition it replicates with the other replicas: ${plural(total, 'exchange')} in all.`;
  return plan;
}

// ── After a run: what it adds up to ─────────────────────────────────────────────────────────

export interface ReportTotals {
  partitionsCompared: number;
  segmentsDiffering: number;
  keysRepaired: number;
  bytesSent: number;
  /** From the first start to the last finish. */
  durationMs: number;
  startedAt: number;
  finishedAt: number;
  repairedKeysOmitted: number;
  exchangesOmitted: number;
  /** Runs that ended early or did not run, with why. */
  failed: AntiEntropyRunView[];
}

export function reportTotals(runs: readonly AntiEntropyRunView[]): ReportTotals {
  const totals: ReportTotals = {
    partitionsCompared: 0,
    segmentsDiffering: 0,
    keysRepaired: 0,
    bytesSent: 0,
    durationMs: 0,
    startedAt: Math.min(...runs.map((run) => run.startedAt)),
    finishedAt: Math.max(...runs.map((run) => run.finishedAt)),
    repairedKeysOmitted: 0,
    exchangesOmitted: 0,
    failed: runs.filter((run) => run.error !== undefined),
  };
  for (const run of runs) {
    totals.partitionsCompared += run.partitionsCompared;
    totals.segmentsDiffering += run.segmentsDiffering;
    totals.keysRepaired += run.keysRepaired;
    totals.bytesSent += run.bytesSent;
    totals.repairedKeysOmitted += run.repairedKeysOmitted;
    totals.exchangesOmitted += run.exchangesOmitted;
  }
  totals.durationMs = runs.length === 0 ? 0 : Math.max(0, totals.finishedAt - totals.startedAt);
  return totals;
}

/** "12 keys repaired" (the report's headline, as CONTRACT.md names it). */
export function keysRepairedPhrase(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'key' : 'keys'} repaired`;
}

/** What one run compared, as its node was asked: "every partition of n4, with every other replica". */
export function runScope(run: Pick<AntiEntropyRunView, 'node' | 'peer' | 'partition'>): string {
  const peers = run.peer === undefined ? 'every other replica' : run.peer;
  return run.partition === undefined ? `every partition of ${run.node}, with ${peers}` : `partition ${run.partition} on ${run.node}, with ${peers}`;
}

/** A target in a few words, for the report's title: "Whole cluster", "n4 with n2", "Partition 12 on n4". */
export function targetTitle(target: AntiEntropyTarget, runs: readonly AntiEntropyRunView[]): string {
  if (target.partition !== undefined) {
    const on = target.node ?? runs[0]?.node;
    return `Partition ${target.partition}${on === undefined ? '' : ` on ${on}`}${target.peer === undefined ? '' : ` with ${target.peer}`}`;
  }
  if (target.node !== undefined) return target.peer === undefined ? `${target.node} with every other replica` : `${target.node} with ${target.peer}`;
  return 'Whole cluster';
}

/** One partition's exchanges within a report: how many, what differed, what was repaired. */
export interface PartitionCell {
  index: number;
  exchanges: number;
  segmentsDiffering: number;
  keysRepaired: number;
  /** The pairs that differed: "n4 ↔ n2". */
  differingPairs: string[];
}

/** Each exchanged partition of `runs`, in index order (partitions nobody compared are absent). */
export function partitionCells(
  runs: ReadonlyArray<{ node: string; exchanges: ReadonlyArray<{ partition: number; peer: string; segmentsDiffering: number; keysRepaired: number }> }>,
): PartitionCell[] {
  const cells = new Map<number, PartitionCell>();
  for (const run of runs) {
    for (const exchange of run.exchanges) {
      let cell = cells.get(exchange.partition);
      if (cell === undefined) {
        cell = { index: exchange.partition, exchanges: 0, segmentsDiffering: 0, keysRepaired: 0, differingPairs: [] };
        cells.set(exchange.partition, cell);
      }
      cell.exchanges += 1;
      cell.segmentsDiffering += exchange.segmentsDiffering;
      cell.keysRepaired += exchange.keysRepaired;
      if (exchange.segmentsDiffering > 0) cell.differingPairs.push(`${run.node} ↔ ${exchange.peer}`);
    }
  }
  return [...cells.values()].sort((a, b) => a.index - b.index);
}

/** A repaired key as the report's table shows it: who ran, with whom, who was behind, and each behind side's versions. */
export interface RepairRow {
  /** Unique within a report (a key repaired in two exchanges is two rows). */
  id: string;
  bucket: string;
  key: string;
  partition: number;
  node: string;
  peer: string;
  behind: RepairedKey['behind'];
  /** The members that lacked something, in words: "n2", "n4 and n2". */
  behindNodes: string[];
  sides: Array<{ node: string; before: VersionSummary[]; after: VersionSummary[] }>;
}

export function repairRows(runs: readonly AntiEntropyRunView[]): RepairRow[] {
  return runs.flatMap((run) =>
    run.repairedKeys.map((repaired, i) => {
      const sides: RepairRow['sides'] = [];
      if (repaired.versions.local !== undefined) sides.push({ node: run.node, ...repaired.versions.local });
      if (repaired.versions.peer !== undefined) sides.push({ node: repaired.peer, ...repaired.versions.peer });
      const behindNodes = repaired.behind === 'both' ? [run.node, repaired.peer] : repaired.behind === 'local' ? [run.node] : [repaired.peer];
      return {
        id: `${run.runId}:${i}`,
        bucket: repaired.bucket,
        key: repaired.key,
        partition: repaired.partition,
        node: run.node,
        peer: repaired.peer,
        behind: repaired.behind,
        behindNodes,
        sides,
      };
    }),
  );
}

/** "n4:3" and, for a tombstone, "n4:3 deleted". */
export function versionLabel(version: VersionSummary): string {
  return `${version.dot.node}:${version.dot.counter}${version.deleted ? ' deleted' : ''}`;
}

/** A side's versions in a sentence for assistive technology: "none", "n4:3", "n1:2 and n2:1". */
export function versionsText(versions: readonly VersionSummary[]): string {
  return versions.length === 0 ? 'none' : joinWords(versions.map(versionLabel));
}

/** An elapsed time with the precision that matters: "320 ms", "1.4 s", "42 s", "3m 12s". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`;
}

/** Runs that ended early or did not run, grouped by what went wrong (one alert per cause). */
export interface FailureGroup {
  /** The error as the nodes gave it. */
  error: string;
  /** True when none of them ran at all (not asked, or refused before the first exchange). */
  notRun: boolean;
  runs: AntiEntropyRunView[];
}

export function failureGroups(runs: readonly AntiEntropyRunView[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const run of runs) {
    if (run.error === undefined) continue;
    const notRun = run.partitionsCompared === 0 && run.exchanges.length === 0;
    // A node's own error names the node at its start when it is about itself: group by the rest.
    const id = `${notRun}\u0000${run.error.startsWith(`${run.node} `) ? run.error.slice(run.node.length) : run.error}`;
    const group = groups.get(id) ?? { error: run.error, notRun, runs: [] };
    group.runs.push(run);
    groups.set(id, group);
  }
  return [...groups.values()];
}
