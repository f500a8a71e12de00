// Proves `dynamo console` as a user runs it (bin/dynamo.js, the build): bad combinations of
// options exit 2 with one line before anything starts; attached to a running cluster, and over a
// local cluster of its own, it prints `console http://<host>:<port>` once it serves, answers the
// AdminApi there, and on SIGTERM stops (its nodes with it) and exits 0. Needs `npm run build`.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterView } from '../../core/admin/admin-api.js';
import { isAlive } from '../host/host-helpers.js';
import { freeBasePort, freePorts, startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

const dynamo = fileURLToPath(new URL('../../bin/dynamo.js', import.meta.url));
const running = new Set<ChildProcess>();
let cluster: TestCluster | undefined;

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await cluster?.stop();
});

/** Runs `dynamo console …` in the background; `output` fills with its stdout. */
function startConsole(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [dynamo, 'console', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => running.delete(child));
  return { child, output: () => output, exited };
}

async function clusterView(url: string): Promise<ClusterView> {
  const response = await request(`${url}/api/admin/clusterView`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"args":[]}',
  });
  expect(response.statusCode).toBe(200);
  return ((await response.body.json()) as { result: ClusterView }).result;
}

describe('dynamo console', () => {
  it('exits 2 with one line for a --host beyond loopback without --token, and for --attach with --nodes', () => {
    const exposed = spawnSync(process.execPath, [dynamo, 'console', '--host', '0.0.0.0'], { encoding: 'utf8', env: { ...process.env, DYNAMO_TOKEN: '' } });
    expect(exposed.status).toBe(2);
    expect(exposed.stderr.trim().split('\n')).toHaveLength(1);
    expect(exposed.stderr).toContain('--token');
    const both = spawnSync(process.execPath, [dynamo, 'console', '--attach', 'http://127.0.0.1:1', '--nodes', '3'], { encoding: 'utf8' });
    expect(both.status).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 1 naming the endpoint when the cluster to attach to does not answer', async () => {
    const [port] = await freePorts(1);
    const run = spawnSync(process.execPath, [dynamo, 'console', '--attach', `http://127.0.0.1:${port}`, '--port', '0'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
  });

  it('attaches to a running cluster, serves its view, and exits 0 on SIGTERM', async () => {
    cluster = await startTestCluster({ nodes: 3, ringSize: 16 });
    const [port] = await freePorts(1);
    const run = startConsole(['--attach', cluster.endpoints.get('n1')!, '--port', String(port)]);
    await waitUntil('the console prints its address', () => run.output().includes('\n'));
    expect(run.output()).toBe(`console http://127.0.0.1:${port}\n`);
    const view = await clusterView(`http://127.0.0.1:${port}`);
    expect(view.mode).toBe('attached');
    expect(view.members.map((m) => m.id)).toEqual(['n1', 'n2', 'n3']);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('runs a local cluster of its own, serves it, and stops it on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-console-cli-'));
    try {
      // Five free ports in a row: HTTP on base+1, base+2; peers on base+3, base+4; the console on base+5.
      const base = await freeBasePort(5);
      const peerBase = base + 2;
      const port = base + 5;
      const run = startConsole([
        ...['--nodes', '2', '--n', '2', '--r', '1', '--w', '1', '--ring-size', '16'],
        ...['--dir', dir, '--port', String(port), '--base-port', String(base), '--peer-base-port', String(peerBase)],
      ]);
      await waitUntil('the console prints its address', () => run.output().includes('\n'), 30_000);
      expect(run.output()).toBe(`console http://127.0.0.1:${port}\n`);
      const view = await clusterView(`http://127.0.0.1:${port}`);
      expect(view.mode).toBe('local');
      expect(view.members.map((m) => [m.id, m.http, m.state])).toEqual([
        ['n1', `127.0.0.1:${base + 1}`, 'up'],
        ['n2', `127.0.0.1:${base + 2}`, 'up'],
      ]);
      const pids = view.members.map((m) => m.process!.pid!);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      for (const pid of pids) expect(isAlive(pid), `node process ${pid}`).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
