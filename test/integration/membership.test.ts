// Proves membership on real processes: a fifth node started with --seeds and joined takes only
// its share of the ring (the others' partitions stay put), every node adopts the new ring,
// transfers finish, and every key is on all of its preference-list nodes and readable; a node
// that leaves hands everything off and no key is lost; and a killed node is marked down by the
// others and up again when it returns.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeConfig } from '../../core/node/config.js';
import { freePorts, startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

const ringSize = 32;
const keys = Array.from({ length: 150 }, (_, i) => `key-${i}`);
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 4, ringSize, requestTimeoutMs: 1000 });
  const n1 = cluster.client('n1');
  for (const key of keys) expect((await n1.put('b', key, `v-${key}`, { w: 3 })).status).toBe(204);
});
afterAll(async () => {
  await cluster?.stop();
});

async function ringOf(id: string): Promise<{ version: number; partitions: Array<{ index: number; owner: string; preference: string[] }> }> {
  return (await cluster.client(id).json('GET', '/v1/ring')).body;
}

async function live(): Promise<string[]> {
  return cluster.supervisor.snapshot().filter((node) => node.state === 'up').map((node) => node.id);
}

/** Waits until every live node has the same ring, with no transfer pending anywhere. */
async function settled(members: string[]): Promise<void> {
  await waitUntil(`every node agrees on a ring of ${members.join(',')} with no transfer pending`, async () => {
    const rings = await Promise.all((await live()).map((id) => ringOf(id)));
    const statuses = await Promise.all((await live()).map((id) => cluster.client(id).json('GET', '/v1/status')));
    const owners = new Set(rings[0].partitions.map((p) => p.owner));
    return (
      rings.every((ring) => JSON.stringify(ring.partitions) === JSON.stringify(rings[0].partitions)) &&
      statuses.every((s) => s.body.transfersPending === 0) &&
      members.every((id) => owners.has(id)) &&
      [...owners].every((id) => members.includes(id))
    );
  }, 60_000);
}

async function everyKeyInPlace(via: string): Promise<void> {
  const ring = await ringOf(via);
  for (const key of keys) {
    const where = (await cluster.client(via).json('GET', `/v1/admin/preference/b/${key}`)).body;
    expect(where.preference).toEqual(ring.partitions[where.partition].preference);
    for (const node of where.preference) {
      const local = await cluster.client(node).json('GET', `/v1/admin/local/b/${key}`);
      expect(local.status, `${key} on ${node}`).toBe(200);
      expect(Buffer.from(local.body.siblings[0].value, 'base64').toString()).toBe(`v-${key}`);
    }
    const read = await cluster.client(via).get('b', key);
    expect(read.status, key).toBe(200);
  }
}

describe('membership on real processes', () => {
  it('joins a fifth node: it takes only its share, and every key ends up on its preference list', async () => {
    const before = await ringOf('n1');
    const [httpPort, peerPort] = await freePorts(2);
    const config: NodeConfig = {
      id: 'n5',
      dir: path.join(cluster.dir, 'n5'),
      host: '127.0.0.1',
      httpPort,
      peerPort,
      seeds: [cluster.peers.get('n1')!],
      ringSize,
      n: 3,
      r: 2,
      w: 2,
      hintedHandoff: true,
      allowFaultInjection: true,
      clusterSecret: 'test-secret',
      weight: 1,
      requestTimeoutMs: 1000,
      antiEntropyIntervalMs: 3_600_000,
    };
    cluster.supervisor.add(config);
    await cluster.supervisor.start('n5');
    cluster.endpoints.set('n5', `http://127.0.0.1:${httpPort}`);
    cluster.peers.set('n5', `127.0.0.1:${peerPort}`);
    cluster.ids.push('n5');
    // Before the join it is no member and owns nothing.
    expect(before.partitions.some((p) => p.owner === 'n5')).toBe(false);
    const alone = await cluster.client('n5').json('GET', '/v1/status');
    expect(alone.status).toBe(200);
    expect(alone.body.ringSize).toBe(ringSize);
    expect(alone.body.members.map((m: { id: string }) => m.id)).not.toContain('n5');
    const join = await cluster.client('n5').json('POST', '/v1/admin/join', { seed: cluster.peers.get('n1') });
    expect(join.status).toBe(202);

    await settled(['n1', 'n2', 'n3', 'n4', 'n5']);
    const after = await ringOf('n1');
    expect(after.version).toBeGreaterThan(before.version);
    const owned = after.partitions.filter((p) => p.owner === 'n5').length;
    expect([Math.floor(ringSize / 5), Math.ceil(ringSize / 5)]).toContain(owned);
    const moved = after.partitions.filter((p, i) => p.owner !== before.partitions[i].owner);
    expect(moved.length).toBeLessThanOrEqual(Math.ceil(ringSize / 5));
    expect(moved.every((p) => p.owner === 'n5')).toBe(true);
    await everyKeyInPlace('n5');
  });

  it('a node that leaves hands everything off and no key is lost', async () => {
    expect((await cluster.client('n2').json('POST', '/v1/admin/leave', {})).status).toBe(202);
    await settled(['n1', 'n3', 'n4', 'n5']);
    const status = await cluster.client('n1').json('GET', '/v1/status');
    expect(status.body.members.map((m: { id: string }) => m.id)).not.toContain('n2');
    await everyKeyInPlace('n3');
  });

  it('marks a killed node down, and up again when it returns', async () => {
    await cluster.supervisor.kill('n4');
    const stateOfN4 = async () =>
      (await cluster.client('n1').json('GET', '/v1/status')).body.members.find((m: { id: string }) => m.id === 'n4')?.state;
    await waitUntil('n1 marks n4 down', async () => (await stateOfN4()) === 'down', 30_000);
    await cluster.supervisor.restart('n4');
    await waitUntil('n1 marks n4 up again', async () => (await stateOfN4()) === 'up', 30_000);
    // It resumed with its membership and data.
    expect((await cluster.client('n4').json('GET', '/v1/status')).body.members.length).toBe(4);
  });
});
