// Test support: real local clusters (one OS process per node, real TCP, real LevelDB) on free
// loopback ports in a temporary directory, stopped and removed after the test.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoClient } from '../../core/api/client.js';
import { freePorts } from '../../bench/ports.js';
import { startLocalCluster } from '../../core/host/local-cluster.js';
import type { ClusterSupervisor } from '../../core/host/supervisor.js';
import type { NodeConfig } from '../../core/node/config.js';

export { freeBasePort, freePorts } from '../../bench/ports.js';

/**
 * The configuration of a one-node cluster (N = R = W = 1, ring of 8) on the given ports, as
 * `cluster start` would make it; `extra` overrides any field.
 */
export function singleNodeConfig(id: string, dir: string, httpPort: number, peerPort: number, extra: Partial<NodeConfig> = {}): NodeConfig {
  return {
    id,
    dir,
    host: '127.0.0.1',
    httpPort,
    peerPort,
    seeds: [],
    ringSize: 8,
    n: 1,
    r: 1,
    w: 1,
    hintedHandoff: true,
    allowFaultInjection: false,
    clusterSecret: 'test-secret',
    weight: 1,
    initialMembers: [{ id, http: `127.0.0.1:${httpPort}`, peer: `127.0.0.1:${peerPort}`, weight: 1 }],
    ...extra,
  };
}

export interface TestCluster {
  supervisor: ClusterSupervisor;
  dir: string;
  ids: string[];
  endpoints: Map<string, string>;
  peers: Map<string, string>;
  client(id: string): DynamoClient;
  stop(): Promise<void>;
}

export async function startTestCluster(
  options: {
    nodes: number;
    ringSize?: number;
    n?: number;
    r?: number;
    w?: number;
    requestTimeoutMs?: number;
    hintedHandoff?: boolean;
    antiEntropyIntervalMs?: number;
    /** The fraction of requests each node traces (--trace-sample); the nodes' default when absent. */
    traceSample?: number;
  } = { nodes: 3 },
): Promise<TestCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-test-'));
  const ports = await freePorts(options.nodes * 2);
  const { supervisor, configs } = await startLocalCluster(
    {
      nodes: options.nodes,
      dir,
      basePort: 0,
      peerBasePort: 0,
      httpPorts: ports.slice(0, options.nodes),
      peerPorts: ports.slice(options.nodes),
      ringSize: options.ringSize ?? 32,
      n: options.n ?? 3,
      r: options.r ?? 2,
      w: options.w ?? 2,
      hintedHandoff: options.hintedHandoff ?? true,
      clusterSecret: 'test-secret',
      requestTimeoutMs: options.requestTimeoutMs,
      // Background exchanges off by default, so a test sees exactly what it triggers.
      antiEntropyIntervalMs: options.antiEntropyIntervalMs ?? 3_600_000,
      traceSample: options.traceSample,
    },
    { stdio: 'inherit' },
  );
  const endpoints = new Map(configs.map((config) => [config.id, `http://127.0.0.1:${config.httpPort}`]));
  const peers = new Map(configs.map((config) => [config.id, `127.0.0.1:${config.peerPort}`]));
  const clients: DynamoClient[] = [];
  return {
    supervisor,
    dir,
    ids: configs.map((config) => config.id),
    endpoints,
    peers,
    client(id) {
      const client = new DynamoClient(endpoints.get(id)!, { timeoutMs: 15_000 });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await supervisor.stopAll();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts one more node process, `id`, with the cluster's first node as its seed and the
 * settings startTestCluster gives its nodes: it learns the cluster but owns nothing until
 * POST /v1/admin/join adds it. Its endpoints join the cluster's maps.
 */
export async function startExtraNode(cluster: TestCluster, id: string, settings: { ringSize: number; requestTimeoutMs?: number }): Promise<NodeConfig> {
  const [httpPort, peerPort] = await freePorts(2);
  const config: NodeConfig = {
    id,
    dir: path.join(cluster.dir, id),
    host: '127.0.0.1',
    httpPort,
    peerPort,
    seeds: [cluster.peers.get(cluster.ids[0])!],
    ringSize: settings.ringSize,
    n: 3,
    r: 2,
    w: 2,
    hintedHandoff: true,
    allowFaultInjection: true,
    clusterSecret: 'test-secret',
    weight: 1,
    requestTimeoutMs: settings.requestTimeoutMs,
    antiEntropyIntervalMs: 3_600_000,
  };
  cluster.supervisor.add(config);
  await cluster.supervisor.start(id);
  cluster.endpoints.set(id, `http://127.0.0.1:${httpPort}`);
  cluster.peers.set(id, `127.0.0.1:${peerPort}`);
  cluster.ids.push(id);
  return config;
}

