// etcd as the baseline: a 3-member cluster (Raft: every write is agreed by a majority and
// applied in order; reads are linearizable) started on free loopback ports in a temporary
// directory, and driven through etcd's v3 HTTP/JSON gateway (/v3/kv/put and /v3/kv/range, keys
// and values in base64) with one keep-alive pool per member, requests spread round robin as the
// dynamo-http target spreads them. A follower forwards a write to the leader, as a dynamo node
// forwards a PUT it does not coordinate.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { CodedError } from '../core/common/coded-error.js';
import { freePorts } from './ports.js';
import { ok } from './workload.js';
import type { BenchTarget, KeySpace, Outcome } from './workload.js';

export const etcdInstallHint =
  'etcd is not installed. On Debian or Ubuntu: `sudo apt-get install etcd-server etcd-client` ' +
  '(it provides /usr/bin/etcd, version 3.4 or later); elsewhere put an etcd binary on the PATH or pass --etcd-binary PATH.';

export class EtcdMissingError extends CodedError<'ETCD_MISSING'> {
  override name = 'EtcdMissingError';
  constructor() {
    super('ETCD_MISSING', etcdInstallHint);
  }
}

/** Time the members have to elect a leader and answer /health. */
const etcdStartTimeoutMs = 30_000;
/** Time a member has to exit after SIGTERM before it is killed. */
const etcdStopTimeoutMs = 5_000;
/** Bytes of a member's stderr kept to explain a failed start. */
const stderrKeptMax = 4096;

/** The etcd version string, or undefined when `binary` cannot be run. */
export function etcdVersion(binary = 'etcd'): string | undefined {
  const answer = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (answer.error !== undefined || answer.status !== 0) return undefined;
  return /etcd Version: (\S+)/.exec(answer.stdout)?.[1] ?? answer.stdout.trim().split('\n')[0];
}

export interface EtcdCluster {
  /** Client URLs, one per member. */
  endpoints: string[];
  processes: { role: string; pid: number }[];
  dir: string;
  version: string;
  stop(): Promise<void>;
}

export async function startEtcdCluster(options: { members?: number; binary?: string; parentDir?: string } = {}): Promise<EtcdCluster> {
  const binary = options.binary ?? 'etcd';
  const version = etcdVersion(binary);
  if (version === undefined) throw new EtcdMissingError();
  const count = options.members ?? 3;
  const dir = await mkdtemp(path.join(options.parentDir ?? os.tmpdir(), 'etcd-bench-'));
  const ports = await freePorts(count * 2);
  const names = Array.from({ length: count }, (_, i) => `e${i + 1}`);
  const clientUrl = (i: number) => `http://127.0.0.1:${ports[i]}`;
  const peerUrl = (i: number) => `http://127.0.0.1:${ports[count + i]}`;
  const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
  const children: ChildProcess[] = [];
  const stderr: string[] = names.map(() => '');

  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    await rm(dir, { recursive: true, force: true });
  };

  try {
    names.forEach((name, i) => {
      const child = spawn(
        binary,
        [
          '--name', name,
          '--data-dir', path.join(dir, name),
          '--listen-client-urls', clientUrl(i),
          '--advertise-client-urls', clientUrl(i),
          '--listen-peer-urls', peerUrl(i),
          '--initial-advertise-peer-urls', peerUrl(i),
          '--initial-cluster', initialCluster,
          '--initial-cluster-state', 'new',
          '--initial-cluster-token', `bench-${path.basename(dir)}`,
          '--logger', 'zap',
          '--log-level', 'error',
          // Keep the MVCC history (every update is a revision) from growing without bound.
          '--auto-compaction-mode', 'revision',
          '--auto-compaction-retention', '100000',
          '--quota-backend-bytes', String(8 * 1024 ** 3),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        stderr[i] = (stderr[i] + chunk).slice(-stderrKeptMax);
      });
      children.push(child);
    });
    await waitHealthy(names.map((_, i) => clientUrl(i)), children, stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoints: names.map((_, i) => clientUrl(i)),
    processes: children.map((child, i) => ({ role: `etcd ${names[i]}`, pid: child.pid! })),
    dir,
    version,
    stop,
  };
}

