// A fault campaign on real processes: a 5-node local cluster (one OS process per node, fault
// injection enabled), concurrent register and cart clients recording a Jepsen-style history,
// and a nemesis playing a seeded schedule of kills, pauses and isolations. After the nemesis
// stops: heal everything, wait until every hint is delivered, run anti-entropy on every node,
// and check that every preference-list replica of every key holds the same sibling set; then
// judge the registers (must/may) and the carts (every acknowledged add present).
// A failing run keeps its history (JSON) and every node's node.log in a folder it names.

import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoClient } from '../core/api/client.js';
import { SeededRandom } from '../core/common/random.js';
import { startLocalCluster } from '../core/host/local-cluster.js';
import type { ClusterSupervisor } from '../core/host/supervisor.js';
import { freePorts } from '../test/support/cluster.js';
import { History, type Violation } from '../test/support/history.js';
import { OperationLog } from './history.js';
import { faultSchedule, Nemesis, type FaultKind, type ScheduledFault, type ScheduleTiming } from './nemesis.js';
import {
  bucket,
  cartClient,
  cartItems,
  CartHistory,
  newAvailability,
  registerClient,
  type Availability,
  type WorkloadEnv,
} from './workloads.js';

export interface CampaignOptions {
  seed: number;
  durationMs: number;
  nodes?: number;
  registerClients?: number;
  cartClients?: number;
  registerKeys?: number;
  carts?: number;
  /** Per-request client time-out (a paused node answers nothing). */
  clientTimeoutMs?: number;
  /** Longest wait for hints and convergence after healing. */
  settleTimeoutMs?: number;
  /** Fault and quiet lengths; nemesis.ts's defaultTiming otherwise. */
  timing?: ScheduleTiming;
  say?: (line: string) => void;
}

