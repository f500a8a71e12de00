// Proves the console's anti-entropy and handoff (operations-reader.ts, handoff-reader.ts) against a
// real 5-node cluster the console runs itself (one OS process per node, TCP between them,
// LevelDB under each), with background anti-entropy slowed to once an hour so that only the runs
// the test starts repair anything. Keys written through a node while it is cut off from every
// peer exist on that node alone (no fallback is reachable, so no hint is kept either); once it is
// healed, a run on that node lists exactly those keys, once per other replica, with the peer
// behind and its versions before (none) and after (the node's write), and the replicas agree
// afterwards. A run limited to one partition goes to the node named, or to the partition's first
// replica that is up, and repairs only that partition. Targets that name no member, a partition
// off the ring or a node that does not replicate it are refused with a sentence. The run history
// merges every member's runs, newest first. A killed node is not asked to run (the others report
// how far they got before they needed it), its hints pile up on the fallbacks and are delivered,
// counted down to zero, once it is back.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AntiEntropyRunView, ClusterView, ConsoleEvent } from '../../core/admin/admin-api.js';
import { DynamoClient } from '../../core/api/client.js';
import type { ConsoleService } from '../../core/console/console-service.js';
import { createLocalConsole } from '../../core/console/local-console.js';
import { freePorts } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

const ringSize = 16;
const nodes = 5;
const n = 3;
const bucket = 'ae';

let api: ConsoleService;
let dir: string;
let httpPorts: number[];
const clients = new Map<string, DynamoClient>();
const events: ConsoleEvent[] = [];

function client(id: string): DynamoClient {
  let made = clients.get(id);
  if (made === undefined) {
    made = new DynamoClient(`http://127.0.0.1:${httpPorts[Number(id.slice(1)) - 1]}`, { timeoutMs: 15_000 });
    clients.set(id, made);
  }
  return made;
}

async function preference(key: string): Promise<{ partition: number; preference: string[] }> {
  return (await client('n1').json('GET', `/v1/admin/preference/${bucket}/${encodeURIComponent(key)}`)).body;
}