async function waitHealthy(urls: string[], children: ChildProcess[], stderr: string[]): Promise<void> {
  const deadline = performance.now() + etcdStartTimeoutMs;
  for (let i = 0; i < urls.length; i++) {
    for (;;) {
      if (children[i].exitCode !== null) {
        throw new Error(`etcd member ${i + 1} exited with ${children[i].exitCode}: ${stderr[i].trim().split('\n').slice(-3).join(' | ')}`);
      }
      try {
        const response = await fetch(`${urls[i]}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await response.json()) as { health?: string };
        if (body.health === 'true') break;
      } catch {
        // not listening yet, or no leader yet
      }
      if (performance.now() > deadline) throw new Error(`etcd member ${i + 1} did not become healthy within ${etcdStartTimeoutMs} ms`);
      await sleep(100);
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), etcdStopTimeoutMs);
  await exited;
  clearTimeout(timer);
}

/** The etcd cluster as a BenchTarget. Keys are `<bucket>/<key>`. */
export class EtcdTarget implements BenchTarget {
  readonly name = 'etcd';
  private readonly pools: Pool[];
  private readonly rangeBodies: string[];
  private readonly putPrefixes: string[];
  private readonly valuesBase64: string[];
  private next = 0;

  constructor(
    private readonly cluster: { endpoints: readonly string[]; processes: { role: string; pid: number }[] },
    keySpace: KeySpace,
    options: { connections: number; timeoutMs?: number; onClose?: () => Promise<void> },
  ) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.pools = cluster.endpoints.map(
      (endpoint) => new Pool(endpoint, { connections: options.connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
    );
    // The JSON bodies are built once per key: base64 on the request path would be the
    // generator's cost, not etcd's.
    const keysBase64 = keySpace.keys.map((key) => Buffer.from(`${keySpace.bucket}/${key}`).toString('base64'));
    this.rangeBodies = keysBase64.map((key) => `{"key":"${key}"}`);
    this.putPrefixes = keysBase64.map((key) => `{"key":"${key}","value":"`);
    this.valuesBase64 = keySpace.values.map((value) => Buffer.from(value).toString('base64'));
    this.onClose = options.onClose;
  }

  private readonly onClose: (() => Promise<void>) | undefined;

  private pool(): Pool {
    const pool = this.pools[this.next];
    this.next = (this.next + 1) % this.pools.length;
    return pool;
  }

  insert(key: number, value: number): Promise<Outcome> {
    return this.update(key, value);
  }

  async read(key: number): Promise<Outcome> {
    try {
      const response = await this.pool().request({
        method: 'POST',
        path: '/v3/kv/range',
        headers: { 'content-type': 'application/json' },
        body: this.rangeBodies[key],
      });
      const text = await response.body.text();
      if (response.statusCode !== 200) return { kind: 'error', code: `etcd ${response.statusCode}` };
      const answer = JSON.parse(text) as { kvs?: { value?: string }[] };
      return answer.kvs !== undefined && answer.kvs.length > 0 && answer.kvs[0].value !== undefined ? ok : { kind: 'not_found' };
    } catch (error) {
      return { kind: 'error', code: errorCode(error) };
    }
  }

  async update(key: number, value: number): Promise<Outcome> {
    try {
      const response = await this.pool().request({
        method: 'POST',
        path: '/v3/kv/put',
        headers: { 'content-type': 'application/json' },
        body: `${this.putPrefixes[key]}${this.valuesBase64[value]}"}`,
      });
      await response.body.dump();
      return response.statusCode === 200 ? ok : { kind: 'error', code: `etcd ${response.statusCode}` };
    } catch (error) {
      return { kind: 'error', code: errorCode(error) };
    }
  }

  async processes(): Promise<{ role: string; pid: number }[]> {
    return this.cluster.processes;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.close()));
    await this.onClose?.();
  }
}

function errorCode(error: unknown): string {
  const withCode = error as { code?: string; message?: string };
  return withCode?.code ?? withCode?.message ?? String(error);
}
