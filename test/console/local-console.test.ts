// Proves the local console (core/console/local-console.ts) against a real 5-node cluster it runs
// itself (one OS process per node, TCP between them, LevelDB under each): the view shows five
// members up with their processes; a killed node's process is stopped and the member down at once,
// and a restart brings both back; an isolated node shows whom it is cut off from while writes
// through n1 still succeed, until it is healed; and a join plan lists the partitions a sixth node
// will take, which is exactly what the ring shows once the committed join's transfers are done.
// A cancelled plan leaves no process or directory behind; with every node down the view still
// lists them, so they can be restarted. Each step is also seen on the event stream. One cluster
// serves the steps in order, to keep the run short.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterView, ConsoleEvent, JoinPlan, MemberView } from '../../core/admin/admin-api.js';
import { DynamoClient } from '../../core/api/client.js';
import { createLocalConsole } from '../../core/console/local-console.js';
import type { ConsoleService } from '../../core/console/console-service.js';
import { isAlive } from '../host/host-helpers.js';
import { waitUntil } from '../support/wait.js';
import { freePorts } from '../support/cluster.js';

const ringSize = 32;
const nodes = 5;

let api: ConsoleService;
let dir: string;
let httpPorts: number[];
const events: ConsoleEvent[] = [];
const clients = new Map<string, DynamoClient>();
const pids = new Set<number>();

function client(id: string): DynamoClient {
  let made = clients.get(id);
  if (made === undefined) {
    made = new DynamoClient(`http://127.0.0.1:${httpPorts[Number(id.slice(1)) - 1]}`, { timeoutMs: 15_000 });
    clients.set(id, made);
  }
  return made;
}

function member(view: ClusterView, id: string): MemberView {
  const found = view.members.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`${id} is not in the view`);
  if (found.process?.pid !== undefined) pids.add(found.process.pid);
  return found;
}

/**
 * Waits until every member's own view (its /v1/status) has every member up. A node that was
 * isolated or restarted learns the others are back on its own schedule; one that still holds
 * them down would coordinate a write with too few replicas.
 */
async function everyNodeSeesAllUp(): Promise<void> {
  const ids = (await api.clusterView()).members.map((m) => m.id);
  await waitUntil('every node sees every member up', async () => {
    for (const id of ids) {
      const status = (await client(id).json('GET', '/v1/status')).body as { members: { id: string; state: string }[] };
      if (!ids.every((other) => status.members.some((m) => m.id === other && m.state === 'up'))) return false;
    }
    return true;
  });
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-console-'));
  const ports = await freePorts((nodes + 2) * 2);
  httpPorts = ports.slice(0, nodes + 2);
  api = await createLocalConsole({
    dir,
    nodes,
    httpPorts,
    peerPorts: ports.slice(nodes + 2),
    ringSize,
    clusterSecret: 'test-secret',
    requestTimeoutMs: 1000,
    antiEntropyIntervalMs: 3_600_000,
  });
  api.subscribe((event) => events.push(event));
});