export interface CampaignReport {
  seed: number;
  durationMs: number;
  operations: number;
  events: number;
  outcomes: Record<string, number>;
  faults: Record<FaultKind, number>;
  schedule: ScheduledFault[];
  ackedWrites: number;
  unknownOrFailedWrites: number;
  lost: number;
  violations: Violation[];
  ackedAdds: number;
  unknownAdds: number;
  lostAdds: number;
  cartViolations: Array<{ key: string; kind: 'lost' | 'unexpected'; item: string }>;
  availability: { registers: Availability; carts: Availability; overall: number; firstTry: number };
  hintsDeliveredMs: number;
  convergeMs: number;
  converged: boolean;
  divergent: Array<{ key: string; replicas: Record<string, string> }>;
  keys: number;
  ok: boolean;
  keptIn?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A replica's live siblings as one comparable string: sorted `node:counter=value`. */
async function replicaState(client: DynamoClient, key: string): Promise<string> {
  const local = await client.json('GET', `/v1/admin/local/${bucket}/${encodeURIComponent(key)}`);
  if (local.status === 404) return '<none>';
  if (local.status !== 200) return `<status ${local.status}>`;
  const siblings = (local.body.siblings ?? []) as Array<{ value: string; dot: { node: string; counter: number } }>;
  return siblings
    .map((s) => `${s.dot.node}:${s.dot.counter}=${Buffer.from(s.value, 'base64').toString()}`)
    .sort()
    .join(' | ');
}

async function pendingHints(admin: Map<string, DynamoClient>): Promise<number> {
  let pending = 0;
  for (const client of admin.values()) pending += (await client.json('GET', '/v1/admin/hints')).body.pending ?? 0;
  return pending;
}

/** Keys whose preference-list replicas differ, with each replica's state. */
async function divergentKeys(admin: Map<string, DynamoClient>, keys: string[]) {
  const divergent: Array<{ key: string; replicas: Record<string, string> }> = [];
  const first = [...admin.values()][0];
  for (const key of keys) {
    const preference = (await first.json('GET', `/v1/admin/preference/${bucket}/${encodeURIComponent(key)}`)).body.preference as string[];
    const replicas: Record<string, string> = {};
    for (const node of preference) replicas[node] = await replicaState(admin.get(node)!, key);
    if (new Set(Object.values(replicas)).size > 1) divergent.push({ key, replicas });
  }
  return divergent;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const say = options.say ?? ((line: string) => console.log(line));
  const nodes = options.nodes ?? 5;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-campaign-'));
  const ports = await freePorts(nodes * 2);
  const { supervisor, configs } = await startLocalCluster(
    {
      nodes,
      dir,
      basePort: 0,
      peerBasePort: 0,
      httpPorts: ports.slice(0, nodes),
      peerPorts: ports.slice(nodes),
      ringSize: 32,
      n: 3,
      r: 2,
      w: 2,
      hintedHandoff: true,
      clusterSecret: 'campaign-secret',
      requestTimeoutMs: 1000,
      // Background exchanges off: anti-entropy runs when the campaign asks for it, after healing.
      antiEntropyIntervalMs: 3_600_000,
    },
    { stdio: 'ignore' },
  );
  const ids = configs.map((config) => config.id);
  const endpoints = new Map(configs.map((config) => [config.id, `http://127.0.0.1:${config.httpPort}`]));
  const clientTimeoutMs = options.clientTimeoutMs ?? 3_000;
  const clients = new Map(ids.map((id) => [id, new DynamoClient(endpoints.get(id)!, { timeoutMs: clientTimeoutMs })]));
  const admin = new Map(ids.map((id) => [id, new DynamoClient(endpoints.get(id)!, { timeoutMs: 5_000 })]));
  const log = new OperationLog();
  const nemesis = new Nemesis({ ids, supervisor, admin, say, now: () => log.now() });
  let report: CampaignReport | undefined;
  let thrown: unknown;
  try {
    report = await play(options, say, ids, supervisor, clients, admin, log, nemesis);
    return report;
  } catch (error) {
    thrown = error;
    throw error;
  } finally {
    nemesis.resumeAll();
    await Promise.all([...clients.values(), ...admin.values()].map((client) => client.close()));
    await supervisor.stopAll();
    if (report === undefined || !report.ok) {
      const keep = path.resolve(process.env.CAMPAIGN_KEEP_DIR ?? path.join(os.tmpdir(), `dynamo-campaign-failed-seed${options.seed}-${Date.now()}`));
      await mkdir(keep, { recursive: true });
      await writeFile(path.join(keep, 'history.json'), JSON.stringify({ report, error: thrown === undefined ? undefined : String((thrown as Error).stack ?? thrown), nemesis: nemesis.log, events: log.events }, null, 1));
      for (const id of ids) {
        for (const file of ['node.log', 'node.log.1']) {
          await cp(path.join(dir, id, file), path.join(keep, `${id}.${file}`)).catch(() => undefined);
        }
      }
      if (report !== undefined) report.keptIn = keep;
      else say(`campaign aborted: history and node logs kept in ${keep}`);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function play(
  options: CampaignOptions,
  say: (line: string) => void,
  ids: string[],
  supervisor: ClusterSupervisor,
  clients: Map<string, DynamoClient>,
  admin: Map<string, DynamoClient>,
  log: OperationLog,
  nemesis: Nemesis,
): Promise<CampaignReport> {
  const { seed, durationMs } = options;
  const random = new SeededRandom(seed);
  const schedule = faultSchedule(seed, ids, durationMs, options.timing);
  say(`campaign: seed ${seed}, ${durationMs / 1000} s, ${ids.length} nodes, ${schedule.length} faults scheduled`);

  const startedAt = performance.now();
  let running = true;
  const env: WorkloadEnv = { ids, clients, log, running: () => running, attempts: 3 };
  const history = new History();
  const carts = new CartHistory();
  const registerStats = newAvailability();
  const cartStats = newAvailability();
  const registerKeys = options.registerKeys ?? 16;
  const cartCount = options.carts ?? 6;
  const workers: Promise<void>[] = [];
  for (let i = 0; i < (options.registerClients ?? 6); i++) {
    workers.push(registerClient(env, random.fork(), i, history, registerStats, { keys: registerKeys }));
  }
  for (let i = 0; i < (options.cartClients ?? 4); i++) {
    workers.push(cartClient(env, random.fork(), i, carts, cartStats, { carts: cartCount }));
  }
  const nemesisDone = nemesis.run(schedule, startedAt);
  const timer = setTimeout(() => {
    running = false;
    nemesis.stop();
  }, durationMs);
  try {
    await nemesisDone;
    await sleep(Math.max(0, startedAt + durationMs - performance.now()));
    running = false;
    await Promise.all(workers);
  } finally {
    clearTimeout(timer);
    running = false;
  }
  say(`  clients stopped at ${(log.now() / 1000).toFixed(1)} s; healing`);

  // Heal everything, then wait for hints, then anti-entropy until the replicas agree.
  const healStarted = performance.now();
  await nemesis.healAll();
  const settleTimeoutMs = options.settleTimeoutMs ?? 90_000;
  const deadline = healStarted + settleTimeoutMs;
  while ((await pendingHints(admin)) > 0 && performance.now() < deadline) await sleep(200);
  const hintsDeliveredMs = Math.round(performance.now() - healStarted);
  const keys = [...history.keyNames, ...carts.keyNames].sort();
  let divergent: Awaited<ReturnType<typeof divergentKeys>> = [];
  for (let round = 0; ; round++) {
    for (const id of ids) {
      const answer = await admin.get(id)!.json('POST', '/v1/admin/anti-entropy', {});
      if (answer.status !== 200) say(`  anti-entropy on ${id} answered ${answer.status}`);
    }
    divergent = await divergentKeys(admin, keys);
    if (divergent.length === 0 || performance.now() > deadline) break;
    say(`  anti-entropy round ${round + 1}: ${divergent.length} keys still differ`);
    await sleep(500);
  }
  const convergeMs = Math.round(performance.now() - healStarted);
  const converged = divergent.length === 0;

  // Final reads (a quorum read through n1; the replicas agree by now when converged).
  const reader = admin.get(ids[0])!;
  const violations: Violation[] = [];
  for (const key of history.keyNames) {
    const result = await reader.get(bucket, key, { json: true });
    if (result.status !== 200 && result.status !== 300 && result.status !== 404) {
      violations.push({ key, kind: 'diverged', value: `final read answered ${result.status}` });
      continue;
    }
    const values = 'siblings' in result ? result.siblings.map((s) => Buffer.from(s.value).toString()) : [];
    violations.push(...history.check(key, values));
  }
  const cartViolations: CampaignReport['cartViolations'] = [];
  for (const key of carts.keyNames) {
    const result = await reader.get(bucket, key, { json: true });
    const values = 'siblings' in result ? result.siblings.map((s) => Buffer.from(s.value).toString()) : [];
    const verdict = carts.check(key, cartItems(values));
    for (const item of verdict.lost) cartViolations.push({ key, kind: 'lost', item });
    for (const item of verdict.unexpected) cartViolations.push({ key, kind: 'unexpected', item });
  }

  const operations = registerStats.operations + cartStats.operations;
  const succeeded = registerStats.succeeded + cartStats.succeeded;
  const firstTry = registerStats.firstTry + cartStats.firstTry;
  const lost = violations.filter((v) => v.kind === 'lost').length;
  const lostAdds = cartViolations.filter((v) => v.kind === 'lost').length;
  return {
    seed,
    durationMs,
    operations,
    events: log.events.length,
    outcomes: log.counts(),
    faults: { ...nemesis.counts },
    schedule,
    ackedWrites: history.ackedWrites,
    unknownOrFailedWrites: history.failedWrites,
    lost,
    violations,
    ackedAdds: carts.ackedAdds,
    unknownAdds: carts.unknownAdds,
    lostAdds,
    cartViolations,
    availability: {
      registers: registerStats,
      carts: cartStats,
      overall: operations === 0 ? 0 : succeeded / operations,
      firstTry: operations === 0 ? 0 : firstTry / operations,
    },
    hintsDeliveredMs,
    convergeMs,
    converged,
    divergent: divergent.slice(0, 20),
    keys: keys.length,
    ok: violations.length === 0 && cartViolations.length === 0 && converged,
  };
}

/** The figures, one per line. */
export function formatReport(report: CampaignReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
  const faults = Object.entries(report.faults)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const lines = [
    `seed ${report.seed}, ${report.durationMs / 1000} s`,
    `operations: ${report.operations} (${report.events} history events: ${report.outcomes.ok} ok, ${report.outcomes.fail} fail, ${report.outcomes.info} info)`,
    `faults: ${faults}`,
    `acknowledged writes: ${report.ackedWrites} (registers; ${report.unknownOrFailedWrites} failed or unknown)`,
    `lost: ${report.lost}` + (report.violations.length > report.lost ? `, other violations: ${report.violations.length - report.lost}` : ''),
    `cart adds: ${report.ackedAdds} acknowledged, ${report.unknownAdds} unknown`,
    `lost cart adds: ${report.lostAdds}` +
      (report.cartViolations.length > report.lostAdds ? `, unexpected items: ${report.cartViolations.length - report.lostAdds}` : ''),
    `availability (retrying through another node): ${pct(report.availability.overall)}; first node asked: ${pct(report.availability.firstTry)}; retries: ${report.availability.registers.retries + report.availability.carts.retries}`,
    `hints delivered ${(report.hintsDeliveredMs / 1000).toFixed(1)} s after healing; time to converge: ${(report.convergeMs / 1000).toFixed(1)} s (${report.keys} keys, ${report.converged ? 'converged' : `${report.divergent.length}+ keys DIVERGED`})`,
    report.ok ? 'PASS' : `FAIL${report.keptIn ? `: history and node logs kept in ${report.keptIn}` : ''}`,
  ];
  if (!report.ok) {
    for (const v of report.violations.slice(0, 10)) lines.push(`  register ${v.kind}: ${v.key} ${v.value}`);
    for (const v of report.cartViolations.slice(0, 10)) lines.push(`  cart ${v.kind}: ${v.key} ${v.item}`);
    for (const d of report.divergent.slice(0, 5)) lines.push(`  diverged ${d.key}: ${JSON.stringify(d.replicas).slice(0, 300)}`);
  }
  return lines.join('\n');
}
