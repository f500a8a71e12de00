// Proves that a real node process (the built entry, forked by the launcher as the supervisor
// does) writes its structured log: JSON lines in <dir>/node.log, the first of them the start
// record with the node's id, addresses, ring size and N/R/W, and a record of its shutdown; and
// that the log level travels with the process's configuration (`--log-level` of `cluster start`
// and `node start`): a node started at `warn` writes none of those info records. Two one-node
// processes run side by side, each in its own temporary directory.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel } from '../../core/common/log.js';
import { nodeEntry, nodeProcessEnv } from '../../core/host/local-cluster.js';
import { NodeProcessLauncher } from '../../core/host/node-launcher.js';
import { nodeLogFileName } from '../../core/host/node-log.js';
import type { NodeProcessConfig } from '../../core/host/node-process-api.js';
import { freePorts, singleNodeConfig } from '../support/cluster.js';

interface Started {
  config: NodeProcessConfig;
  launcher: NodeProcessLauncher;
}

let root: string;
const started: Started[] = [];

async function launch(id: string, logLevel: LogLevel | undefined): Promise<Started> {
  const [httpPort, peerPort] = await freePorts(2);
  const config: NodeProcessConfig = { ...singleNodeConfig(id, path.join(root, id), httpPort, peerPort), logLevel };
  const launcher = new NodeProcessLauncher({ entry: nodeEntry, env: nodeProcessEnv, config, stdio: 'inherit' });
  await launcher.launch();
  return { config, launcher };
}

async function records(config: NodeProcessConfig): Promise<Record<string, unknown>[]> {
  const text = await readFile(path.join(config.dir, nodeLogFileName), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'dynamo-node-log-'));
  started.push(...(await Promise.all([launch('n1', undefined), launch('n2', 'warn')])));
});

afterAll(async () => {
  await Promise.all(started.map(({ launcher }) => launcher.stop().catch(() => undefined)));
  await rm(root, { recursive: true, force: true });
});

describe('node.log', () => {
  it('holds JSON lines, among them the start record', async () => {
    const [{ config, launcher }] = started;
    const lines = await records(config);
    const start = lines.find((record) => record.msg === 'node process started');
    expect(start).toMatchObject({
      level: 30,
      node: 'n1',
      pid: launcher.pid,
      id: 'n1',
      http: `127.0.0.1:${config.httpPort}`,
      peer: `127.0.0.1:${config.peerPort}`,
      ringSize: 8,
      n: 1,
      r: 1,
      w: 1,
    });
    for (const record of lines) {
      expect(typeof record.time).toBe('string');
      expect(typeof record.msg).toBe('string');
    }
  });

  it('records the shutdown', async () => {
    const [{ config, launcher }] = started;
    const exit = await launcher.stop();
    expect(exit.reason).toBe('stopped');
    const messages = (await records(config)).map((record) => record.msg);
    expect(messages).toContain('node process stopping');
    expect(messages.at(-1)).toBe('node process stopped');
  });

  it('follows the log level of the process configuration', async () => {
    const [, { config, launcher }] = started;
    await launcher.stop();
    const lines = await records(config);
    expect(lines.every((record) => (record.level as number) >= 40)).toBe(true);
    expect(lines.map((record) => record.msg)).not.toContain('node process started');
  });
});