/** `count` keys named `${prefix}-i` whose preference list holds every one of `nodes`, with their placement. */
async function keysOn(prefix: string, count: number, on: string[]): Promise<Array<{ key: string; partition: number; preference: string[] }>> {
  const found = [];
  for (let i = 0; found.length < count && i < 1000; i++) {
    const placement = await preference(`${prefix}-${i}`);
    if (on.every((id) => placement.preference.includes(id))) found.push({ key: `${prefix}-${i}`, ...placement });
  }
  expect(found).toHaveLength(count);
  return found;
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

async function allUp(): Promise<ClusterView> {
  let view: ClusterView | undefined;
  await waitUntil('every member is up as n1 sees it', async () => {
    view = await api.clusterView();
    return view.members.every((member) => member.state === 'up' && member.isolatedFrom.length === 0);
  }, 30_000);
  return view!;
}

/** Writes through `through` alone while it is cut off from every peer: only it keeps the write. */
async function writeWhileIsolated(through: string, keys: string[]): Promise<void> {
  await api.isolateNode(through);
  try {
    for (const key of keys) expect((await client(through).put(bucket, key, `only on ${through}: ${key}`, { w: 1, contentType: 'text/plain' })).status).toBe(204);
  } finally {
    await api.healNode(through);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-ops-'));
  const ports = await freePorts(nodes * 2);
  httpPorts = ports.slice(0, nodes);
  api = await createLocalConsole({
    dir,
    nodes,
    httpPorts,
    peerPorts: ports.slice(nodes),
    ringSize,
    n,
    clusterSecret: 'test-secret',
    requestTimeoutMs: 1000,
    // Only the runs the test starts compare anything.
    antiEntropyIntervalMs: 3_600_000,
  });
  api.subscribe((event) => events.push(event));
  await allUp();
});

afterAll(async () => {
  await Promise.all([...clients.values()].map((c) => c.close()));
  await api?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('anti-entropy and handoff through the console, over a real 5-node cluster', () => {
  it('runs on every member in turn: each compares its partitions with every other replica, and nothing differs', async () => {
    const runs = await api.runAntiEntropy({});
    expect(runs.map((run) => run.node).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    for (const run of runs) {
      expect(run.error).toBeUndefined();
      expect(run.trigger).toBe('manual');
      expect(run.keysRepaired).toBe(0);
      expect(run.repairedKeys).toEqual([]);
      expect(run.finishedAt).toBeGreaterThanOrEqual(run.startedAt);
    }
    // One after the other, in the order asked.
    for (let i = 1; i < runs.length; i++) expect(runs[i].startedAt).toBeGreaterThanOrEqual(runs[i - 1].finishedAt);
    // Every partition, on each of its n replicas, with each of the n - 1 others.
    expect(runs.reduce((sum, run) => sum + run.partitionsCompared, 0)).toBe(ringSize * n * (n - 1));
    expect(runs.reduce((sum, run) => sum + run.exchanges.length, 0)).toBe(ringSize * n * (n - 1));
    // The nodes told the progress of each exchange as it ended.
    await waitUntil('the progress of every exchange was on the event stream', () =>
      runs.every((run) => events.filter((e) => e.type === 'anti-entropy-progress' && e.runId === run.runId).length === run.partitionsCompared),
    );
  });

  it('lists exactly the keys written while a node was cut off, each with the peer that was behind and its versions before and after', async () => {
    const written = await keysOn('cut', 4, ['n4']);
    await writeWhileIsolated('n4', written.map((entry) => entry.key));
    // No fallback could be reached from n4, so no hint holds a copy: only anti-entropy can repair them.
    expect((await api.handoff()).hints.filter((backlog) => backlog.pending > 0)).toEqual([]);

    const runs = await api.runAntiEntropy({ node: 'n4' });
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatchObject({ node: 'n4', trigger: 'manual', repairedKeysOmitted: 0 });
    expect(run.error).toBeUndefined();
    // n4 exchanged each of its partitions with the two other replicas; each key was behind on both.
    const expected = written.flatMap(({ key, partition, preference: replicas }) =>
      replicas.filter((id) => id !== 'n4').map((peer) => `${key} ${partition} ${peer} peer`),
    );
    const listed = run.repairedKeys.map((repaired) => `${repaired.key} ${repaired.partition} ${repaired.peer} ${repaired.behind}`);
    expect(listed.sort()).toEqual(expected.sort());
    expect(run.keysRepaired).toBe(expected.length);
    expect(run.exchanges.reduce((sum, exchange) => sum + exchange.keysRepaired, 0)).toBe(expected.length);
    for (const repaired of run.repairedKeys) {
      expect(repaired.bucket).toBe(bucket);
      expect(repaired.versions.local).toBeUndefined();
      expect(repaired.versions.peer?.before).toEqual([]);
      const after = repaired.versions.peer?.after ?? [];
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({ dot: { node: 'n4' }, deleted: false, size: Buffer.byteLength(`only on n4: ${repaired.key}`) });
      expect(after[0].clock.n4).toBe(after[0].dot.counter);
    }
    // The repairs are in place when the run answers: every replica holds the write.
    for (const { key } of written) {
      const detail = await api.keyDetail(bucket, key);
      expect(detail.replicas.map((copy) => copy.differs)).toEqual([false, false, false]);
      expect(detail.replicas.every((copy) => copy.versions.length === 1)).toBe(true);
    }
    // And a second run finds nothing more to repair.
    const again = await api.runAntiEntropy({ node: 'n4' });
    expect(again[0].keysRepaired).toBe(0);
    expect(again[0].segmentsDiffering).toBe(0);
  });

  it('runs one partition on the node named with one peer, or on its first replica that is up', async () => {
    const [entry] = await keysOn('partition', 1, ['n4']);
    const { key, partition, preference: replicas } = entry;
    await writeWhileIsolated('n4', [key]);
    await allUp();

    // On another replica, with n4 only: that replica was behind, and pulled the key.
    const other = replicas.find((id) => id !== 'n4')!;
    const [pulled] = await api.runAntiEntropy({ partition, node: other, peer: 'n4' });
    expect(pulled).toMatchObject({ node: other, partition, peer: 'n4', partitionsCompared: 1, keysRepaired: 1 });
    expect(pulled.exchanges).toEqual([{ partition, peer: 'n4', segmentsDiffering: pulled.segmentsDiffering, keysRepaired: 1, bytesSent: pulled.bytesSent }]);
    expect(pulled.repairedKeys).toHaveLength(1);
    const [repaired] = pulled.repairedKeys;
    expect(repaired).toMatchObject({ bucket, key, partition, peer: 'n4', behind: 'local' });
    expect(repaired.versions.peer).toBeUndefined();
    expect(repaired.versions.local?.before).toEqual([]);
    expect(repaired.versions.local?.after.map((version) => version.dot.node)).toEqual(['n4']);

    // No node named: the partition's first replica runs it with both others; the third replica is still behind.
    const [first] = await api.runAntiEntropy({ partition });
    expect(first.node).toBe(replicas[0]);
    expect(first).toMatchObject({ partition, partitionsCompared: 2, keysRepaired: 1 });
    expect(first.exchanges.map((exchange) => exchange.peer).sort()).toEqual(replicas.filter((id) => id !== replicas[0]).sort());
    expect(first.repairedKeys.map((entry) => entry.key)).toEqual([key]);
    expect(new Set(first.exchanges.map((exchange) => exchange.partition))).toEqual(new Set([partition]));
  });

  it('refuses a target that names no member, a partition off the ring, or a node that does not replicate it', async () => {
    expect(await rejection(api.runAntiEntropy({ node: 'n9' }))).toMatchObject({ code: 'not_found', message: 'n9 is not a member of the cluster' });
    expect(await rejection(api.runAntiEntropy({ node: 'n1', peer: 'n9' }))).toMatchObject({ code: 'not_found', message: 'n9 is not a member of the cluster' });
    expect(await rejection(api.runAntiEntropy({ partition: ringSize }))).toMatchObject({
      code: 'bad_request',
      message: `partition ${ringSize} is not on the ring: it has ${ringSize} partitions, 0 to ${ringSize - 1}`,
    });
    expect(await rejection(api.runAntiEntropy({ node: 'n2', peer: 'n2' }))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^n2 cannot run anti-entropy with itself/) });

    const view = await api.clusterView();
    const partition = view.ring!.partitions[3];
    const outsider = view.members.map((member) => member.id).find((id) => !partition.preference.includes(id))!;
    const replicas = `${partition.preference.slice(0, -1).join(', ')} and ${partition.preference.at(-1)}`;
    expect(await rejection(api.runAntiEntropy({ node: outsider, partition: partition.index }))).toMatchObject({
      code: 'bad_request',
      message: `${outsider} does not replicate partition ${partition.index}; its replicas are ${replicas}`,
    });
    expect(await rejection(api.runAntiEntropy({ node: partition.preference[0], partition: partition.index, peer: outsider }))).toMatchObject({
      code: 'bad_request',
      message: `${outsider} does not replicate partition ${partition.index}; its replicas are ${replicas}`,
    });
  });

  it('merges every member’s runs into one history, newest first', async () => {
    const history = await api.antiEntropyRuns();
    expect(history.unreachable).toEqual([]);
    const starts = history.runs.map((run) => run.startedAt);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    // The five runs of the whole-cluster run, the two on n4 and the two partition runs, each with its node.
    const manual = history.runs.filter((run) => run.trigger === 'manual');
    expect(manual.length).toBeGreaterThanOrEqual(9);
    expect(new Set(manual.map((run) => run.node))).toEqual(new Set(['n1', 'n2', 'n3', 'n4', 'n5']));
    const repairs = manual.find((run) => run.node === 'n4' && run.keysRepaired === 8);
    expect(repairs?.repairedKeys).toHaveLength(8);
  });

  it('does not ask a killed node to run; its hints pile up on the fallbacks and are delivered once it is back', async () => {
    await api.killNode('n5');
    const runs = await api.runAntiEntropy({});
    expect(runs.map((run) => run.node).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    const [killedRun] = runs.filter((run: AntiEntropyRunView) => run.node === 'n5');
    expect(killedRun).toMatchObject({ partitionsCompared: 0, error: 'n5 is not running (its process is stopped), so it was not asked to run' });
    // Every other member shares partitions with n5: its run gave up on n5 at the first exchange
    // that needed it, named it, and compared everything else with the other replicas.
    for (const run of runs.filter((candidate) => candidate.node !== 'n5')) {
      expect(run.error).toBeUndefined();
      expect(run.peersFailed?.map((failure) => failure.peer)).toEqual(['n5']);
      expect(run.partitionsCompared).toBeGreaterThan(0);
      expect(run.exchanges.every((exchange) => exchange.peer !== 'n5')).toBe(true);
    }
    expect(await rejection(api.runAntiEntropy({ node: 'n5' }))).toMatchObject({ code: 'unavailable', message: 'n5 is not running (its process is stopped)' });
    const history = await api.antiEntropyRuns();
    expect(history.unreachable).toEqual([{ node: 'n5', message: 'n5 is not running (its process is stopped)' }]);

    const hinted = await keysOn('hinted', 5, ['n5']);
    for (const { key } of hinted) expect((await client('n1').put(bucket, key, `for n5: ${key}`, { contentType: 'text/plain' })).status).toBe(204);
    const forN5 = async () => (await api.handoff()).hints.filter((backlog) => backlog.target === 'n5');
    await waitUntil('the hints for n5 have waited a while', async () => (await forN5()).some((backlog) => backlog.oldestAgeMs > 0));
    const held = await api.handoff();
    expect(held.unreachable).toEqual([{ node: 'n5', message: 'n5 is not running (its process is stopped)' }]);
    const backlogs = held.hints.filter((backlog) => backlog.target === 'n5');
    // One hint per key, each on a fallback (never on n5 itself), none delivered while n5 is down.
    expect(backlogs.reduce((sum, backlog) => sum + backlog.pending, 0)).toBe(hinted.length);
    for (const backlog of backlogs) {
      expect(backlog.holder).not.toBe('n5');
      expect(backlog.delivering).toBe(false);
    }
    expect(held.at).toBeGreaterThan(0);

    await api.restartNode('n5');
    await waitUntil('every hint for n5 is delivered', async () => (await forN5()).every((backlog) => backlog.pending === 0), 60_000);
    await waitUntil('the stream told of the deliveries', () =>
      events.filter((e) => e.type === 'hints-delivered' && e.target === 'n5').reduce((sum, e) => sum + (e.type === 'hints-delivered' ? e.delivered : 0), 0) === hinted.length,
    );
    for (const { key } of hinted) {
      const copy = (await api.keyDetail(bucket, key)).replicas.find((replica) => replica.node === 'n5');
      expect(copy?.versions).toHaveLength(1);
    }
    expect((await api.handoff()).unreachable).toEqual([]);
  });
});
