// Proves membership on real processes: a fifth node started with --seeds and joined takes only
// its share of the ring (the others' partitions stay put), every node adopts the new ring,
// transfers finish, and every key is on all of its preference-list nodes and readable; a node
// that leaves hands everything off and no key is lost; and a killed node is marked down by the
// others and up again when it returns. Each test starts its own cluster (and loads its own
// keys), so each stands alone and they may run in any order.

import { afterEach, describe, expect, it } from 'vitest';
import { startExtraNode, startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

const ringSize = 32;
const keys = Array.from({ length: 150 }, (_, i) => `key-${i}`);

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** A cluster of `nodes` with every key written to all three replicas (W = 3). */
async function clusterWithKeys(nodes: number): Promise<TestCluster> {
  const c = (cluster = await startTestCluster({ nodes, ringSize, requestTimeoutMs: 1000 }));
  const n1 = c.client('n1');
  for (const key of keys) expect((await n1.put('b', key, `v-${key}`, { w: 3 })).status).toBe(204);
  return c;
}

type RingJson = { version: number; partitions: Array<{ index: number; owner: string; preference: string[] }> };

async function ringOf(c: TestCluster, id: string): Promise<RingJson> {
  return (await c.client(id).json('GET', '/v1/ring')).body;
}

function live(c: TestCluster): string[] {
  return c.supervisor.snapshot().filter((node) => node.state === 'up').map((node) => node.id);
}

/** Waits until every live node has the same ring, owned by exactly `members`, with no transfer pending anywhere. */
async function settled(c: TestCluster, members: string[]): Promise<void> {
  await waitUntil(`every node agrees on a ring of ${members.join(',')} with no transfer pending`, async () => {
    const rings = await Promise.all(live(c).map((id) => ringOf(c, id)));
    const statuses = await Promise.all(live(c).map((id) => c.client(id).json('GET', '/v1/status')));
    const owners = new Set(rings[0].partitions.map((p) => p.owner));
    return (
      rings.every((ring) => JSON.stringify(ring.partitions) === JSON.stringify(rings[0].partitions)) &&
      statuses.every((s) => s.body.transfersPending === 0) &&
      members.every((id) => owners.has(id)) &&
      [...owners].every((id) => members.includes(id))
    );
  }, 60_000);
}

/** Every key is stored on each node of its preference list (as `via` computes it) and readable through `via`. */
async function everyKeyInPlace(c: TestCluster, via: string): Promise<void> {
  const ring = await ringOf(c, via);
  for (const key of keys) {
    const where = (await c.client(via).json('GET', `/v1/admin/preference/b/${key}`)).body;
    expect(where.preference).toEqual(ring.partitions[where.partition].preference);
    for (const node of where.preference) {
      const local = await c.client(node).json('GET', `/v1/admin/local/b/${key}`);
      expect(local.status, `${key} on ${node}`).toBe(200);
      expect(Buffer.from(local.body.siblings[0].value, 'base64').toString()).toBe(`v-${key}`);
    }
    const read = await c.client(via).get('b', key);
    expect(read.status, key).toBe(200);
  }
}

/** The first key `key-<i>` whose preference list holds `node`. */
async function keyReplicatedBy(c: TestCluster, node: string): Promise<string> {
  for (const key of keys) {
    const where = (await c.client('n1').json('GET', `/v1/admin/preference/b/${key}`)).body;
    if (where.preference.includes(node)) return key;
  }
  throw new Error(`no key of ${keys.length} is replicated by ${node}`);
}

describe('membership on real processes', () => {
  it('joins a fifth node: it takes only its share, and every key ends up on its preference list', async () => {
    const c = await clusterWithKeys(4);
    const before = await ringOf(c, 'n1');
    await startExtraNode(c, 'n5', { ringSize, requestTimeoutMs: 1000 });
    // Before the join it is no member and owns nothing.
    expect(before.partitions.some((p) => p.owner === 'n5')).toBe(false);
    const alone = await c.client('n5').json('GET', '/v1/status');
    expect(alone.status).toBe(200);
    expect(alone.body.ringSize).toBe(ringSize);
    expect(alone.body.members.map((m: { id: string }) => m.id)).not.toContain('n5');
    const join = await c.client('n5').json('POST', '/v1/admin/join', { seed: c.peers.get('n1') });
    expect(join.status).toBe(202);

    await settled(c, ['n1', 'n2', 'n3', 'n4', 'n5']);
    const after = await ringOf(c, 'n1');
    expect(after.version).toBeGreaterThan(before.version);
    const owned = after.partitions.filter((p) => p.owner === 'n5').length;
    expect([Math.floor(ringSize / 5), Math.ceil(ringSize / 5)]).toContain(owned);
    const moved = after.partitions.filter((p, i) => p.owner !== before.partitions[i].owner);
    expect(moved.length).toBeLessThanOrEqual(Math.ceil(ringSize / 5));
    expect(moved.every((p) => p.owner === 'n5')).toBe(true);
    await everyKeyInPlace(c, 'n5');
  });

  it('a node that leaves hands everything off and no key is lost', async () => {
    // Five members, so that after the leave four remain and a key's three replicas are a real
    // choice among them (with three members every node would hold every key).
    const c = await clusterWithKeys(5);
    await settled(c, ['n1', 'n2', 'n3', 'n4', 'n5']);
    const before = await ringOf(c, 'n1');
    expect(before.partitions.some((p) => p.owner === 'n2')).toBe(true);
    expect((await c.client('n2').json('POST', '/v1/admin/leave', {})).status).toBe(202);
    await settled(c, ['n1', 'n3', 'n4', 'n5']);
    const status = await c.client('n1').json('GET', '/v1/status');
    expect(status.body.members.map((m: { id: string }) => m.id)).not.toContain('n2');
    await everyKeyInPlace(c, 'n3');
  });

  it('marks a killed node down, and up again when it returns with its membership and data', async () => {
    const c = (cluster = await startTestCluster({ nodes: 4, ringSize, requestTimeoutMs: 1000 }));
    // A key n4 replicates, written to all three replicas before the kill.
    const onN4 = await keyReplicatedBy(c, 'n4');
    expect((await c.client('n1').put('b', onN4, 'kept', { w: 3 })).status).toBe(204);
    const stateOfN4 = async () =>
      (await c.client('n1').json('GET', '/v1/status')).body.members.find((m: { id: string }) => m.id === 'n4')?.state;
    await waitUntil('n1 sees n4 up', async () => (await stateOfN4()) === 'up', 30_000);
    await c.supervisor.kill('n4');
    await waitUntil('n1 marks n4 down', async () => (await stateOfN4()) === 'down', 30_000);
    await c.supervisor.restart('n4');
    await waitUntil('n1 marks n4 up again', async () => (await stateOfN4()) === 'up', 30_000);
    // It resumed with its membership and its data.
    expect((await c.client('n4').json('GET', '/v1/status')).body.members.length).toBe(4);
    const local = await c.client('n4').json('GET', `/v1/admin/local/b/${onN4}`);
    expect(local.status).toBe(200);
    expect(Buffer.from(local.body.siblings[0].value, 'base64').toString()).toBe('kept');
  });
});
