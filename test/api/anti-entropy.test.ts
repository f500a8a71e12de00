// Proves anti-entropy's report on a real 4-node cluster (processes, TCP, LevelDB; N = 3, W = 2,
// hinted handoff off, background exchanges off): n3 is cut off while keys are written around it
// and through it, then healed, and one run on n3 lists exactly the keys that differed, each with
// the peer it was repaired with, the side that was behind and that side's versions before and
// after: keys n3 missed (behind "local"), a key only n3 took (behind "peer", with each other
// replica), a key both sides wrote (behind "both" with the first peer, then "peer" with the
// other), and nothing for a key n3 does not replicate. The run's progress arrives on n3's event
// stream, one event per exchange, then the run itself. `dynamo repair --partition P` compares
// only P and prints the key it repaired; a partition n3 does not replicate is refused with a
// sentence; GET /v1/admin/anti-entropy/runs lists both runs, newest first.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AntiEntropyRun, RepairedKey, VersionSummary } from '../../core/admin/events.js';
import type { DynamoClient } from '../../core/api/client.js';
import { subscribe } from '../support/event-stream.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

const dynamo = fileURLToPath(new URL('../../bin/dynamo.js', import.meta.url));
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 4, ringSize: 16, hintedHandoff: false, requestTimeoutMs: 500 });
});
afterAll(async () => {
  await cluster?.stop();
});

async function isolateN3(isolate: string[]): Promise<void> {
  expect((await cluster.client('n3').json('POST', '/v1/admin/faults', { isolate })).status).toBe(200);
}

async function placement(key: string): Promise<{ partition: number; preference: string[] }> {
  return (await cluster.client('n1').json('GET', `/v1/admin/preference/b/${encodeURIComponent(key)}`)).body;
}

async function put(client: DynamoClient, key: string, value: string, w: number): Promise<void> {
  expect((await client.put('b', key, value, { w })).status, key).toBe(204);
}

/** One version as the report lists it: a dot, a clock that holds the dot, no value. */
function expectVersion(version: VersionSummary, size: number, node?: string): void {
  expect(version.clock[version.dot.node]).toBe(version.dot.counter);
  expect(version).toMatchObject({ deleted: false, size });
  if (node !== undefined) expect(version.dot.node).toBe(node);
  expect(Object.keys(version).sort()).toEqual(['clock', 'deleted', 'dot', 'size']);
}

