// Proves on a real node process that durable writes reach the disk and plain ones do not ask it
// to: `dynamo cluster start` (one node, N = R = W = 1, from the build) runs under
// `strace -f -e trace=fsync,fdatasync`, which records every flush of the CLI and the node process
// it forks. strace writes a call's line when the call returns, before the calling thread goes
// on, so once a PUT's answer has arrived every flush made on its way is in the trace: no waiting
// is needed before counting. Without --sync, plain PUTs and DELETEs add no flush, while a PUT
// with dw=1 (through `dynamo put --dw 1`) and a DELETE with dw=1 add at least one each; with
// --sync, a plain PUT flushes too.
//
// Needs strace and permission to trace (ptrace); skipped with one line where either is missing.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DynamoClient } from '../../core/api/client.js';
import { freeBasePort } from '../support/cluster.js';

const dynamo = fileURLToPath(new URL('../../bin/dynamo.js', import.meta.url));
const flush = /\b(?:fsync|fdatasync)\(/;

/** Whether strace runs here and may trace a program it starts (ptrace can be refused in containers). */
function straceUsable(): { ok: true } | { ok: false; why: string } {
  const probe = spawnSync('strace', ['-f', '-qq', '-e', 'trace=fsync,fdatasync', '-o', '/dev/null', process.execPath, '-e', '0'], { encoding: 'utf8' });
  if (probe.error !== undefined) return { ok: false, why: probe.error.message };
  if (probe.status !== 0) return { ok: false, why: (probe.stderr || `exit status ${probe.status}`).trim() };
  if (!existsSync(new URL('../../dist/core/cli/main.js', import.meta.url))) return { ok: false, why: 'not built: run npx tsc -p tsconfig.build.json' };
  return { ok: true };
}

const usable = straceUsable();
if (!usable.ok) console.log(`skipped: test/integration/durable-writes.test.ts needs strace and ptrace, which failed here: ${usable.why}`);

interface TracedNode {
  endpoint: string;
  /** Flushes (fsync, fdatasync) the CLI and its node have made so far. */
  flushes(): number;
  stop(): Promise<void>;
}

/** `dynamo cluster start` with one node under strace; resolves once it prints `cluster ready`. */
async function startTraced(dir: string, extra: string[]): Promise<TracedNode> {
  const base = await freeBasePort(2);
  const trace = path.join(dir, 'strace.out');
  const args = [
    '-f', '-qq', '-e', 'trace=fsync,fdatasync', '-o', trace,
    process.execPath, dynamo, 'cluster', 'start',
    '--nodes', '1', '--n', '1', '--r', '1', '--w', '1', '--ring-size', '8',
    '--dir', path.join(dir, 'cluster'), '--base-port', String(base), '--peer-base-port', String(base + 1),
    '--log-level', 'warn', ...extra,
  ];
  const strace = spawn('strace', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  strace.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => strace.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: strace.stdout! }).on('line', (line) => {
      if (line === 'cluster ready') resolve();
    });
    strace.once('exit', (code) => reject(new Error(`the traced cluster exited with ${code} before it was ready: ${stderr.trim()}`)));
  });
  // strace's one child is the CLI: SIGTERM stops its node cleanly, then strace exits with it.
  const cli = Number(readFileSync(`/proc/${strace.pid}/task/${strace.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
  return {
    endpoint: `http://127.0.0.1:${base + 1}`,
    flushes: () => readFileSync(trace, 'utf8').split('\n').filter((line) => flush.test(line)).length,
    stop: () => stopTraced(strace, cli, exited),
  };
}

async function stopTraced(strace: ChildProcess, cli: number, exited: Promise<void>): Promise<void> {
  if (strace.exitCode !== null || strace.signalCode !== null) return;
  process.kill(cli, 'SIGTERM');
  const timer = setTimeout(() => {
    // Bounded: a cluster that does not stop is killed, the tracer with it.
    for (const pid of [cli, strace.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

function cliPut(endpoint: string, key: string, extra: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [dynamo, 'put', '--endpoint', endpoint, ...extra, 'durable', key, 'v'], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe.skipIf(!usable.ok)('durable writes on a real node process (strace)', () => {
  it('a plain write asks for no flush; dw=1 flushes before the answer', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-durable-'));
    const node = await startTraced(dir, []);
    const client = new DynamoClient(node.endpoint, { timeoutMs: 15_000 });
    try {
      const before = node.flushes();
      for (let i = 0; i < 5; i++) expect((await client.put('durable', `plain-${i}`, 'v')).status).toBe(204);
      expect((await client.delete('durable', 'plain-0')).status).toBe(204);
      expect(node.flushes(), 'plain PUTs and a plain DELETE flushed').toBe(before);

      const put = cliPut(node.endpoint, 'synced', ['--dw', '1']);
      expect(put.status, put.stderr).toBe(0);
      const afterPut = node.flushes();
      expect(afterPut, 'a PUT with dw=1 did not flush').toBeGreaterThan(before);

      expect((await client.delete('durable', 'plain-1', { dw: 1 })).status).toBe(204);
      expect(node.flushes(), 'a DELETE with dw=1 did not flush').toBeGreaterThan(afterPut);

      const afterDelete = node.flushes();
      expect((await client.put('durable', 'plain-again', 'v', { dw: 0 })).status).toBe(204);
      expect(node.flushes(), 'a PUT with dw=0 flushed').toBe(afterDelete);
    } finally {
      await client.close();
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with --sync, every write flushes before the answer', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-durable-'));
    const node = await startTraced(dir, ['--sync']);
    const client = new DynamoClient(node.endpoint, { timeoutMs: 15_000 });
    try {
      let before = node.flushes();
      for (let i = 0; i < 3; i++) {
        expect((await client.put('durable', `synced-${i}`, 'v')).status).toBe(204);
        const after = node.flushes();
        expect(after, `plain PUT ${i} on a --sync node did not flush`).toBeGreaterThan(before);
        before = after;
      }
    } finally {
      await client.close();
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
