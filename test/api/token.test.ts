// Proves that a node started with --token answers 401 unauthorized to any HTTP request without
// the bearer token (and serves it with), using one real node (LevelDB, TCP) in this process.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeProcess, type RunningNode } from '../../core/host/node-process.js';
import { freePorts, singleNodeConfig } from '../support/cluster.js';

let node: RunningNode;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-token-'));
  const [httpPort, peerPort] = await freePorts(2);
  node = await startNodeProcess(singleNodeConfig('n1', dir, httpPort, peerPort, { clusterSecret: 'secret', token: 's3cret' }));
});
afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('bearer token', () => {
  it('refuses requests without the token and serves those with it', async () => {
    for (const [method, url] of [['GET', '/v1/status'], ['PUT', '/v1/kv/b/k'], ['GET', '/metrics']] as const) {
      const refused = await request(node.info.http + url, { method, body: method === 'PUT' ? 'x' : undefined });
      expect(refused.statusCode, url).toBe(401);
      expect(await refused.body.json()).toMatchObject({ error: 'unauthorized' });
      const wrong = await request(node.info.http + url, { method, headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode, url).toBe(401);
      await wrong.body.dump();
    }
    const put = await request(`${node.info.http}/v1/kv/b/k`, { method: 'PUT', body: 'v', headers: { authorization: 'Bearer s3cret' } });
    expect(put.statusCode).toBe(204);
    await put.body.dump();
    const get = await request(`${node.info.http}/v1/kv/b/k`, { headers: { authorization: 'Bearer s3cret' } });
    expect(await get.body.text()).toBe('v');
  });

  it('refuses fault injection unless it is enabled', async () => {
    const answer = await request(`${node.info.http}/v1/admin/faults`, {
      method: 'POST',
      body: '{"isolate":[]}',
      headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(403);
    expect(await answer.body.json()).toMatchObject({ error: 'faults_disabled' });
  });
});
