// Opens a system under test by name, starting the servers it needs (a local dynamo-desk cluster,
// an etcd cluster, a LevelDB directory) and stopping them when the target is closed.

import { randomBytes } from 'node:crypto';
import { DynamoTarget, startBenchCluster } from './dynamo-target.js';
import type { BenchCluster, DynamoMode } from './dynamo-target.js';
import { EtcdTarget, startEtcdCluster } from './etcd.js';
import { LevelTarget } from './level-target.js';
import type { BenchTarget, KeySpace } from './workload.js';

import type { TargetKind } from './command.js';

export type { TargetKind } from './command.js';

export interface TargetSetup {
  kind: TargetKind;
  keySpace: KeySpace;
  /** Connections per server: the generator's concurrency. */
  concurrency: number;
  /** Attach to this dynamo-desk node instead of starting a cluster. */
  endpoint?: string;
  /** An already running local cluster to use (not stopped on close). */
  cluster?: BenchCluster;
  /** How reports name a dynamo-desk target (`dynamo-<kind>` by default). */
  name?: string;
  nodes: number;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  token?: string;
  etcdMembers: number;
  etcdBinary?: string;
  /** Parent of every temporary directory. */
  dir?: string;
  /** dynamo-desk: the nodes fsync every write before acking it (--sync; a cluster started here, or named so). */
  sync?: boolean;
  /** dynamo-desk cluster started here: superseded versions kept per key (--history; the nodes' default when absent). */
  history?: number;
  /** dynamo-desk cluster started here: fraction of requests traced (--trace-sample; the nodes' default when absent). */
  traceSample?: number;
  /** Told about servers being started (stderr in the CLI). */
  log?: (line: string) => void;
}

/** A fresh bucket name, so that a run against an existing cluster writes only new keys. */
export function benchBucket(): string {
  return `bench-${randomBytes(4).toString('hex')}`;
}

export async function openTarget(setup: TargetSetup): Promise<BenchTarget> {
  const log = setup.log ?? (() => undefined);
  switch (setup.kind) {
    case 'http':
    case 'client': {
      const mode: DynamoMode = setup.kind;
      if (setup.endpoint !== undefined || setup.cluster !== undefined) {
        const endpoints = setup.endpoint !== undefined ? [setup.endpoint] : setup.cluster!.endpoints;
        return DynamoTarget.connect({ mode, endpoints, keySpace: setup.keySpace, name: setup.name, connections: setup.concurrency, token: setup.token, sync: setup.sync });
      }
      log(`starting a ${setup.nodes}-node dynamo-desk cluster (N=${setup.n} R=${setup.r} W=${setup.w}, Q=${setup.ringSize}${setup.sync === true ? ', --sync' : ''})`);
      const cluster = await startBenchCluster({ ...setup, parentDir: setup.dir });
      try {
        return await DynamoTarget.connect({
          mode,
          endpoints: cluster.endpoints,
          keySpace: setup.keySpace,
          connections: setup.concurrency,
          token: setup.token,
          sync: setup.sync,
          onClose: () => cluster.stop(),
        });
      } catch (error) {
        await cluster.stop();
        throw error;
      }
    }
    case 'etcd': {
      log(`starting a ${setup.etcdMembers}-member etcd cluster`);
      const cluster = await startEtcdCluster({ members: setup.etcdMembers, binary: setup.etcdBinary, parentDir: setup.dir });
      log(`etcd ${cluster.version} at ${cluster.endpoints.join(' ')}`);
      return new EtcdTarget(cluster, setup.keySpace, { connections: setup.concurrency, onClose: () => cluster.stop() });
    }
    case 'level':
      return LevelTarget.open(setup.keySpace, { parentDir: setup.dir });
  }
}
