// dynamo-desk as a system under test, two ways (Dynamo §6.4, Table 2):
//
// - server-driven ('dynamo-http'): requests go to the nodes in turn, as behind a load balancer;
//   a node that is not in the key's preference list forwards a PUT to one that is;
// - client-driven ('dynamo-client'): the partition-aware PartitionClient sends each request to
//   a node of the key's preference list.
//
// Either way on nodes started with --sync ('dynamo-http-sync', 'dynamo-client-sync'): every write
// is fsynced before it is acknowledged, as etcd fsyncs its log.
//
// An update is what a Dynamo client does: a PUT carrying the context of the version it
// replaces. The target keeps the last context it got for each key (from its own PUT, or from a
// GET). A PUT with a context that covers the current version replaces it; a PUT that raced
// another PUT of the same key from this generator leaves two siblings, which the next GET
// reconciles. So the target drops its cached context whenever two of its writes to one key
// overlapped, and the next update of that key reads first: siblings stay bounded by the
// generator's own concurrency per key, as with any well-behaved client. Reads before writes are
// counted, and their time is part of the update's latency.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { DynamoClient } from '../core/api/client.js';
import type { GetResult, WriteResult } from '../core/api/client.js';
import { PartitionClient } from '../core/api/partition-client.js';
import { startLocalCluster } from '../core/host/local-cluster.js';
import { freePorts } from './ports.js';
import { ok } from './workload.js';
import type { BenchTarget, KeySpace, Outcome } from './workload.js';

/** How requests reach the cluster: one node per request, or a partition-aware client. */
interface Router {
  get(bucket: string, key: string): Promise<GetResult>;
  put(bucket: string, key: string, value: Uint8Array, context: string | undefined): Promise<WriteResult>;
  close(): Promise<void>;
}

/** Round robin over every node's endpoint, through one keep-alive pool per node. */
class RoundRobinRouter implements Router {
  private readonly clients: DynamoClient[];
  private readonly dispatcher: Agent;
  private next = 0;

  constructor(endpoints: readonly string[], options: { connections: number; token?: string; timeoutMs: number }) {
    this.dispatcher = new Agent({ connections: options.connections, pipelining: 1 });
    this.clients = endpoints.map(
      (endpoint) => new DynamoClient(endpoint, { dispatcher: this.dispatcher, token: options.token, timeoutMs: options.timeoutMs }),
    );
  }

  private client(): DynamoClient {
    const client = this.clients[this.next];
    this.next = (this.next + 1) % this.clients.length;
    return client;
  }

  get(bucket: string, key: string): Promise<GetResult> {
    return this.client().get(bucket, key);
  }

