// The deterministic simulator: many DynamoNodes in one process on the simulated network, with
// in-memory stores, a virtual clock and one seeded random source. Clients run the data path
// (reads, read-modify-writes, blind writes, deletes) through random nodes while a nemesis
// drops, delays, duplicates and reorders messages, partitions the network and crashes and
// restarts nodes (their stores survive, as disks do); then the faults
// heal and a full read of every key is judged by the must/may checker, with versions named by
// their dots. A seed replays exactly.

import { SeededRandom } from '../../core/common/random.js';
import type { Member, NodeId } from '../../core/common/types.js';
import { SimNetwork, type SimFaults } from '../../core/net/sim-network.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';
import { DynamoNode } from '../../core/node/dynamo-node.js';
import { MemoryStore } from '../../core/storage/memory-store.js';
import type { Store } from '../../core/storage/store.js';
import { contextAfterWrite, emptyContext, type CausalContext } from '../../core/version/causal-context.js';
import { liveSiblings } from '../../core/version/sibling-set.js';
import { History, type Violation } from '../support/history.js';
import * as view from './node-view.js';

export interface SimOptions {
  seed: number;
  nodes?: number;
  ringSize?: number;
  n?: number;
  r?: number;
  w?: number;
  clients?: number;
  opsPerClient?: number;
  keys?: number;
  requestTimeoutMs?: number;
  /** Nodes started empty with n1 as seed, which join at random times during the run. */
  joiners?: number;
  /** Formed nodes (never n1) that leave at random times during the run. */
  leavers?: number;
  /**
   * Wraps each node's store, e.g. in a deliberately broken disk, so the checker's own tests can
   * prove it reports what such a node does. The wrapper is made once and, like the store,
   * outlives the node's crashes.
   */
  wrapStore?: (id: NodeId, store: Store) => Store;
}

