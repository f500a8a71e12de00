// `dynamo cluster start` and `dynamo node start`: run nodes in the foreground.
//
// A local cluster is one OS process per node under a ClusterSupervisor (one XState actor per
// process). Its members are known up front (n1..nK with fixed ports), so every node starts
// with the same static member list and hence the same ring; gossip and explicit joins come
// with the membership work. The cluster secret is made once and kept in <dir>/cluster.secret.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Member } from '../common/types.js';
import type { ProcessStdio } from '../host/process-handle.js';
import { ClusterStartError, ClusterSupervisor } from '../host/supervisor.js';
import type { NodeConfig } from '../node/config.js';
import { startNodeProcess } from '../node/node-process.js';
import { CliExit } from './exit.js';
import { checkQuorum, hostPortList, integerIn, nodeIdArg, onOff, powerOfTwo } from './options.js';

/**
 * The node process entry: next to this module when running the build; from the sources (tests
 * under vitest), the built copy in dist/.
 */
export const nodeEntry = [
  fileURLToPath(new URL('../node/main.js', import.meta.url)),
  fileURLToPath(new URL('../../dist/core/node/main.js', import.meta.url)),
].find((candidate) => existsSync(candidate)) ?? fileURLToPath(new URL('../node/main.js', import.meta.url));

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
}

/**
 * A node process needs few libuv threads: its reads are synchronous, only writes and range
 * scans use the pool, and a larger pool only adds wake-ups (measured: +25% throughput at 1).
 */
export const nodeProcessEnv = { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '2' };

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

/** The NodeConfig of every node of a local cluster. */
export async function localClusterConfigs(options: LocalClusterOptions): Promise<NodeConfig[]> {
  const dir = path.resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const secret = await clusterSecret(dir, options.clusterSecret);
  const host = options.host ?? '127.0.0.1';
  const members: Member[] = [];
  const httpPort = (i: number) => options.httpPorts?.[i - 1] ?? options.basePort + i;
  const peerPort = (i: number) => options.peerPorts?.[i - 1] ?? options.peerBasePort + i;
  for (let i = 1; i <= options.nodes; i++) {
    members.push({ id: `n${i}`, http: `${host}:${httpPort(i)}`, peer: `${host}:${peerPort(i)}`, weight: 1 });
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
  }));
}

/** Starts a local cluster; resolves once every node serves. */
export async function startLocalCluster(
  options: LocalClusterOptions,
  supervisorOptions: { stdio?: ProcessStdio } = {},
): Promise<{ supervisor: ClusterSupervisor; configs: NodeConfig[] }> {
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

function onStopSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

function addReplicationOptions(command: Command): Command {
  return command
    .option('--ring-size <q>', 'partitions on the ring (a power of two)', powerOfTwo(8, 16384), 64)
    .option('--n <n>', 'replicas per key', integerIn(1, 16), 3)
    .option('--r <r>', 'default read quorum', integerIn(1, 16), 2)
    .option('--w <w>', 'default write quorum', integerIn(1, 16), 2)
    .option('--hinted-handoff <on|off>', 'sloppy quorum with hinted handoff', onOff, true)
    .option('--cluster-secret <secret>', 'shared secret of the cluster (or DYNAMO_CLUSTER_SECRET)')
    .option('--token <token>', 'require this bearer token on every HTTP request (or DYNAMO_TOKEN)')
    .option('--gossip-interval <ms>', 'milliseconds between gossip rounds', integerIn(50, 60_000), 1000)
    .option('--phi-threshold <phi>', 'phi-accrual level above which a silent member is down', integerIn(1, 64), 8);
}

export function addClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('run a local cluster');
  addReplicationOptions(
    cluster
      .command('start')
      .description('start a local cluster in the foreground, one process per node')
      .option('--nodes <count>', 'number of nodes', integerIn(1, 64), 5)
      .option('--dir <path>', 'data directory', './data/cluster')
      .option('--base-port <port>', 'node i serves HTTP on base-port + i', integerIn(0, 65000), 8000)
      .option('--peer-base-port <port>', 'node i listens for peers on peer-base-port + i', integerIn(0, 65000), 7000),
  ).action(async (options) => {
    const problem = checkQuorum(options.n, options.r, options.w);
    if (problem !== undefined) throw new CliExit(2, problem);
    let started;
    try {
      started = await startLocalCluster(options);
    } catch (error) {
      throw new CliExit(1, error instanceof ClusterStartError ? error.message : `cannot start the cluster: ${(error as Error).message}`);
    }
    for (const node of started.supervisor.snapshot()) process.stdout.write(`${node.id} http://${node.http?.replace(/^http:\/\//, '')}\n`);
    process.stdout.write('cluster ready\n');
    onStopSignal(async () => {
      await started.supervisor.stopAll();
    });
  });

  const node = program.command('node').description('run one node');
  addReplicationOptions(
    node
      .command('start')
      .description('start one node in the foreground')
      .requiredOption('--id <id>', 'node id', nodeIdArg)
      .requiredOption('--dir <path>', 'data directory')
      .requiredOption('--port <port>', 'HTTP port', integerIn(0, 65535))
      .requiredOption('--peer-port <port>', 'peer (TCP) port', integerIn(0, 65535))
      .option('--host <host>', 'interface to bind', '127.0.0.1')
      .option('--seeds <host:port,...>', 'seed nodes', hostPortList, [])
      .option('--weight <w>', 'relative share of partitions', integerIn(1, 64), 1)
      .option('--allow-fault-injection', 'enable POST /v1/admin/faults', false),
  ).action(async (options) => {
    const problem = checkQuorum(options.n, options.r, options.w);
    if (problem !== undefined) throw new CliExit(2, problem);
    const dir = path.resolve(options.dir);
    await mkdir(dir, { recursive: true });
    let running;
    try {
      running = await startNodeProcess({
        id: options.id,
        dir,
        host: options.host,
        httpPort: options.port,
        peerPort: options.peerPort,
        seeds: options.seeds,
        ringSize: options.ringSize,
        n: options.n,
        r: options.r,
        w: options.w,
        hintedHandoff: options.hintedHandoff,
        allowFaultInjection: options.allowFaultInjection,
        clusterSecret: await clusterSecret(dir, options.clusterSecret),
        token: options.token ?? process.env.DYNAMO_TOKEN,
        weight: options.weight,
        gossipIntervalMs: options.gossipInterval,
        phiThreshold: options.phiThreshold,
      });
    } catch (error) {
      throw new CliExit(1, `cannot start node ${options.id}: ${(error as Error).message}`);
    }
    process.stdout.write(`${running.info.id} ${running.info.http}\n`);
    onStopSignal(() => running.stop());
  });
}
