// Proves the per-target progress of hinted handoff on a real 4-node cluster (processes, TCP,
// LevelDB; N = 3, W = 2, hinted handoff on): while n3 is cut off, writes for its keys go to
// fallbacks with hints, and GET /v1/admin/hints on those fallbacks lists n3 as a target with
// its hints pending and a backlog that has been waiting (oldestAgeMs > 0), beside the
// `pending` and `byTarget` it always had; once n3 is healed the hints are handed off, every
// node reports none pending for n3, and the fallbacks' event streams carried the deliveries with
// their pace.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HintTarget } from '../../core/admin/events.js';
import { subscribe } from '../support/event-stream.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 4, ringSize: 16, hintedHandoff: true, requestTimeoutMs: 500 });
});
afterAll(async () => {
  await cluster?.stop();
});

interface HintsAnswer {
  pending: number;
  byTarget: Record<string, number>;
  targets: HintTarget[];
}

async function hints(id: string): Promise<HintsAnswer> {
  const answer = await cluster.client(id).json('GET', '/v1/admin/hints');
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('GET /v1/admin/hints per target', () => {
  it('shows the hints waiting for a node that is away and how long they have waited, then none once it is back', async () => {
    const others = ['n1', 'n2', 'n4'];
    const streams = await Promise.all(others.map((id) => subscribe(cluster.endpoints.get(id)!)));
    expect((await cluster.client('n3').json('POST', '/v1/admin/faults', { isolate: others })).status).toBe(200);

    // Keys that n3 replicates, written through n1 until some fallback holds hints for n3.
    const n1 = cluster.client('n1');
    let written = 0;
    await waitUntil('a fallback holds hints for n3', async () => {
      for (let i = 0; i < 5; i++, written++) {
        const key = `h${written}`;
        const preference: string[] = (await n1.json('GET', `/v1/admin/preference/b/${key}`)).body.preference;
        if (!preference.includes('n3')) continue;
        const put = await n1.put('b', key, `v${written}`);
        expect(put.status, JSON.stringify(put)).toBe(204);
      }
      const all = await Promise.all(others.map(hints));
      return all.some((answer) => (answer.byTarget.n3 ?? 0) > 0);
    });

    // Each holder lists n3 with what byTarget says, and a backlog that has been waiting.
    const holders: string[] = [];
    await waitUntil('a holder reports how long its hints for n3 have waited', async () => {
      holders.length = 0;
      for (const id of others) {
        const answer = await hints(id);
        const target = answer.targets.find((t) => t.target === 'n3');
        if ((answer.byTarget.n3 ?? 0) === 0) continue;
        holders.push(id);
        expect(target?.pending).toBe(answer.byTarget.n3);
        expect(answer.pending).toBe(Object.values(answer.byTarget).reduce((sum, count) => sum + count, 0));
        if ((target?.oldestAgeMs ?? 0) === 0) return false;
      }
      return holders.length > 0;
    });

    expect((await cluster.client('n3').json('POST', '/v1/admin/faults', { isolate: [] })).status).toBe(200);
    await waitUntil('no node holds hints for n3', async () => {
      const all = await Promise.all(others.map(hints));
      return all.every((answer) => (answer.byTarget.n3 ?? 0) === 0 && answer.targets.every((t) => t.target !== 'n3' || t.pending === 0));
    });
    for (const answer of await Promise.all(others.map(hints))) {
      for (const target of answer.targets) if (target.target === 'n3') expect(target).toMatchObject({ pending: 0, oldestAgeMs: 0, delivering: false });
    }

    // Every holder announced its deliveries to n3, with the pace of delivery.
    for (const holder of holders) {
      const stream = streams[others.indexOf(holder)];
      await waitUntil(`${holder} announces its deliveries to n3`, () =>
        stream.events.some((e) => e.type === 'hints-delivered' && e.target === 'n3' && e.pending === 0),
      );
      const deliveries = stream.events.flatMap((e) => (e.type === 'hints-delivered' && e.target === 'n3' ? [e] : []));
      for (const delivery of deliveries) {
        expect(delivery.delivered).toBeGreaterThan(0);
        expect(delivery.deliveredPerSec).toBeGreaterThan(0);
        expect(delivery.oldestAgeMs).toEqual(expect.any(Number));
      }
    }
    for (const stream of streams) stream.close();
  });
});