export interface SimReport {
  seed: number;
  violations: Violation[];
  acked: number;
  failed: number;
  faults: SimFaults;
  partitions: number;
  crashes: number;
  /** Tombstones collected (by the nodes running at the end). */
  reaped: number;
  virtualMs: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

const dotName = (sibling: { node: string; counter: number }) => `${sibling.node}:${sibling.counter}`;

interface ClientView {
  context: CausalContext | undefined;
  seen: string[];
}

export async function simulateDataPath(options: SimOptions): Promise<SimReport> {
  const nodesCount = options.nodes ?? 5;
  const n = options.n ?? 3;
  const r = options.r ?? 2;
  const w = options.w ?? 2;
  const random = new SeededRandom(options.seed);
  const clock = new VirtualClock();
  const faults: SimFaults = {
    dropRate: random.next() * 0.1,
    duplicateRate: random.next() * 0.05,
    delayMsMin: 1,
    delayMsMax: 1 + random.int(30),
  };
  const network = new SimNetwork({ random: random.fork(), clock, faults });
  const joiners = options.joiners ?? 0;
  const allCount = nodesCount + joiners;
  const members: Member[] = Array.from({ length: allCount }, (_, i) => ({
    id: `n${i + 1}`,
    http: `sim:${i + 1}`,
    peer: `sim:${i + 1}`,
    weight: 1,
  }));
  // A node's store outlives its crashes (it is its disk); the node itself is rebuilt on restart.
  const stores: Store[] = members.map((member) => {
    const store = new MemoryStore();
    return options.wrapStore === undefined ? store : options.wrapStore(member.id, store);
  });
  const boot = async (index: number): Promise<DynamoNode> => {
    const node = new DynamoNode({
      id: members[index].id,
      store: stores[index],
      transport: network.isDown(members[index].id) ? network.restart(members[index].id) : network.transport(members[index].id),
      clock,
      ringSize: options.ringSize ?? 16,
      n,
      r,
      w,
      self: members[index],
      formed: index < nodesCount ? { cluster: 'sim', members: members.slice(0, nodesCount) } : undefined,
      seeds: index < nodesCount ? [] : ['n1'],
      random: random.fork(),
      seedsAreAddresses: false,
      requestTimeoutMs: options.requestTimeoutMs ?? 300,
      antiEntropyIntervalMs: 1_000,
      // Short, so tombstones are collected while the faults go on.
      tombstoneGraceMs: 1_500,
    });
    await stores[index].open();
    await node.start();
    return node;
  };
  const nodes: DynamoNode[] = [];
  for (let i = 0; i < members.length; i++) nodes.push(await boot(i));
  const crashed = new Set<number>();
  let crashes = 0;

  // Versions are named by their dots: a request the network delivers twice is coordinated
  // twice and makes a second version of the same value, which nobody has seen yet and which
  // must therefore survive; values only serve to check that nothing unwritten appears.
  const history = new History();
  const written = new Set<string>();
  let running = (options.clients ?? 5);
  let partitions = 0;
  const keyCount = options.keys ?? 6;
  const ops = options.opsPerClient ?? 25;
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

  async function client(index: number, rng: SeededRandom): Promise<void> {
    const views = new Map<string, ClientView>();
    for (let op = 0; op < ops; op++) {
      await sleep(rng.int(40));
      const key = `k${rng.int(keyCount)}`;
      const view = views.get(key) ?? { context: undefined, seen: [] };
      views.set(key, view);
      const node = nodes[rng.int(nodes.length)];
      const roll = rng.next();
      if (roll < 0.3) {
        const outcome = await node.get('b', key).catch(() => ({ kind: 'failed' as const }));
        if (outcome.kind === 'ok') {
          // The read's context covers every version it returned, tombstones included.
          view.context = { vv: outcome.state.vv, dots: [] };
          view.seen = outcome.state.siblings.map(dotName);
        }
        continue;
      }
      const deleting = roll > 0.9;
      const blind = roll < 0.45 || view.context === undefined;
      const value = deleting ? undefined : `c${index}.${op}`;
      const context = blind ? emptyContext() : view.context!;
      const seen = blind ? [] : view.seen;
      if (value !== undefined) written.add(value);
      history.attempt(key, undefined, seen);
      const outcome = await node
        .put('b', key, {
          context,
          value: value === undefined ? new Uint8Array(0) : encoder.encode(value),
          contentType: 'text/plain',
          deleted: deleting,
        })
        .catch(() => ({ kind: 'failed' as const }));
      if (outcome.kind === 'ok') {
        const dot = `${outcome.dot[0]}:${outcome.dot[1]}`;
        history.acknowledge(key, dot, seen, deleting);
        view.context = contextAfterWrite(context, outcome.dot);
        view.seen = [...seen, dot];
      } else {
        history.fail();
        view.context = undefined;
        view.seen = [];
      }
    }
  }

  async function nemesis(rng: SeededRandom): Promise<void> {
    while (running > 0) {
      await sleep(50 + rng.int(300));
      const roll = rng.next();
      if (roll < 0.15 && crashed.size === 0) {
        // Crash a node: it stops answering; its store (its disk) survives.
        const index = rng.int(allCount);
        crashed.add(index);
        crashes++;
        nodes[index].stop();
        network.crash(members[index].id);
      } else if (roll < 0.3 && crashed.size > 0) {
        for (const index of crashed) nodes[index] = await boot(index);
        crashed.clear();
      } else if (roll < 0.45) {
        network.heal();
      } else if (roll < 0.7) {
        const shuffled = [...members.map((m) => m.id)].sort(() => rng.next() - 0.5);
        const cut = 1 + rng.int(allCount - 1);
        network.heal();
        network.partition(shuffled.slice(0, cut), shuffled.slice(cut));
        partitions++;
      } else {
        network.heal();
        network.isolate(members[rng.int(allCount)].id);
        partitions++;
      }
    }
  }

  const clients = Array.from({ length: options.clients ?? 5 }, (_, i) =>
    client(i, random.fork()).finally(() => running--),
  );
  const chaos = nemesis(random.fork());
  // Membership churn: joiners join and leavers leave at random times while clients run.
  let churned = 0;
  const churnRng = random.fork();
  const churn = Promise.all([
    ...Array.from({ length: joiners }, async (_, j) => {
      await sleep(200 + churnRng.int(2000));
      const index = nodesCount + j;
      while (crashed.has(index)) await sleep(100);
      await view.join(nodes[index], 'n1').catch(() => undefined);
      churned++;
    }),
    ...Array.from({ length: Math.min(options.leavers ?? 0, nodesCount - 1) }, async (_, j) => {
      await sleep(500 + churnRng.int(2000));
      const index = 1 + j;
      while (crashed.has(index)) await sleep(100);
      await view.leave(nodes[index]).catch(() => undefined);
      churned++;
    }),
  ]);
  const finished = await clock.runUntil(() => running === 0, 10 * 60_000);
  if (!finished) throw new Error(`seed ${options.seed}: clients did not finish`);
  await clock.runUntil(() => false, 1000); // let the nemesis notice and in-flight work drain
  await Promise.all([...clients, chaos]);
  // Crashed nodes come back before the churn can finish (a crashed joiner or leaver waits).
  for (const index of crashed) nodes[index] = await boot(index);
  crashed.clear();
  const churnDone = await clock.runUntil(() => churned === joiners + Math.min(options.leavers ?? 0, nodesCount - 1), 60_000);
  if (!churnDone) throw new Error(`seed ${options.seed}: joins and leaves did not run`);
  await churn;

  // Faults stop: heal the network, wait until every node sees every peer up again and every
  // hint has been handed off, then read every key from every replica (R = N).
  for (const index of crashed) nodes[index] = await boot(index);
  crashed.clear();
  network.heal();
  network.setFaults({ dropRate: 0, duplicateRate: 0, delayMsMin: 1, delayMsMax: 1 });
  const digest = () => view.membershipDigest(nodes[0]);
  const settled = await clock.runUntil(
    () =>
      nodes.every(
        (node) =>
          view.downPeers(node).length === 0 &&
          view.hintsPending(node) === 0 &&
          view.membershipDigest(node) === digest() &&
          view.transfersPending(node) === 0,
      ),
    120_000,
  );
  if (!settled) throw new Error(`seed ${options.seed}: the cluster did not settle (membership, transfers, hints) after the faults healed`);
  // Anti-entropy on every node, then every replica of every partition must hold the same data:
  // equal tree roots (the convergence checker).
  for (const node of nodes) {
    const exchanged = view.exchangeAll(node);
    await clock.runUntil(() => false, 2_000);
    await exchanged;
  }
  const violations: Violation[] = [];
  const ring = view.ringOf(nodes[0]);
  const ownersLeft = new Set(ring.owners);
  for (let j = 0; j < Math.min(options.leavers ?? 0, nodesCount - 1); j++) {
    if (ownersLeft.has(members[1 + j].id)) violations.push({ key: 'ring', kind: 'diverged', value: `${members[1 + j].id} left but owns partitions` });
  }
  for (let j = 0; j < joiners; j++) {
    if (!ownersLeft.has(members[nodesCount + j].id)) violations.push({ key: 'ring', kind: 'diverged', value: `${members[nodesCount + j].id} joined but owns nothing` });
  }
  for (let partition = 0; partition < ring.ringSize; partition++) {
    const replicas = view.currentPreference(nodes[0], partition);
    const roots = replicas.map((id) => view.treeRoot(nodes[members.findIndex((m) => m.id === id)], partition));
    if (new Set(roots).size > 1) violations.push({ key: `partition ${partition}`, kind: 'diverged', value: roots.join(' ') });
  }
  for (const key of history.keyNames) {
    const read = nodes[0].get('b', key, n);
    await clock.runUntil(() => false, options.requestTimeoutMs ?? 300);
    const outcome = await read;
    if (outcome.kind !== 'ok') throw new Error(`seed ${options.seed}: final read of ${key} failed with all nodes healthy`);
    violations.push(...history.check(key, outcome.state.siblings.map(dotName), { unknown: false }));
    for (const sibling of liveSiblings(outcome.state)) {
      const value = decoder.decode(sibling.value);
      if (!written.has(value)) violations.push({ key, kind: 'unknown', value });
    }
  }
  return {
    seed: options.seed,
    violations,
    acked: history.ackedWrites,
    failed: history.failedWrites,
    faults,
    partitions,
    crashes,
    reaped: nodes.reduce((sum, node) => sum + view.tombstonesReaped(node), 0),
    virtualMs: clock.now(),
  };
}

