// A partition-aware client (Dynamo §4.5, "client-driven" coordination; §6.4, Table 2): it keeps a
// copy of the ring, computes a key's partition exactly as every node does (md5 of
// [bucket length byte][bucket][key], top log2(Q) bits), and sends each request straight to a node
// of the key's preference list, saving the hop through a load balancer or a forwarding node.
// The ring is fetched from /v1/ring (members' addresses from /v1/status) at connect time and
// refreshed every 10 s, as the paper's clients poll a random node for membership.
//
// It depends on pure code (the ring, the key digest) and undici only, never on a node: a client
// process loads none of the server (checked by `npm run deps`). Its clock is injected; the real
// one (core/runtime) is the default.
//
// A PUT goes to the first node of the preference list that accepts a connection (its owner
// while it is up, which then coordinates the write locally); a GET goes to the preference-list
// nodes in turn, so that reads of a popular key are spread over its replicas. A node that
// refuses connections is skipped for a while. A PUT is retried on the next node only when the
// first never received it: a timed-out write may still be applied, and a retry elsewhere
// would add a sibling.

import { Agent } from 'undici';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import { keyDigest } from '../ring/key-digest.js';
import { partitionOfDigest } from '../ring/partitioner.js';
import type { RingJson } from '../ring/ring.js';
import { realClock } from '../runtime/real-clock.js';
import { ClientError, DynamoClient } from './client.js';
import type { GetResult, WriteOptions, WriteResult } from './client.js';

export interface PartitionClientOptions {
  token?: string;
  /** Per-request time-out; default 10 s. */
  timeoutMs?: number;
  /** How often the ring and the member list are fetched again; default 10 s. */
  refreshIntervalMs?: number;
  /** Keep-alive connections per node; default 64. */
  connectionsPerNode?: number;
  /** How long a node that refused a connection is skipped; default 1 s. */
  downMs?: number;
  clock?: Clock;
}

export const refreshIntervalMsDefault = 10_000;
const downMsDefault = 1_000;

/** Errors that prove the request never reached the node, so another node may take it. */
const notDeliveredCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface StatusBody {
  id: NodeId;
  members: { id: NodeId; http: string; state?: string }[];
}

interface RingView {
  ringSize: number;
  version: number;
  preference: (readonly NodeId[])[];
}

interface NodeEntry {
  id: NodeId;
  endpoint: string;
  client: DynamoClient;
  downUntil: number;
}

export class PartitionClient {
  private readonly dispatcher: Agent;
  private readonly nodes = new Map<NodeId, NodeEntry>();
  private ring: RingView = { ringSize: 0, version: -1, preference: [] };
  private readonly clock: Clock;
  private readonly refreshIntervalMs: number;
  private readonly downMs: number;
  private refreshTimer: TimerHandle | undefined;
  private refreshing: Promise<void> | undefined;
  private readCursor = 0;
  private closed = false;

  private constructor(
    private readonly seeds: readonly string[],
    private readonly options: PartitionClientOptions,
  ) {
    this.clock = options.clock ?? realClock;
    this.refreshIntervalMs = options.refreshIntervalMs ?? refreshIntervalMsDefault;
    this.downMs = options.downMs ?? downMsDefault;
    this.dispatcher = new Agent({ connections: options.connectionsPerNode ?? 64, pipelining: 1 });
  }

  /** Connects through any of `seeds` (node URLs), fetching the members and the ring. */
  static async connect(seeds: string | readonly string[], options: PartitionClientOptions = {}): Promise<PartitionClient> {
    const list = (typeof seeds === 'string' ? [seeds] : seeds).map((seed) => seed.replace(/\/+$/, ''));
    if (list.length === 0) throw new ClientError('unreachable', 'no seed endpoint given');
    const client = new PartitionClient(list, options);
    try {
      await client.refresh();
    } catch (error) {
      await client.close();
      throw error;
    }
    client.scheduleRefresh();
    return client;
  }

  /** The ring version in use. */
  get ringVersion(): number {
    return this.ring.version;
  }

  /** Every known node and its HTTP endpoint. */
  members(): { id: NodeId; endpoint: string }[] {
    return [...this.nodes.values()].map(({ id, endpoint }) => ({ id, endpoint }));
  }

  /** Where a key lives, computed as the nodes compute it (DynamoNode.locate). */
  locate(bucket: string, key: string): { partition: number; preference: readonly NodeId[] } {
    const partition = partitionOfDigest(keyDigest(bucket, key), this.ring.ringSize);
    return { partition, preference: this.ring.preference[partition] };
  }

  async get(bucket: string, key: string, options: { r?: number; json?: boolean } = {}): Promise<GetResult> {
    const { preference } = this.locate(bucket, key);
    const start = this.readCursor++ % preference.length;
    let lastError: unknown;
    for (const node of this.order(preference, start)) {
      try {
        return await node.client.get(bucket, key, options);
      } catch (error) {
        // A read is idempotent: whatever went wrong, the next replica may answer.
        this.noteFailure(node, error);
        lastError = error;
      }
    }
    throw lastError;
  }