  put(bucket: string, key: string, value: Uint8Array, context: string | undefined): Promise<WriteResult> {
    return this.client().put(bucket, key, value, { context });
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

class PartitionRouter implements Router {
  constructor(private readonly client: PartitionClient) {}

  get(bucket: string, key: string): Promise<GetResult> {
    return this.client.get(bucket, key);
  }

  put(bucket: string, key: string, value: Uint8Array, context: string | undefined): Promise<WriteResult> {
    return this.client.put(bucket, key, value, { context });
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export type DynamoMode = 'http' | 'client';

export interface DynamoTargetOptions {
  mode: DynamoMode;
  /** Every node's URL (server-driven), or seeds to fetch the ring from (client-driven). */
  endpoints: readonly string[];
  keySpace: KeySpace;
  /** How reports name it; `dynamo-<mode>` by default. */
  name?: string;
  /** Keep-alive connections per node: the generator's concurrency. */
  connections: number;
  token?: string;
  timeoutMs?: number;
  /** Called by close(), after the connections are released (stops a cluster the bench started). */
  onClose?: () => Promise<void>;
  /** The nodes were started with --sync (it names the target; requests are the same). */
  sync?: boolean;
}

export class DynamoTarget implements BenchTarget {
  readonly name: string;
  private readonly keys: readonly string[];
  private readonly values: readonly Uint8Array[];
  private readonly bucket: string;
  /** The last context seen for each key; undefined: read before writing. */
  private readonly contexts: (string | undefined)[];
  /** Writes in flight per key, and writes started per key (to see overlaps). */
  private readonly writing: Uint32Array;
  private readonly writesStarted: Uint32Array;
  private readonly statistics = { readsBeforeWrite: 0, siblingReads: 0 };

  private constructor(
    private readonly router: Router,
    private readonly options: DynamoTargetOptions,
  ) {
    this.name = options.name ?? `dynamo-${options.mode}${options.sync === true ? '-sync' : ''}`;
    this.keys = options.keySpace.keys;
    this.values = options.keySpace.values;
    this.bucket = options.keySpace.bucket;
    this.contexts = new Array(this.keys.length).fill(undefined);
    this.writing = new Uint32Array(this.keys.length);
    this.writesStarted = new Uint32Array(this.keys.length);
  }

  static async connect(options: DynamoTargetOptions): Promise<DynamoTarget> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    let router: Router;
    if (options.mode === 'http') {
      // Every member, not just the endpoints given: attach to one URL, spread over all nodes.
      const probe = new DynamoClient(options.endpoints[0], { token: options.token, timeoutMs });
      try {
        const status = await probe.json('GET', '/v1/status');
        const members: { http: string }[] = status.status === 200 ? status.body.members : [];
        const endpoints = members.length > 0 ? members.map((m) => toUrl(m.http)) : options.endpoints;
        router = new RoundRobinRouter(endpoints, { connections: options.connections, token: options.token, timeoutMs });
      } finally {
        await probe.close();
      }
    } else {
      const client = await PartitionClient.connect(options.endpoints, {
        token: options.token,
        timeoutMs,
        connectionsPerNode: options.connections,
      });
      router = new PartitionRouter(client);
    }
    return new DynamoTarget(router, options);
  }

  insert(key: number, value: number): Promise<Outcome> {
    return this.write(key, value);
  }

  async read(key: number): Promise<Outcome> {
    const started = this.writesStarted[key];
    const result = await this.router.get(this.bucket, this.keys[key]);
    if ((result.status === 200 || result.status === 300) && 'context' in result && result.context !== undefined) {
      // The context covers every version the read saw; it is safe to write with only if no
      // write of ours to this key was under way meanwhile.
      if (this.writing[key] === 0 && this.writesStarted[key] === started) this.contexts[key] = result.context;
      if ('siblings' in result) {
        this.statistics.siblingReads++;
        return { kind: 'ok', siblings: result.siblings.length };
      }
      return ok;
    }
    if (result.status === 404) return { kind: 'not_found' };
    return { kind: 'error', code: `${result.status} ${'error' in result ? result.error : ''}`.trim() };
  }

  async update(key: number, value: number): Promise<Outcome> {
    if (this.contexts[key] === undefined) {
      this.statistics.readsBeforeWrite++;
      const read = await this.read(key);
      if (read.kind === 'error') return read;
    }
    return this.write(key, value);
  }

  private async write(key: number, value: number): Promise<Outcome> {
    const overlapped = this.writing[key] > 0;
    this.writing[key]++;
    const ticket = ++this.writesStarted[key];
    const context = this.contexts[key];
    let result: WriteResult;
    try {
      result = await this.router.put(this.bucket, this.keys[key], this.values[value], context);
    } finally {
      this.writing[key]--;
    }
    if (result.status === 204 && 'context' in result) {
      // Another write of this key ran alongside: the versions may now be siblings, and only a
      // read sees them all.
      this.contexts[key] = overlapped || ticket !== this.writesStarted[key] ? undefined : result.context;
      return ok;
    }
    this.contexts[key] = undefined;
    return { kind: 'error', code: `${result.status} ${'error' in result ? result.error : ''}`.trim() };
  }

  async processes(): Promise<{ role: string; pid: number }[]> {
    return nodeProcesses(this.options.endpoints, this.options.token);
  }

  counters(): Record<string, number> {
    return { ...this.statistics };
  }

  async close(): Promise<void> {
    await this.router.close();
    await this.options.onClose?.();
  }
}

/** Every member's process, from each member's /v1/status pid. */
export async function nodeProcesses(endpoints: readonly string[], token?: string): Promise<{ role: string; pid: number }[]> {
  const probe = new DynamoClient(endpoints[0], { token, timeoutMs: 5_000 });
  try {
    const status = await probe.json('GET', '/v1/status');
    const members: { id: string; http: string }[] = status.status === 200 ? status.body.members : [];
    const urls = members.length > 0 ? members.map((m) => toUrl(m.http)) : [...endpoints];
    const found = await Promise.all(
      urls.map(async (url) => {
        const client = new DynamoClient(url, { token, timeoutMs: 5_000 });
        try {
          const answer = await client.json('GET', '/v1/status');
          return answer.status === 200 && typeof answer.body.pid === 'number' ? { role: String(answer.body.id), pid: answer.body.pid as number } : undefined;
        } catch {
          return undefined;
        } finally {
          await client.close();
        }
      }),
    );
    return found.filter((entry): entry is { role: string; pid: number } => entry !== undefined);
  } finally {
    await probe.close();
  }
}

function toUrl(http: string): string {
  return http.startsWith('http') ? http.replace(/\/+$/, '') : `http://${http}`;
}

export interface BenchCluster {
  endpoints: string[];
  dir: string;
  stop(): Promise<void>;
}

/** Starts a local cluster for a benchmark: temporary directory, free loopback ports, quiet nodes. */
export async function startBenchCluster(options: {
  nodes: number;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  /** Parent of the temporary data directory; the system's temporary directory by default. */
  parentDir?: string;
  token?: string;
  /** Superseded versions each key keeps (the nodes' --history; their default when absent). */
  history?: number;
  /** The fraction of requests each node traces (the nodes' --trace-sample; their default when absent). */
  traceSample?: number;
  /** Every node fsyncs every write before acknowledging it (the nodes' --sync). */
  sync?: boolean;
}): Promise<BenchCluster> {
  const dir = await mkdtemp(path.join(options.parentDir ?? os.tmpdir(), 'dynamo-bench-'));
  try {
    const ports = await freePorts(options.nodes * 2);
    const { supervisor, configs } = await startLocalCluster(
      {
        nodes: options.nodes,
        dir,
        basePort: 0,
        peerBasePort: 0,
        httpPorts: ports.slice(0, options.nodes),
        peerPorts: ports.slice(options.nodes),
        ringSize: options.ringSize,
        n: options.n,
        r: options.r,
        w: options.w,
        hintedHandoff: true,
        clusterSecret: randomBytes(16).toString('hex'),
        token: options.token,
        history: options.history,
        traceSample: options.traceSample,
        sync: options.sync,
      },
      { stdio: 'ignore' },
    );
    let stopping: Promise<void> | undefined;
    return {
      endpoints: configs.map((config) => `http://127.0.0.1:${config.httpPort}`),
      dir,
      stop: () =>
        (stopping ??= (async () => {
          await supervisor.stopAll();
          await rm(dir, { recursive: true, force: true });
        })()),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
