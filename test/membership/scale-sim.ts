// Membership at scale: S gossip cores resume a cluster formed long ago (every member up, the ring
// balanced), on the simulated network with no loss, and the run measures what gossip costs and
// how fast it spreads: the rounds until a change made on one node is known on every node (it
// should grow like log S), the rounds until a join's new plan is everywhere, the balance of the
// ring after the join has completed, and the bytes of membership traffic per node per round,
// steady and while a change spreads.

import { SeededRandom } from '../../core/common/random.js';
import type { NodeId } from '../../core/common/types.js';
import { GossipSim, partitionCounts } from './gossip-sim.js';

export interface ScaleOptions {
  members: number;
  ringSize: number;
  n?: number;
  seed?: number;
  /** Record changes whose spread is timed. */
  trials?: number;
  /** Loss rate of the simulated network. */
  dropRate?: number;
}

export interface ScaleReport {
  members: number;
  ringSize: number;
  /** Rounds (gossip intervals) until a record change made on one node is on every node. */
  spreadRoundsMean: number;
  spreadRoundsMax: number;
  /** Rounds until a join's new plan is on every node. */
  joinPlanRounds: number;
  /** Rounds until the join has completed everywhere (transfers of 0.2 to 3 s included). */
  joinDoneRounds: number;
  /** Partitions: the most any member owns, over the mean, after the join. */
  balanceMaxOverMean: number;
  /** Partitions the join moved, and the joiner's share Q/(S+1). */
  joinMoved: number;
  joinShare: number;
  /** Membership bytes sent per node per round, with nothing changing. */
  bytesPerNodeRoundSteady: number;
  /** The same while the record changes spread. */
  bytesPerNodeRoundChanging: number;
  /** Log2 of the members, for comparison with the rounds. */
  log2Members: number;
}

export async function measureScale(options: ScaleOptions): Promise<ScaleReport> {
  const { members, ringSize } = options;
  const n = options.n ?? 3;
  const seed = options.seed ?? 1;
  const trials = options.trials ?? 5;
  const sim = new GossipSim({ seed, ringSize, n, faults: { dropRate: options.dropRate ?? 0, delayMsMin: 1, delayMsMax: 20 } });
  const interval = sim.gossipIntervalMs;
  const ids: NodeId[] = Array.from({ length: members }, (_, i) => `n${String(i + 1).padStart(3, '0')}`);
  const seeds = ids.slice(0, 2);
  sim.startFormed(ids, seeds);
  const pick = new SeededRandom(seed * 31 + 7);

  // Warm up: heartbeats flow, every detector learns the pace.
  await sim.run(10 * interval, interval);

  const steadyRounds = 10;
  let bytes = sim.bytesSent();
  await sim.run(steadyRounds * interval, interval);
  const bytesPerNodeRoundSteady = (sim.bytesSent() - bytes) / members / steadyRounds;

  // Record changes: a node changes its HTTP address; time until every node has the new record.
  const spreads: number[] = [];
  bytes = sim.bytesSent();
  let changingMs = 0;
  for (let trial = 0; trial < trials; trial++) {
    const changer = sim.node(ids[pick.int(members)]);
    const startMs = sim.clock.now();
    changer.core.updateSelf({ http: `http:${changer.id}:${trial}` }, startMs);
    const version = changer.core.record(changer.id)?.version ?? 0;
    const reached = await sim.runUntil(
      () => ids.every((id) => (sim.node(id).core.record(changer.id)?.version ?? 0) >= version),
      100 * interval,
      50,
    );
    if (!reached) throw new Error(`a change from ${changer.id} did not reach every node in 100 rounds`);
    const elapsed = sim.clock.now() - startMs;
    changingMs += elapsed;
    spreads.push(elapsed / interval);
  }
  const bytesPerNodeRoundChanging = (sim.bytesSent() - bytes) / members / (changingMs / interval);

  // A join: the new plan spreads, then transfers run and the joiner becomes up.
  const before = sim.owners().slice();
  const joiner = `n${String(members + 1).padStart(3, '0')}`;
  sim.addNode(joiner, { seeds });
  const joinStart = sim.clock.now();
  const joined = sim.node(joiner).core.join(seeds[0], joinStart);
  if (!joined.ok) throw new Error(`join failed: ${joined.message}`);
  const everyone = [...ids, joiner];
  const planned = await sim.runUntil(
    () => everyone.every((id) => sim.node(id).core.membershipState().ring?.plan.claimedFor.some((m) => m.id === joiner) ?? false),
    200 * interval,
    50,
  );
  if (!planned) throw new Error('the join plan did not reach every node in 200 rounds');
  const joinPlanRounds = (sim.clock.now() - joinStart) / interval;
  const done = await sim.runUntil(() => sim.notConverged(everyone) === undefined, 300 * interval, 100);
  if (!done) throw new Error(`the join did not complete: ${sim.notConverged(everyone)}`);
  const joinDoneRounds = (sim.clock.now() - joinStart) / interval;
  if (sim.violations.length > 0) throw new Error(`invariants broken: ${sim.violations.slice(0, 3).join('; ')}`);

  const owners = sim.owners();
  const counts = partitionCounts(owners);
  let max = 0;
  for (const count of counts.values()) max = Math.max(max, count);
  let joinMoved = 0;
  for (let p = 0; p < ringSize; p++) if (owners[p] !== before[p]) joinMoved++;

  return {
    members,
    ringSize,
    spreadRoundsMean: spreads.reduce((a, b) => a + b, 0) / spreads.length,
    spreadRoundsMax: Math.max(...spreads),
    joinPlanRounds,
    joinDoneRounds,
    balanceMaxOverMean: max / (ringSize / (members + 1)),
    joinMoved,
    joinShare: ringSize / (members + 1),
    bytesPerNodeRoundSteady,
    bytesPerNodeRoundChanging,
    log2Members: Math.log2(members),
  };
}

/** The reports as a Markdown table. */
export function scaleTable(reports: readonly ScaleReport[]): string {
  const lines = [
    '| members S | ring Q | log2 S | rounds to reach all (mean / max) | join plan everywhere (rounds) | join complete (rounds) | moved / share Q/(S+1) | partitions max/mean | bytes/node/round steady | bytes/node/round while changing |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of reports) {
    lines.push(
      `| ${r.members} | ${r.ringSize} | ${r.log2Members.toFixed(1)} | ${r.spreadRoundsMean.toFixed(1)} / ${r.spreadRoundsMax.toFixed(1)} | ` +
        `${r.joinPlanRounds.toFixed(1)} | ${r.joinDoneRounds.toFixed(1)} | ${r.joinMoved} / ${r.joinShare.toFixed(1)} | ` +
        `${r.balanceMaxOverMean.toFixed(2)} | ${Math.round(r.bytesPerNodeRoundSteady)} | ${Math.round(r.bytesPerNodeRoundChanging)} |`,
    );
  }
  return lines.join('\n');
}