  put(
    bucket: string,
    key: string,
    value: Uint8Array | string,
    options: WriteOptions & { contentType?: string } = {},
  ): Promise<WriteResult> {
    return this.write(bucket, key, (client) => client.put(bucket, key, value, options));
  }

  delete(bucket: string, key: string, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write(bucket, key, (client) => client.delete(bucket, key, options));
  }

  /** Fetches the member list and the ring again (at most one fetch at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchRing().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer !== undefined) this.clock.clearTimeout(this.refreshTimer);
    await this.refreshing?.catch(() => undefined);
    await this.dispatcher.close();
  }

  private async write(bucket: string, key: string, send: (client: DynamoClient) => Promise<WriteResult>): Promise<WriteResult> {
    const { preference } = this.locate(bucket, key);
    let lastError: unknown;
    for (const node of this.order(preference, 0)) {
      try {
        return await send(node.client);
      } catch (error) {
        this.noteFailure(node, error);
        if (!notDelivered(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The preference list from `start` on (wrapping), nodes marked down last. */
  private order(preference: readonly NodeId[], start: number): NodeEntry[] {
    const now = this.clock.now();
    const up: NodeEntry[] = [];
    const down: NodeEntry[] = [];
    for (let i = 0; i < preference.length; i++) {
      const node = this.nodes.get(preference[(start + i) % preference.length]);
      if (node === undefined) continue;
      (node.downUntil > now ? down : up).push(node);
    }
    return up.length === preference.length ? up : [...up, ...down];
  }

  private noteFailure(node: NodeEntry, error: unknown): void {
    if (notDelivered(error)) node.downUntil = this.clock.now() + this.downMs;
  }

  private scheduleRefresh(): void {
    if (this.closed) return;
    this.refreshTimer = this.clock.setTimeout(() => {
      this.refresh()
        .catch(() => undefined) // keep the ring we have; the next refresh tries again
        .finally(() => this.scheduleRefresh());
    }, this.refreshIntervalMs);
    (this.refreshTimer as { unref?: () => void }).unref?.();
  }

  private async fetchRing(): Promise<void> {
    // Known nodes first (starting somewhere new each time), then the seeds.
    const endpoints = [...new Set([...[...this.nodes.values()].map((node) => node.endpoint), ...this.seeds])];
    let lastError: unknown = new ClientError('unreachable', 'no endpoint to fetch the ring from');
    for (const endpoint of endpoints) {
      const client = this.nodes.get(idOfEndpoint(this.nodes, endpoint) ?? '')?.client ?? this.clientFor(endpoint);
      try {
        const status = await client.json('GET', '/v1/status');
        const ring = await client.json('GET', '/v1/ring');
        if (status.status !== 200 || ring.status !== 200) {
          throw new ClientError('protocol', `${endpoint} answered ${status.status} to /v1/status and ${ring.status} to /v1/ring`);
        }
        this.adopt(status.body as StatusBody, ring.body as RingJson);
        return;
      } catch (error) {
        lastError = error;
      } finally {
        if (!this.isKnownClient(client)) await client.close();
      }
    }
    throw lastError;
  }

  private adopt(status: StatusBody, ring: RingJson): void {
    if (!Array.isArray(status.members) || !Array.isArray(ring.partitions) || typeof ring.ringSize !== 'number') {
      throw new ClientError('protocol', 'malformed /v1/status or /v1/ring');
    }
    for (const member of status.members) {
      const endpoint = member.http.startsWith('http') ? member.http.replace(/\/+$/, '') : `http://${member.http}`;
      const known = this.nodes.get(member.id);
      if (known !== undefined && known.endpoint === endpoint) continue;
      void known?.client.close();
      this.nodes.set(member.id, { id: member.id, endpoint, client: this.clientFor(endpoint), downUntil: 0 });
    }
    if (ring.version === this.ring.version && ring.ringSize === this.ring.ringSize) return;
    const preference: NodeId[][] = new Array(ring.ringSize);
    for (const partition of ring.partitions) preference[partition.index] = partition.preference;
    for (let p = 0; p < ring.ringSize; p++) {
      if (!Array.isArray(preference[p]) || preference[p].length === 0) {
        throw new ClientError('protocol', `the ring has no preference list for partition ${p}`);
      }
    }
    this.ring = { ringSize: ring.ringSize, version: ring.version, preference };
  }

  private clientFor(endpoint: string): DynamoClient {
    return new DynamoClient(endpoint, { token: this.options.token, timeoutMs: this.options.timeoutMs, dispatcher: this.dispatcher });
  }

  private isKnownClient(client: DynamoClient): boolean {
    for (const node of this.nodes.values()) if (node.client === client) return true;
    return false;
  }
}

function idOfEndpoint(nodes: ReadonlyMap<NodeId, NodeEntry>, endpoint: string): NodeId | undefined {
  for (const node of nodes.values()) if (node.endpoint === endpoint) return node.id;
  return undefined;
}

function notDelivered(error: unknown): boolean {
  if (!(error instanceof ClientError) || error.code !== 'unreachable') return false;
  const cause = error.cause as { code?: string; cause?: { code?: string } } | undefined;
  return notDeliveredCodes.has(cause?.code ?? '') || notDeliveredCodes.has(cause?.cause?.code ?? '');
}
