// The nodes of a local console: the cluster's own (n1..nK, exactly as `dynamo cluster start`
// makes them: core/host/local-cluster.ts, same ports, directories and secret) plus the nodes
// that join plans added (n6, n7, …: ports by the same rule, a directory of their own, seeded
// with the cluster's peers, no static member list). Committed additions are remembered in
// <dir>/console.json, so a console restarted on the same directory runs them again.

import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LogLevel } from '../common/log.js';
import { localClusterConfigs, type LocalClusterOptions } from '../host/local-cluster.js';
import type { NodeProcessConfig } from '../host/node-process-api.js';
import type { ProcessSpawner, ProcessStdio } from '../host/process-handle.js';
import type { Clock } from '../common/clock.js';
import { formatAddress } from '../net/address.js';
import { consoleNodesMax } from './limits.js';

/** How to run a local console's cluster; every field but `dir` has `cluster start`'s default. */
export interface LocalConsoleOptions {
  /** Data directory: node i keeps its data in <dir>/n<i>; the cluster secret in <dir>/cluster.secret. */
  dir: string;
  nodes?: number;
  /** Node i serves HTTP on basePort + i and peers on peerBasePort + i (0: any free port). */
  basePort?: number;
  peerBasePort?: number;
  /** Explicit ports, node i at index i - 1 (tests pick free ones); nodes added later included. */
  httpPorts?: number[];
  peerPorts?: number[];
  ringSize?: number;
  n?: number;
  r?: number;
  w?: number;
  hintedHandoff?: boolean;
  clusterSecret?: string;
  /** Bearer token the nodes require (and the console sends); DYNAMO_TOKEN by default. */
  token?: string;
  /** Interface the nodes bind; 127.0.0.1 by default. */
  host?: string;
  requestTimeoutMs?: number;
  antiEntropyIntervalMs?: number;
  gossipInterval?: number;
  phiThreshold?: number;
  logLevel?: LogLevel;
  /** Superseded versions each key keeps (--history). */
  history?: number;
  /** The fraction of client requests each node traces (--trace-sample). */
  traceSample?: number;
  /** Every node flushes every write to disk before acknowledging it (--sync). */
  sync?: boolean;
  /** How node processes start: child_process by default; the desktop shell passes a utilityProcess spawner. */
  spawn?: ProcessSpawner;
  /** The node process entry (core/host/local-cluster.ts `nodeEntry` by default) and its runtime flags. */
  entry?: string;
  execArgv?: string[];
  /** Where the nodes' stdout and stderr go; inherited by default. */
  stdio?: ProcessStdio;
  clock?: Clock;
}

/** The options of `cluster start`, with its defaults filled in. */
export function clusterOptions(options: LocalConsoleOptions): LocalClusterOptions {
  return {
    nodes: options.nodes ?? 5,
    dir: path.resolve(options.dir),
    basePort: options.basePort ?? 8000,
    peerBasePort: options.peerBasePort ?? 7000,
    ringSize: options.ringSize ?? 64,
    n: options.n ?? 3,
    r: options.r ?? 2,
    w: options.w ?? 2,
    hintedHandoff: options.hintedHandoff ?? true,
    clusterSecret: options.clusterSecret,
    token: options.token,
    host: options.host,
    httpPorts: options.httpPorts,
    peerPorts: options.peerPorts,
    requestTimeoutMs: options.requestTimeoutMs,
    antiEntropyIntervalMs: options.antiEntropyIntervalMs,
    gossipInterval: options.gossipInterval,
    phiThreshold: options.phiThreshold,
    logLevel: options.logLevel,
    history: options.history,
    traceSample: options.traceSample,
    sync: options.sync,
  };
}

/** A node a join plan added, as console.json remembers it once committed. */
interface AddedNode {
  id: string;
  httpPort: number;
  peerPort: number;
}

export class LocalNodes {
  private constructor(
    private readonly cluster: LocalClusterOptions,
    /** Every configuration by id, in the order the nodes were added. */
    readonly configs: Map<string, NodeProcessConfig>,
    private readonly added: AddedNode[],
  ) {}

  /** The cluster's nodes and the committed additions (the directory is made, the secret kept). */
  static async load(options: LocalConsoleOptions): Promise<LocalNodes> {
    const cluster = clusterOptions(options);
    const configs = new Map((await localClusterConfigs(cluster)).map((config) => [config.id, config]));
    const nodes = new LocalNodes(cluster, configs, []);
    for (const node of await nodes.readAdded()) {
      if (configs.has(node.id)) continue;
      nodes.added.push(node);
      configs.set(node.id, nodes.addedConfig(node.id, node.httpPort, node.peerPort));
    }
    return nodes;
  }

  get token(): string | undefined {
    return [...this.configs.values()][0]?.token;
  }

  /** The first id n<k> that no node here and no member in `members` has. */
  nextId(members: readonly string[]): string {
    for (let k = 1; k <= consoleNodesMax; k++) {
      const id = `n${k}`;
      if (!this.configs.has(id) && !members.includes(id)) return id;
    }
    throw new Error(`a console runs at most ${consoleNodesMax} nodes`);
  }

  /** The configuration of a new node `id` (n<k>), seeded with `seeds`; its directory starts empty. */
  async plan(id: string, seeds: string[]): Promise<NodeProcessConfig> {
    const index = Number(id.slice(1));
    const config = this.addedConfig(id, this.port(this.cluster.httpPorts, this.cluster.basePort, index), this.port(this.cluster.peerPorts, this.cluster.peerBasePort, index), seeds);
    await rm(config.dir, { recursive: true, force: true });
    this.configs.set(id, config);
    return config;
  }

  /** Forgets a planned node and removes its directory. */
  async forget(id: string): Promise<void> {
    const config = this.configs.get(id);
    this.configs.delete(id);
    if (config !== undefined) await rm(config.dir, { recursive: true, force: true });
  }

  /** Remembers a committed node in console.json. */
  async commit(id: string): Promise<void> {
    const config = this.configs.get(id);
    if (config === undefined || this.added.some((node) => node.id === id)) return;
    this.added.push({ id, httpPort: config.httpPort, peerPort: config.peerPort });
    await writeFile(this.statePath(), `${JSON.stringify({ added: this.added }, null, 2)}\n`);
  }

  private addedConfig(id: string, httpPort: number, peerPort: number, seeds?: string[]): NodeProcessConfig {
    const template = this.configs.get('n1') ?? [...this.configs.values()][0];
    const { initialMembers: _members, ...rest } = template;
    return {
      ...rest,
      id,
      dir: path.join(this.cluster.dir, id),
      httpPort,
      peerPort,
      seeds: seeds ?? [...this.configs.values()].filter((config) => config.initialMembers !== undefined).map((config) => formatAddress(config.host, config.peerPort)),
      weight: 1,
    };
  }

  private port(explicit: number[] | undefined, base: number, index: number): number {
    return explicit?.[index - 1] ?? (base === 0 ? 0 : base + index);
  }

  private statePath(): string {
    return path.join(this.cluster.dir, 'console.json');
  }

  private async readAdded(): Promise<AddedNode[]> {
    let text: string;
    try {
      text = await readFile(this.statePath(), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = JSON.parse(text) as { added?: unknown };
    if (!Array.isArray(parsed.added)) return [];
    return parsed.added.filter(
      (node): node is AddedNode =>
        typeof node === 'object' && node !== null && /^n[0-9]{1,4}$/.test(node.id) && Number.isInteger(node.httpPort) && Number.isInteger(node.peerPort),
    );
  }
}
