// A smoke run of the load generator for a couple of seconds against a real 3-node cluster (one
// process per node, TCP, LevelDB), server-driven and client-driven, and against raw
// classic-level and (where it is installed) a real 3-member etcd cluster. It proves operations
// complete with no errors and no lost keys, the CPU of every process is read, and the
// partition-aware client places keys exactly where the nodes do. Benchmarks are never pass/fail
// on timing: nothing here checks a rate, a latency or an amount of CPU; what the runner
// measured is checked only for its shape (counts that add up, percentiles in order, every
// process measured). How much of an open loop's schedule was kept is reported by the
// benchmark (`scheduled` in the result, and `npm run bench:compare`), not judged here.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionClient } from '../../core/api/partition-client.js';
import { DynamoTarget } from '../../bench/dynamo-target.js';
import { etcdVersion, EtcdTarget, startEtcdCluster } from '../../bench/etcd.js';
import { LevelTarget } from '../../bench/level-target.js';
import { loadKeySpace, runWorkload } from '../../bench/runner.js';
import type { RunResult } from '../../bench/runner.js';
import { makeKeySpace, valuePoolSize, workloads } from '../../bench/workload.js';
import type { BenchTarget } from '../../bench/workload.js';
import { startTestCluster } from '../support/cluster.js';
import type { TestCluster } from '../support/cluster.js';

const records = 200;

async function smoke(target: BenchTarget, workload: 'a' | 'b' | 'w', rate?: number): Promise<{ result: RunResult; progress: string[] }> {
  const progress: string[] = [];
  const load = await loadKeySpace(target, { records, concurrency: 16, valueCount: valuePoolSize, progress: (line) => progress.push(line) });
  expect(load.errors).toBe(0);
  const result = await runWorkload(target, {
    workload: workloads[workload],
    distribution: 'zipfian',
    records,
    valueCount: valuePoolSize,
    concurrency: 16,
    rate,
    warmupS: 0.2,
    durationS: 1,
    seed: 1,
    progress: (line) => progress.push(line),
  });
  return { result, progress };
}

function expectClean(result: RunResult): void {
  expect(result.operations).toBeGreaterThan(0);
  expect(result.errors, JSON.stringify(result.errorCodes)).toBe(0);
  expect(result.notFound).toBe(0);
  expect(result.reads + result.updates).toBe(result.operations);
  expect(result.latency.count).toBe(result.operations);
  expect(result.readLatency.count).toBe(result.reads);
  expect(result.updateLatency.count).toBe(result.updates);
  expect(result.latency.p99Ms).toBeGreaterThanOrEqual(result.latency.p50Ms);
  expect(result.latency.p999Ms).toBeGreaterThanOrEqual(result.latency.p99Ms);
  // Every process was read at both ends, and the total is their sum.
  expect(result.cpu.processes.at(-1)!.role).toBe('bench');
  expect(result.cpu.complete).toBe(true);
  expect(result.cpu.processes.every((p) => p.seconds !== null && p.seconds >= 0)).toBe(true);
  expect(result.cpu.seconds).toBeCloseTo(result.cpu.processes.reduce((sum, p) => sum + p.seconds!, 0), 9);
}

describe('dynamo bench against a real 3-node cluster', () => {
  let cluster: TestCluster;
  let endpoints: string[];

  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3 });
    endpoints = [...cluster.endpoints.values()];
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs workload A server-driven (round robin over the nodes) with no errors', async () => {
    const keySpace = makeKeySpace({ bucket: 'smoke-http', records, valueBytes: 900, seed: 1 });
    const target = await DynamoTarget.connect({ mode: 'http', endpoints: [endpoints[0]], keySpace, connections: 16 });
    try {
      const { result, progress } = await smoke(target, 'a');
      expectClean(result);
      expect(result.updates).toBeGreaterThan(0);
      expect(result.reads).toBeGreaterThan(0);
      // Every node's process is measured (found through /v1/status), plus the generator.
      expect(result.cpu.processes.map((p) => p.role).sort()).toEqual(['bench', 'n1', 'n2', 'n3']);
      expect(result.cpu.complete).toBe(true);
      expect(progress.some((line) => /ops\/s/.test(line))).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('runs an open-loop update-only load client-driven with no errors', async () => {
    const keySpace = makeKeySpace({ bucket: 'smoke-client', records, valueBytes: 900, seed: 2 });
    const target = await DynamoTarget.connect({ mode: 'client', endpoints, keySpace, connections: 16 });
    try {
      const { result } = await smoke(target, 'w', 300);
      expectClean(result);
      expect(result.mode).toBe('open');
      expect(result.rate).toBe(300);
      expect(result.serviceLatency!.count).toBe(result.operations);
      // Latency runs from when an operation was due, service time from when it was sent, which
      // is never earlier: so each percentile of latency is at least that of service time (no
      // coordinated omission).
      const service = result.serviceLatency!;
      expect(result.latency.p50Ms).toBeGreaterThanOrEqual(service.p50Ms);
      expect(result.latency.p99Ms).toBeGreaterThanOrEqual(service.p99Ms);
      expect(result.latency.maxMs).toBeGreaterThanOrEqual(service.maxMs);
      // The schedule is reported: rate × the measured window.
      expect(result.scheduled).toBeCloseTo(300 * result.seconds, 6);
    } finally {
      await target.close();
    }
  });

  it('routes each key to its preference list, computed as the nodes compute it', async () => {
    const client = await PartitionClient.connect(endpoints[1]);
    try {
      expect(client.members().map((m) => m.id).sort()).toEqual(['n1', 'n2', 'n3']);
      const admin = cluster.client('n1');
      for (const key of ['a', 'user1', 'user9999', 'ключ', 'a/b c']) {
        const answer = await admin.json('GET', `/v1/admin/preference/bucket/${encodeURIComponent(key)}`);
        expect(client.locate('bucket', key)).toEqual({ partition: answer.body.partition, preference: answer.body.preference });
      }
      const written = await client.put('bucket', 'routed', 'value');
      expect(written.status).toBe(204);
      const read = await client.get('bucket', 'routed');
      expect(read.status).toBe(200);
    } finally {
      await client.close();
    }
  });
});

describe('dynamo bench against raw classic-level', () => {
  it('runs workload B with no errors', async () => {
    const target = await LevelTarget.open(makeKeySpace({ bucket: 'smoke', records, valueBytes: 900, seed: 3 }));
    try {
      const { result } = await smoke(target, 'b');
      expectClean(result);
      expect(result.mode).toBe('closed');
      expect(result.scheduled).toBeNull();
      expect(result.serviceLatency).toBeNull();
    } finally {
      await target.close();
    }
  });
});

describe.skipIf(etcdVersion() === undefined)('dynamo bench against a 3-member etcd cluster', () => {
  it('starts etcd on free ports, runs workload A with no errors, and stops it', async () => {
    const etcd = await startEtcdCluster({ members: 3 });
    const target = new EtcdTarget(etcd, makeKeySpace({ bucket: 'smoke', records, valueBytes: 900, seed: 4 }), {
      connections: 16,
      onClose: () => etcd.stop(),
    });
    try {
      const { result } = await smoke(target, 'a');
      expectClean(result);
      expect(result.cpu.processes.map((p) => p.role)).toEqual(['etcd e1', 'etcd e2', 'etcd e3', 'bench']);
    } finally {
      await target.close();
    }
  });
});