afterAll(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
  await api?.close();
  // Every process the console started is gone once it is closed.
  for (const pid of pids) expect(isAlive(pid), `process ${pid}`).toBe(false);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('the local console over a real 5-node cluster', () => {
  it('shows five members up, each with its process, and the ring', async () => {
    const view = await api.clusterView();
    expect(view.mode).toBe('local');
    expect(view.members.map((m) => m.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    for (const m of view.members) {
      expect(m.state).toBe('up');
      expect(m.process?.state).toBe('up');
      expect(m.process?.pid).toBeGreaterThan(0);
      expect(m.isolatedFrom).toEqual([]);
      member(view, m.id);
    }
    expect(view.ring?.partitions).toHaveLength(ringSize);
    expect(view.members.reduce((sum, m) => sum + m.partitionsOwned, 0)).toBe(ringSize);
    expect(view.capabilities).toEqual({ processActions: true, processActionsReason: undefined, faults: true });
    // Every node's event stream is followed.
    await waitUntil('every node stream connects', () =>
      view.members.every((m) => events.some((e) => e.type === 'connection' && e.node === m.id && e.connected)),
    );
  });

  it('kills n3: its process stops and the member is down at once; a restart brings both back', async () => {
    const before = member(await api.clusterView(), 'n3');
    await api.killNode('n3');
    const killed = member(await api.clusterView(), 'n3');
    expect(killed.process?.state).toBe('stopped');
    expect(killed.process?.lastExit?.reason).toBe('killed');
    expect(killed.state).toBe('down');
    await waitUntil('the stream reports the kill and the lost connection', () =>
      events.some((e) => e.type === 'process' && e.node === 'n3' && e.state === 'stopped' && e.reason === 'killed') &&
      events.some((e) => e.type === 'connection' && e.node === 'n3' && !e.connected),
    );

    // A key n3 replicates: its page says n3's copy cannot be read, and why, without asking n3.
    let key = '';
    for (let i = 0; key === '' && i < 100; i++) {
      const where = (await client('n1').json('GET', `/v1/admin/preference/killed/k${i}`)).body as { preference: string[] };
      if (where.preference.includes('n3')) key = `k${i}`;
    }
    await api.writeKey({ bucket: 'killed', key, value: Buffer.from('while n3 is down').toString('base64'), contentType: 'text/plain' });
    const detail = await api.keyDetail('killed', key);
    expect(detail.read.found).toBe(true);
    expect(detail.replicas.find((copy) => copy.node === 'n3')).toMatchObject({ error: 'n3 is not running (its process is stopped)', versions: [], differs: false });

    const reconnects = events.filter((e) => e.type === 'connection' && e.node === 'n3' && e.connected).length;
    await api.restartNode('n3');
    const restarted = member(await api.clusterView(), 'n3');
    expect(restarted.process?.state).toBe('up');
    expect(restarted.process?.pid).not.toBe(before.process?.pid);
    expect(restarted.process?.restarts).toBe(1);
    await waitUntil('n1 sees n3 up again', async () => member(await api.clusterView(), 'n3').state === 'up');
    await waitUntil('the stream of n3 reconnects', () =>
      events.filter((e) => e.type === 'connection' && e.node === 'n3' && e.connected).length > reconnects,
    );
    await everyNodeSeesAllUp();
  });

  it('isolates n2 from the others: the view shows it, writes through n1 still succeed, heal restores it', async () => {
    await api.isolateNode('n2');
    expect(member(await api.clusterView(), 'n2').isolatedFrom).toEqual(['n1', 'n3', 'n4', 'n5']);
    const n1 = client('n1');
    for (let i = 0; i < 4; i++) expect((await n1.put('isolation', `k${i}`, `v${i}`)).status).toBe(204);
    expect((await n1.get('isolation', 'k0')).status).toBe(200);
    expect((await rejection(api.isolateNode('n2', ['n9']))).code).toBe('bad_request');

    await api.healNode('n2');
    expect(member(await api.clusterView(), 'n2').isolatedFrom).toEqual([]);
    await waitUntil('the stream carries the fault and the heal', () => {
      const faults = events.filter((e) => e.type === 'faults' && e.node === 'n2');
      return faults.length >= 2 && faults.at(-1)?.type === 'faults' && (faults.at(-1) as { isolated: string[] }).isolated.length === 0;
    });
    await waitUntil('n1 sees n2 up again', async () => member(await api.clusterView(), 'n2').state === 'up');
    await everyNodeSeesAllUp();
  });

  it('plans a join of n6, commits it, and n6 ends up owning exactly what the plan said', async () => {
    const n1 = client('n1');
    for (let i = 0; i < 64; i++) {
      const put = await n1.put('join', `key-${i}`, `v${i}`, { w: 3 });
      expect(put.status, JSON.stringify(put)).toBe(204);
    }
    const before = await api.clusterView();
    const owners = before.ring!.partitions.map((p) => p.owner);

    const plan: JoinPlan = await api.planJoin();
    expect(plan.node).toBe('n6');
    expect(plan.moves.length).toBeGreaterThanOrEqual(Math.floor(ringSize / 6));
    expect(plan.moves.length).toBeLessThanOrEqual(Math.ceil(ringSize / 6));
    for (const move of plan.moves) {
      expect(move.to).toBe('n6');
      expect(move.from).toBe(owners[move.partition]);
    }
    expect(plan.ownershipAfter.n6).toBe(plan.moves.length);
    expect(Object.values(plan.ownershipAfter).reduce((a, b) => a + b, 0)).toBe(ringSize);
    expect(plan.moves.reduce((sum, move) => sum + move.keysEstimate, 0)).toBeGreaterThan(0);

    // Planned, not joined: n6 runs but is no member, and nothing moves.
    const planned = await api.clusterView();
    expect(planned.plannedJoin?.planId).toBe(plan.planId);
    expect(planned.members.map((m) => m.id)).not.toContain('n6');
    expect((await rejection(api.planJoin())).code).toBe('conflict');

    await api.commitJoin(plan.planId);
    const moved = new Map(plan.moves.map((move) => [move.partition, move.to]));
    await waitUntil(
      'the transfers are done and n6 owns its share',
      async () => {
        const view = await api.clusterView();
        const n6 = view.members.find((m) => m.id === 'n6');
        if (n6 !== undefined && n6.process?.pid !== undefined) pids.add(n6.process.pid);
        return view.transfers.pending === 0 && n6?.state === 'up' && n6.partitionsOwned === plan.moves.length;
      },
      60_000,
    );
    const after = await api.clusterView();
    // The ring moved exactly the plan's partitions to n6, and nothing else.
    expect(after.ring!.partitions.map((p) => p.owner)).toEqual(owners.map((owner, p) => moved.get(p) ?? owner));
    expect(member(after, 'n6').partitionsOwned).toBe(plan.ownershipAfter.n6);
    for (let i = 0; i < 64; i += 8) expect((await client('n6').get('join', `key-${i}`)).status).toBe(200);
    await waitUntil('the stream carried the plan, the commit and the transfers to n6', () =>
      events.some((e) => e.type === 'join-plan' && e.planId === plan.planId && e.state === 'planned') &&
      events.some((e) => e.type === 'join-plan' && e.planId === plan.planId && e.state === 'committed') &&
      events.some((e) => e.type === 'transfer' && e.to === 'n6' && e.state === 'done'),
    );
  });

  it('cancels a plan: the planned node is stopped and removed, and its plan is gone', async () => {
    const plan = await api.planJoin();
    expect(plan.node).toBe('n7');
    const nodeDir = path.join(dir, 'n7');
    expect(existsSync(nodeDir)).toBe(true);
    await api.cancelJoin(plan.planId);
    expect(existsSync(nodeDir)).toBe(false);
    const view = await api.clusterView();
    expect(view.plannedJoin).toBeUndefined();
    expect(view.members.map((m) => m.id)).not.toContain('n7');
    expect((await rejection(api.commitJoin(plan.planId))).code).toBe('not_found');
    const started = events.find((e) => e.type === 'process' && e.node === 'n7' && e.state === 'up');
    expect(started?.type === 'process' && started.pid !== undefined && !isAlive(started.pid)).toBe(true);
    await waitUntil('the stream carried the cancel', () =>
      events.some((e) => e.type === 'join-plan' && e.planId === plan.planId && e.state === 'cancelled'),
    );
  });

  it('still lists every node, down, when none answers, and restarts bring the cluster back', async () => {
    const ids = (await api.clusterView()).members.map((m) => m.id);
    await Promise.all(ids.map((id) => api.killNode(id)));
    const dark = await api.clusterView();
    expect(dark.ring).toBeUndefined();
    expect(dark.members.map((m) => [m.id, m.state, m.process?.state])).toEqual(ids.map((id) => [id, 'down', 'stopped']));
    await Promise.all(ids.map((id) => api.restartNode(id)));
    await waitUntil('every member is up again', async () => {
      const view = await api.clusterView();
      view.members.forEach((m) => member(view, m.id));
      return view.ring !== undefined && view.members.length === ids.length && view.members.every((m) => m.state === 'up');
    });
  });
});