describe('anti-entropy runs with a report', () => {
  let full: AntiEntropyRun;

  it('lists exactly the keys that differed, with the side behind and its versions before and after', async () => {
    const keys = await Promise.all(Array.from({ length: 40 }, async (_, i) => ({ key: `k${i}`, ...(await placement(`k${i}`)) })));
    const onN3 = keys.filter((k) => k.preference.includes('n3'));
    const missed = onN3.slice(0, 4);
    const [ahead, both] = onN3.slice(4, 6);
    const elsewhere = keys.find((k) => !k.preference.includes('n3'))!;
    expect(missed.length).toBe(4);
    expect(both).toBeDefined();
    expect(elsewhere).toBeDefined();

    const stream = await subscribe(cluster.endpoints.get('n3')!);
    await isolateN3(['n1', 'n2', 'n4']);
    for (const { key } of [...missed, elsewhere]) await put(cluster.client('n1'), key, `v-${key}`, 2);
    // Through n3 alone (it is in these keys' preference lists, so it coordinates them).
    await put(cluster.client('n3'), ahead.key, 'ahead', 1);
    await put(cluster.client('n3'), both.key, 'mine', 1);
    await put(cluster.client('n1'), both.key, 'theirs!', 2);
    await isolateN3([]);

    const answer = await cluster.client('n3').json('POST', '/v1/admin/anti-entropy', {});
    expect(answer.status).toBe(200);
    full = answer.body;
    expect(full).toMatchObject({ trigger: 'manual', repairedKeysOmitted: 0, exchangesOmitted: 0 });
    expect(full.runId).toEqual(expect.any(String));
    expect(full.finishedAt).toBeGreaterThanOrEqual(full.startedAt);

    // Every partition n3 replicates, with each of its two other replicas.
    const ring = (await cluster.client('n3').json('GET', '/v1/ring')).body;
    const replicated = ring.partitions.filter((p: { preference: string[] }) => p.preference.includes('n3'));
    expect(full.exchanges.length).toBe(replicated.length * 2);
    expect(full.partitionsCompared).toBe(full.exchanges.length);
    for (const exchange of full.exchanges) {
      const preference = ring.partitions[exchange.partition].preference;
      expect(preference).toContain('n3');
      expect(preference).toContain(exchange.peer);
      expect(exchange.peer).not.toBe('n3');
    }

    const listed = (key: string) => full.repairedKeys.filter((r) => r.key === key);
    const otherReplicas = (preference: string[]) => preference.filter((id) => id !== 'n3');
    expect(new Set(full.repairedKeys.map((r) => r.key))).toEqual(new Set([...missed.map((k) => k.key), ahead.key, both.key]));
    expect(full.keysRepaired).toBe(full.repairedKeys.length);
    expect(full.keysRepaired).toBe(missed.length + 2 + 2);

    // Missed: repaired from the first other replica exchanged with; n3 had nothing before.
    for (const { key, partition, preference } of missed) {
      const [entry] = listed(key);
      expect(listed(key).length).toBe(1);
      expect(entry).toMatchObject({ bucket: 'b', partition, behind: 'local' });
      expect(otherReplicas(preference)).toContain(entry.peer);
      expect(entry.versions.peer).toBeUndefined();
      expect(entry.versions.local?.before).toEqual([]);
      expect(entry.versions.local?.after.length).toBe(1);
      expectVersion(entry.versions.local!.after[0], `v-${key}`.length);
    }

    // Ahead: each other replica lacked n3's write.
    const aheadEntries = listed(ahead.key);
    expect(aheadEntries.map((e) => e.peer).sort()).toEqual(otherReplicas(ahead.preference).sort());
    for (const entry of aheadEntries) {
      expect(entry).toMatchObject({ partition: ahead.partition, behind: 'peer' });
      expect(entry.versions.local).toBeUndefined();
      expect(entry.versions.peer?.before).toEqual([]);
      expectVersion(entry.versions.peer!.after[0], 'ahead'.length, 'n3');
    }

    // Both wrote: with the first peer each side lacked the other's version; the second peer then
    // lacked n3's only.
    const [first, second] = listed(both.key);
    expect(listed(both.key).length).toBe(2);
    expect(new Set([first.peer, second.peer])).toEqual(new Set(otherReplicas(both.preference)));
    expect(first.behind).toBe('both');
    expect(second.behind).toBe('peer');
    const sizes = (versions: VersionSummary[] | undefined) => (versions ?? []).map((v) => v.size).sort();
    expect(sizes(first.versions.local?.before)).toEqual(['mine'.length]);
    expect(first.versions.local?.before[0].dot.node).toBe('n3');
    expect(sizes(first.versions.peer?.before)).toEqual(['theirs!'.length]);
    expect(sizes(first.versions.local?.after)).toEqual(['mine'.length, 'theirs!'.length]);
    expect(first.versions.peer?.after).toEqual(first.versions.local?.after);
    expect(second.versions.local).toBeUndefined();
    expect(sizes(second.versions.peer?.before)).toEqual(['theirs!'.length]);
    expect(sizes(second.versions.peer?.after)).toEqual(['mine'.length, 'theirs!'.length]);
    for (const entry of [first, second]) for (const version of entry.versions.peer!.after) expectVersion(version, version.size);

    // Progress: one event per exchange, in order, then the run.
    await waitUntil('the run reaches the event stream', () => stream.events.some((e) => e.type === 'anti-entropy' && e.runId === full.runId));
    const progress = stream.events.flatMap((e) => (e.type === 'anti-entropy-progress' && e.runId === full.runId ? [e] : []));
    expect(progress.map((e) => e.done)).toEqual(full.exchanges.map((_, i) => i + 1));
    expect(progress.every((e) => e.total === full.exchanges.length)).toBe(true);
    expect(progress.map(({ partition, peer, segmentsDiffering, keysRepaired }) => ({ partition, peer, segmentsDiffering, keysRepaired }))).toEqual(
      full.exchanges.map(({ partition, peer, segmentsDiffering, keysRepaired }) => ({ partition, peer, segmentsDiffering, keysRepaired })),
    );
    const done = stream.events.find((e) => e.type === 'anti-entropy' && e.runId === full.runId);
    expect(done).toMatchObject({ trigger: 'manual', startedAt: full.startedAt, finishedAt: full.finishedAt, report: { keysRepaired: full.keysRepaired } });
    stream.close();
  });

  it('compares one partition when asked (dynamo repair --partition), refuses one the node does not replicate, and lists its runs', async () => {
    const keys = await Promise.all(Array.from({ length: 40 }, async (_, i) => ({ key: `p${i}`, ...(await placement(`p${i}`)) })));
    const target = keys.find((k) => k.preference.includes('n3'))!;
    const sameElsewhere = keys.find((k) => k.preference.includes('n3') && k.partition !== target.partition)!;
    await isolateN3(['n1', 'n2', 'n4']);
    await put(cluster.client('n1'), target.key, 'one', 2);
    await put(cluster.client('n1'), sameElsewhere.key, 'other', 2);
    await isolateN3([]);

    const cli = spawnSync(process.execPath, [dynamo, 'repair', '--endpoint', cluster.endpoints.get('n3')!, '--partition', String(target.partition)], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^partitions compared 2, segments differing \d+, keys repaired 1, bytes sent \d+$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^b/${target.key} partition ${target.partition} peer n[124] behind local$`))]);

    const runs: AntiEntropyRun[] = (await cluster.client('n3').json('GET', '/v1/admin/anti-entropy/runs')).body.runs;
    const [byPartition, previous] = runs;
    expect(previous).toEqual(full);
    expect(byPartition).toMatchObject({ trigger: 'manual', partition: target.partition, partitionsCompared: 2, keysRepaired: 1 });
    expect(byPartition.exchanges.map((e) => e.partition)).toEqual([target.partition, target.partition]);
    expect(byPartition.repairedKeys.map((r: RepairedKey) => [r.key, r.behind])).toEqual([[target.key, 'local']]);
    expect(byPartition.startedAt).toBeGreaterThanOrEqual(full.finishedAt);

    // The key of the other partition is still missing on n3: that run did not look there.
    expect((await cluster.client('n3').json('GET', `/v1/admin/local/b/${sameElsewhere.key}`)).status).toBe(404);

    const ring = (await cluster.client('n3').json('GET', '/v1/ring')).body;
    const foreign = ring.partitions.find((p: { preference: string[] }) => !p.preference.includes('n3')).index;
    const refused = await cluster.client('n3').json('POST', '/v1/admin/anti-entropy', { partition: foreign });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('bad_request');
    expect(refused.body.message).toMatch(new RegExp(`^n3 does not replicate partition ${foreign}; its replicas are n\\d, n\\d, n\\d$`));
    for (const body of [{ partition: 'x' }, { partition: 1.5 }, { partition: 16 }, { partition: target.partition, peer: 'n3' }]) {
      const bad = await cluster.client('n3').json('POST', '/v1/admin/anti-entropy', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error).toBe('bad_request');
    }
    // Refused runs are not runs.
    expect((await cluster.client('n3').json('GET', '/v1/admin/anti-entropy/runs')).body.runs.length).toBe(2);
  });
});
