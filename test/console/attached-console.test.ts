// Proves the attached console (core/console/attached-console.ts) against a real 3-node cluster
// it does not run (startTestCluster: processes, TCP, LevelDB): its view of members and ring is the
// one the cluster's own API gives; process actions are refused as `unavailable` with the reason,
// and the view says why; isolate and heal still work, over HTTP; the stream follows every member;
// keys are written, listed, read with every replica's copy and resolved through it; and attaching
// to a URL where nothing answers fails at once with a sentence naming it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../core/admin/admin-api.js';
import { attachedProcessActionsReason, createAttachedConsole } from '../../core/console/attached-console.js';
import type { ConsoleService } from '../../core/console/console-service.js';
import { freePorts, startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

let cluster: TestCluster;
let api: ConsoleService;
const events: ConsoleEvent[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3, ringSize: 16 });
  api = await createAttachedConsole({ url: cluster.endpoints.get('n1')! });
  api.subscribe((event) => events.push(event));
});

afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('the attached console', () => {
  it("shows the cluster as the node's own API does, without process information", async () => {
    const view = await api.clusterView();
    const status = (await cluster.client('n1').json('GET', '/v1/status')).body;
    const ring = (await cluster.client('n1').json('GET', '/v1/ring')).body;
    expect(view.mode).toBe('attached');
    expect(view.source).toBe('n1');
    expect(view.members.map((m) => [m.id, m.http, m.peer, m.state])).toEqual(
      status.members.map((m: { id: string; http: string; peer: string; state: string }) => [m.id, m.http, m.peer, m.state]),
    );
    expect(view.members.every((m) => m.process === undefined)).toBe(true);
    expect(view.ring?.version).toBe(ring.version);
    expect(view.ring?.partitions.map((p) => [p.index, p.owner, p.preference])).toEqual(
      ring.partitions.map((p: { index: number; owner: string; preference: string[] }) => [p.index, p.owner, p.preference]),
    );
    expect(view.capabilities).toEqual({ processActions: false, processActionsReason: attachedProcessActionsReason, faults: true });
  });

  it('refuses process actions as unavailable, with the reason', async () => {
    for (const action of [api.killNode('n2'), api.restartNode('n2'), api.planJoin(), api.commitJoin('p'), api.cancelJoin('p')]) {
      const failure = await rejection(action);
      expect(failure.code).toBe('unavailable');
      expect(failure.message).toContain(attachedProcessActionsReason);
    }
  });

  it('isolates and heals over HTTP, and follows every member on its stream', async () => {
    await waitUntil('every member stream connects', () =>
      ['n1', 'n2', 'n3'].every((id) => events.some((e) => e.type === 'connection' && e.node === id && e.connected)),
    );
    await api.isolateNode('n3', ['n1']);
    expect((await api.clusterView()).members.find((m) => m.id === 'n3')?.isolatedFrom).toEqual(['n1']);
    await api.healNode('n3');
    expect((await api.clusterView()).members.find((m) => m.id === 'n3')?.isolatedFrom).toEqual([]);
    await waitUntil('the stream carries the fault and the heal from n3', () => {
      const faults = events.filter((e) => e.type === 'faults' && e.node === 'n3');
      return faults.length === 2;
    });
    expect((await rejection(api.leaveNode('n9'))).code).toBe('not_found');
  });

  it('reads a key with every copy, shows siblings from two blind writes, and resolves them with a write', async () => {
    const bucket = 'console keys';
    const key = 'cart/ü 1';
    const first = await api.writeKey({ bucket, key, value: Buffer.from('red').toString('base64'), contentType: 'text/plain' });
    expect(first.raced).toBe(false);
    expect(first.after.versions.map((v) => Buffer.from(v.value, 'base64').toString())).toEqual(['red']);
    // A second blind write, through another node: the two are concurrent, so both remain.
    expect((await cluster.client('n2').put(bucket, key, 'blue', { contentType: 'text/plain' })).status).toBe(204);
    const where = (await cluster.client('n3').json('GET', `/v1/admin/preference/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`)).body;
    let detail = await api.keyDetail(bucket, key);
    expect(detail.read.found).toBe(true);
    expect(detail.read.versions.map((v) => Buffer.from(v.value, 'base64').toString()).sort()).toEqual(['blue', 'red']);
    expect([detail.partition, detail.preference]).toEqual([where.partition, where.preference]);
    expect(detail.replicas.map((r) => [r.node, r.role])).toEqual(where.preference.map((id: string) => [id, 'primary']));
    // W=2 of N=3: the third copy may arrive a moment after the write is acknowledged.
    await waitUntil('every copy holds both versions', async () => {
      detail = await api.keyDetail(bucket, key);
      return detail.replicas.every((r) => r.error === undefined && !r.differs && r.versions.length === 2);
    });
    // The listing finds it among the keys with siblings, and the bucket counts it.
    await waitUntil('the bucket counts the key and its siblings', async () => {
      const buckets = await api.listBuckets();
      return buckets.some((b) => b.bucket === bucket && b.keys === 1 && b.keysWithSiblings === 1);
    });
    const listed = await api.listKeys({ bucket, prefix: 'cart/', siblingsOnly: true, limit: 10 });
    expect(listed.keys.map((k) => [k.bucket, k.key, k.siblings])).toEqual([[bucket, key, 2]]);
    expect(listed.progress).toEqual({ partitionsDone: 16, partitions: 16 });
    expect((await api.listKeys({ bucket, prefix: 'other/' })).keys).toEqual([]);
    const resolved = await api.writeKey({ bucket, key, value: Buffer.from('purple').toString('base64'), contentType: 'text/plain', context: detail.read.context });
    expect(resolved.raced).toBe(false);
    expect(resolved.after.versions.map((v) => [Buffer.from(v.value, 'base64').toString(), v.contentType])).toEqual([['purple', 'text/plain']]);
    expect((await rejection(api.writeKey({ bucket, key, value: '', contentType: 'text/plain', context: 'forged' }))).code).toBe('bad_request');
  });

  it('fails at once, naming the URL, when nothing answers there', async () => {
    const [port] = await freePorts(1);
    const failure = await rejection(createAttachedConsole({ url: `http://127.0.0.1:${port}` }));
    expect(failure.code).toBe('unavailable');
    expect(failure.message).toContain(`127.0.0.1:${port}`);
  });
});
