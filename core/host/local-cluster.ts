// A local cluster: one OS process per node under a ClusterSupervisor (one XState actor per
// process), as `dynamo cluster start`, the benchmark and the tests run it. Its members are known
// up front (n1..nK with fixed ports), so every node starts with the same static member list and
// hence the same ring. The cluster secret is made once and kept in <dir>/cluster.secret.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLevel } from '../common/log.js';
import type { Member } from '../common/types.js';
import { formatAddress } from '../net/address.js';
import { nodeThreadPoolSize } from './limits.js';
import type { NodeProcessConfig } from './node-process-api.js';
import type { ProcessStdio } from './process-handle.js';
import { ClusterSupervisor } from './supervisor.js';

/**
 * The node process entry (node-main.ts): next to this module when running the build; from the
 * sources (tests under vitest), the built copy in dist/.
 */
export const nodeEntry = [
  fileURLToPath(new URL('./node-main.js', import.meta.url)),
  fileURLToPath(new URL('../../dist/core/host/node-main.js', import.meta.url)),
].find((candidate) => existsSync(candidate)) ?? fileURLToPath(new URL('./node-main.js', import.meta.url));

export interface LocalClusterOptions {
  nodes: number;
  dir: string;
  basePort: number;
  peerBasePort: number;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  hintedHandoff: boolean;
  clusterSecret?: string;
  token?: string;
  host?: string;
  /** Explicit ports per node (tests pick free ones); otherwise base + i. */
  httpPorts?: number[];
  peerPorts?: number[];
  requestTimeoutMs?: number;
  antiEntropyIntervalMs?: number;
  gossipInterval?: number;
  phiThreshold?: number;
  /** The least severe level each node writes to its <dir>/node.log; info by default. */
  logLevel?: LogLevel;
  /** Superseded versions each key keeps (--history). */
  history?: number;
  /** The fraction of client requests each node traces (--trace-sample). */
  traceSample?: number;
  /** Every node flushes every write to disk before acknowledging it (--sync). */
  sync?: boolean;
}

/** The environment node processes get on top of ours: a small libuv pool (see limits.ts). */
export const nodeProcessEnv = { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(nodeThreadPoolSize) };

/** The cluster secret: given, from the environment, kept in <dir>/cluster.secret, or made now. */
export async function clusterSecret(dir: string, given?: string): Promise<string> {
  const explicit = given ?? process.env.DYNAMO_CLUSTER_SECRET;
  if (explicit !== undefined && explicit !== '') return explicit;
  const file = path.join(dir, 'cluster.secret');
  try {
    const kept = (await readFile(file, 'utf8')).trim();
    if (kept !== '') return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The configuration of every node of a local cluster. */
export async function localClusterConfigs(options: LocalClusterOptions): Promise<NodeProcessConfig[]> {
  const dir = path.resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const secret = await clusterSecret(dir, options.clusterSecret);
  const host = options.host ?? '127.0.0.1';
  const members: Member[] = [];
  const httpPort = (i: number) => options.httpPorts?.[i - 1] ?? options.basePort + i;
  const peerPort = (i: number) => options.peerPorts?.[i - 1] ?? options.peerBasePort + i;
  for (let i = 1; i <= options.nodes; i++) {
    members.push({ id: `n${i}`, http: formatAddress(host, httpPort(i)), peer: formatAddress(host, peerPort(i)), weight: 1 });
  }
  return members.map((member, index) => ({
    id: member.id,
    dir: path.join(dir, member.id),
    host,
    httpPort: httpPort(index + 1),
    peerPort: peerPort(index + 1),
    seeds: [members[0].peer],
    ringSize: options.ringSize,
    n: options.n,
    r: options.r,
    w: options.w,
    hintedHandoff: options.hintedHandoff,
    allowFaultInjection: true,
    clusterSecret: secret,
    token: options.token ?? process.env.DYNAMO_TOKEN,
    weight: 1,
    initialMembers: members,
    requestTimeoutMs: options.requestTimeoutMs,
    antiEntropyIntervalMs: options.antiEntropyIntervalMs,
    gossipIntervalMs: options.gossipInterval,
    phiThreshold: options.phiThreshold,
    logLevel: options.logLevel,
    historyVersions: options.history,
    traceSample: options.traceSample,
    sync: options.sync,
  }));
}

/** Starts a local cluster; resolves once every node serves. */
export async function startLocalCluster(
  options: LocalClusterOptions,
  supervisorOptions: { stdio?: ProcessStdio } = {},
): Promise<{ supervisor: ClusterSupervisor; configs: NodeProcessConfig[] }> {
  const configs = await localClusterConfigs(options);
  const supervisor = new ClusterSupervisor({ entry: nodeEntry, stdio: supervisorOptions.stdio ?? 'inherit', env: nodeProcessEnv });
  for (const config of configs) supervisor.add(config);
  try {
    await supervisor.startAll();
  } catch (error) {
    await supervisor.stopAll().catch(() => undefined);
    throw error;
  }
  return { supervisor, configs };
}
