// One seeded membership scenario over the gossip simulator: a cluster forms by concurrent joins
// (through whichever seeds, members or not yet), a single join is measured for how much it moves,
// then joins, leaves, a crash with restart from the persisted snapshot and a network partition
// happen at random moments, under message loss, duplication and delay. After each phase every
// running member must hold one identical state with no transfer pending. Throughout, every node's
// ring must give every partition an owner that is a member holding the partition's data.

import { SeededRandom } from '../../core/common/random.js';
import type { NodeId } from '../../core/common/types.js';
import { GossipSim } from './gossip-sim.js';

export interface ChurnReport {
  seed: number;
  /** Empty when the run passed. */
  problems: string[];
  ringSize: number;
  /** Members before the measured single join. */
  membersBeforeJoin: number;
  /** Partitions the single join moved, and the joiner's share Q/(S+1). */
  joinMoved: number;
  joinShare: number;
  /** Virtual time the whole run took, ms. */
  virtualMs: number;
  nodes: number;
  /** Fingerprint of the final ring: runs of one seed must agree exactly. */
  finalOwners: string;
}

const phaseMsMax = 300_000;

export async function simulateChurn(seed: number): Promise<ChurnReport> {
  const pick = new SeededRandom(seed * 7919 + 1);
  const ringSize = [32, 64, 128][pick.int(3)];
  const faults = {
    dropRate: pick.next() * 0.15,
    duplicateRate: pick.next() * 0.05,
    delayMsMin: 1,
    delayMsMax: 1 + pick.int(100),
  };
  const sim = new GossipSim({ seed, ringSize, n: 3, faults, transferMsMin: 100, transferMsMax: 1500 });
  const problems: string[] = [];
  const started: NodeId[] = [];
  let nextId = 1;
  const newId = () => `n${String(nextId++).padStart(2, '0')}`;
  const start = (seeds: string[]) => {
    const id = newId();
    sim.addNode(id, { seeds });
    started.push(id);
    return id;
  };
  const converge = async (phase: string, expected: readonly NodeId[]) => {
    const ok = await sim.runUntil(() => sim.notConverged(expected) === undefined, phaseMsMax, 500);
    if (!ok) problems.push(`${phase}: no convergence after ${phaseMsMax} ms: ${sim.notConverged(expected)}`);
  };

  // Phase 1: n01 founds the cluster; the others join concurrently, each through a random node
  // already started (which may itself still be waiting to join).
  const founder = start([]);
  sim.bootstrap(founder);
  const initial = 4 + pick.int(9); // 4…12
  const members: NodeId[] = [founder];
  for (let i = 1; i < initial; i++) {
    const via = started[pick.int(started.length)];
    const id = start([founder, via]);
    const atMs = pick.int(3000);
    sim.clock.setTimeout(() => record(sim.node(id).core.join(via, sim.clock.now()), `join ${id} via ${via}`), atMs);
    members.push(id);
  }
  function record(result: { ok: boolean; message?: string }, what: string): void {
    if (!result.ok) problems.push(`${what} refused: ${result.message}`);
  }
  await converge('formation', members);

  // Phase 2: one join into the converged cluster moves only the joiner's share.
  const before = sim.owners().slice();
  const membersBeforeJoin = members.length;
  const via = members[pick.int(members.length)];
  const joiner = start([founder, via]);
  record(sim.node(joiner).core.join(via, sim.clock.now()), `join ${joiner}`);
  members.push(joiner);
  await converge('single join', members);
  const after = sim.owners();
  let joinMoved = 0;
  for (let p = 0; p < ringSize; p++) {
    if (before[p] === after[p]) continue;
    joinMoved++;
    if (after[p] !== joiner) problems.push(`single join: partition ${p} moved from ${before[p]} to ${after[p]}, not to the joiner`);
  }
  const joinShare = ringSize / (membersBeforeJoin + 1);
  if (joinMoved > Math.ceil(joinShare)) problems.push(`single join moved ${joinMoved} partitions, share ${joinShare.toFixed(2)}`);

  // Phase 3: churn. Joins, leaves, a crash and restart, a partition, all within ten seconds.
  const joins = 1 + pick.int(5);
  const leaves = pick.int(Math.min(3, members.length - 2));
  const leaving = new Set<NodeId>();
  while (leaving.size < leaves) leaving.add(members[pick.int(members.length)]);
  for (let i = 0; i < joins; i++) {
    const seedId = members[pick.int(members.length)];
    const id = start([founder, seedId]);
    sim.clock.setTimeout(() => admin(id, () => record(sim.node(id).core.join(seedId, sim.clock.now()), `join ${id}`)), pick.int(10_000));
    members.push(id);
  }
  for (const id of leaving) {
    sim.clock.setTimeout(() => admin(id, () => record(sim.node(id).core.leave(sim.clock.now()), `leave ${id}`)), pick.int(10_000));
  }
  // An admin request to a crashed node fails; the admin retries until it is back.
  function admin(id: NodeId, action: () => void): void {
    if (sim.node(id).alive) action();
    else sim.clock.setTimeout(() => admin(id, action), 1000);
  }
  const stable = members.filter((id) => !leaving.has(id) && id !== founder);
  if (pick.next() < 0.5 && stable.length > 0) {
    const victim = stable[pick.int(stable.length)];
    const downMs = 2000 + pick.int(8000);
    sim.clock.setTimeout(() => {
      const snapshot = sim.crash(victim);
      sim.clock.setTimeout(() => sim.restart(victim, snapshot), downMs);
    }, pick.int(10_000));
  }
  if (pick.next() < 0.3) {
    const everyone = [...sim.nodes.keys()];
    const side = everyone.filter(() => pick.next() < 0.5);
    const other = everyone.filter((id) => !side.includes(id));
    const healMs = 3000 + pick.int(12_000);
    sim.clock.setTimeout(() => {
      sim.network.partition(side, other);
      sim.clock.setTimeout(() => sim.network.heal(), healMs);
    }, pick.int(10_000));
  }
  await sim.run(10_000, 500);
  const remaining = members.filter((id) => !leaving.has(id));
  await converge('churn', remaining);
  for (const id of leaving) {
    const status = sim.node(id).core.status();
    if (status !== 'left') problems.push(`${id} left but reports ${status}`);
  }
  problems.push(...sim.violations);

  return {
    seed,
    problems,
    ringSize,
    membersBeforeJoin,
    joinMoved,
    joinShare,
    virtualMs: sim.clock.now(),
    nodes: sim.nodes.size,
    finalOwners: sim.members().length > 0 ? sim.owners().join(',') : '',
  };
}

/**
 * The seeds a churn test file runs: SEED=<seed> replays one, SEEDS=<count> sets how many (100
 * by default), split between the two test files so that vitest runs the halves in parallel.
 */
export function churnSeeds(half: 0 | 1): number[] {
  if (process.env.SEED !== undefined) return half === 0 ? [Number(process.env.SEED)] : [];
  const count = Number(process.env.SEEDS ?? 100);
  const all = Array.from({ length: count }, (_, i) => i + 1);
  return all.filter((seed) => seed % 2 === half);
}

/** Runs `seeds`; throws naming the first failing seed and how to replay it. */
export async function runChurnSeeds(seeds: readonly number[]): Promise<{ joinMoved: number; joinShare: number }> {
  let joinMoved = 0;
  let joinShare = 0;
  for (const seed of seeds) {
    const report = await simulateChurn(seed);
    if (report.problems.length > 0) {
      throw new Error(
        `seed ${seed} failed (replay: SEED=${seed} npx vitest run test/membership/churn): ${report.problems.slice(0, 5).join(' | ')}`,
      );
    }
    joinMoved += report.joinMoved;
    joinShare += report.joinShare;
  }
  return { joinMoved, joinShare };
}
