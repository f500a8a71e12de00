// What the local and the attached console share: AdminApi over a cluster's HTTP API (the view,
// leave, isolate, heal), the merged event stream fed by one NodeEventFeed per node, and the
// checks every action makes before it touches a node. The local console (local-console.ts) adds
// process actions and join plans on top; the attached one (attached-console.ts) refuses them.

import type {
  AdminApi,
  AntiEntropyRuns,
  AntiEntropyRunView,
  AntiEntropyTarget,
  BucketView,
  HandoffView,
  MetricsHistory,
  TraceListingPage,
  TraceListQuery,
  TraceRequest,
  TraceRequestResult,
  TraceView,
  Capabilities,
  ClusterMode,
  ClusterView,
  JoinPlan,
  KeyDetail,
  KeyPage,
  KeyQuery,
  KeyWrite,
  KeyWriteResult,
  ProcessView,
} from '../admin/admin-api.js';
import type { ConsoleEvent } from '../admin/events.js';
import type { Clock } from '../common/clock.js';
import { realClock } from '../runtime/real-clock.js';
import { readClusterView, readSource, type SourceCandidate, type SourceReading } from './cluster-reader.js';
import { ConsoleError, fail } from './errors.js';
import { EventHub } from './event-hub.js';
import * as keys from './key-reader.js';
import { MetricsRecorder } from './metrics-recorder.js';
import { NodeEventFeed } from './node-event-feed.js';
import { handoff } from './handoff-reader.js';
import * as operations from './operations-reader.js';
import * as traces from './trace-reader.js';
import { nodeBaseUrl, nodeFailure, NodeHttp } from './node-http.js';

/** The console service: AdminApi plus the end of its life (nodes it runs are stopped). */
export interface ConsoleService extends AdminApi {
  readonly mode: ClusterMode;
  close(): Promise<void>;
}

/** Node ids as the CLI accepts them (core/cli-kit/options.ts nodeIdArg). */
const nodeIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;

export abstract class ConsoleBase implements ConsoleService {
  abstract readonly mode: ClusterMode;
  protected readonly http: NodeHttp;
  protected readonly hub = new EventHub();
  protected readonly clock: Clock;
  /** Every metric sample and fault the events tell of, for the last metricsWindowMs. */
  private readonly metrics: MetricsRecorder;
  private readonly feeds = new Map<string, NodeEventFeed>();
  protected closed = false;

  constructor(options: { token?: string; clock?: Clock }) {
    this.http = new NodeHttp(options.token);
    this.clock = options.clock ?? realClock;
    this.metrics = new MetricsRecorder(this.clock);
  }

  // ── What each kind of console says about itself ─────────────────────────────────────────

  /** The nodes to read the cluster from, best first. */
  protected abstract candidates(): SourceCandidate[];
  /** Each node's process, where this console runs them. */
  protected abstract processes(): ReadonlyMap<string, ProcessView> | undefined;
  protected abstract capabilities(): Omit<Capabilities, 'faults'>;
  /** The join plan waiting for commit or cancel, if any. */
  protected plannedJoin(): JoinPlan | undefined {
    return undefined;
  }

  abstract killNode(id: string): Promise<void>;
  abstract restartNode(id: string): Promise<void>;
  abstract planJoin(): Promise<JoinPlan>;
  abstract commitJoin(planId: string): Promise<void>;
  abstract cancelJoin(planId: string): Promise<void>;

  // ── AdminApi over HTTP ──────────────────────────────────────────────────────────────────

  async clusterView(): Promise<ClusterView> {
    this.checkOpen();
    const source = await this.readSource();
    const view = await readClusterView({
      mode: this.mode,
      http: this.http,
      source,
      processes: this.processes(),
      capabilities: this.capabilities(),
    });
    const plan = this.plannedJoin();
    if (plan !== undefined) view.plannedJoin = plan;
    return view;
  }

  async leaveNode(id: string): Promise<void> {
    const url = await this.memberUrl(id);
    await this.http.post(url, '/v1/admin/leave', {}).catch((error) => {
      throw nodeFailure(id, error);
    });
  }

  async isolateNode(id: string, from?: string[]): Promise<void> {
    const source = await this.readSource();
    const url = this.urlIn(source, id);
    const others = source.status.members.map((member) => member.id).filter((member) => member !== id);
    const isolate = from ?? others;
    for (const peer of isolate) {
      if (peer === id) fail('bad_request', `${id} cannot be isolated from itself`);
      if (!others.includes(peer)) fail('bad_request', `${peer} is not a member of the cluster`);
    }
    await this.http.post(url, '/v1/admin/faults', { isolate: [...new Set(isolate)] }).catch((error) => {
      throw nodeFailure(id, error);
    });
  }

  async healNode(id: string): Promise<void> {
    const url = await this.memberUrl(id);
    await this.http.post(url, '/v1/admin/faults', { isolate: [] }).catch((error) => {
      throw nodeFailure(id, error);
    });
  }

  // ── Keys (key-reader.ts), through the node the cluster is read from ─────────────────────

  async listBuckets(): Promise<BucketView[]> {
    return keys.listBuckets(await this.nodesContext());
  }

  async listKeys(query: KeyQuery): Promise<KeyPage> {
    return keys.listKeys(await this.nodesContext(), query);
  }

  async keyDetail(bucket: string, key: string): Promise<KeyDetail> {
    return keys.keyDetail(await this.nodesContext(), bucket, key);
  }

  async writeKey(write: KeyWrite): Promise<KeyWriteResult> {
    return keys.writeKey(await this.nodesContext(), write);
  }

  // ── Operations: anti-entropy (operations-reader.ts), handoff (handoff-reader.ts), metrics, traces (trace-reader.ts) ──

  async runAntiEntropy(target: AntiEntropyTarget): Promise<AntiEntropyRunView[]> {
    return operations.runAntiEntropy(await this.nodesContext(), target, this.clock);
  }

  async antiEntropyRuns(): Promise<AntiEntropyRuns> {
    return operations.antiEntropyRuns(await this.nodesContext());
  }

  async handoff(): Promise<HandoffView> {
    return handoff(await this.nodesContext(), this.clock);
  }

  async metricsHistory(): Promise<MetricsHistory> {
    this.checkOpen();
    return this.metrics.history();
  }

  async listTraces(query: TraceListQuery): Promise<TraceListingPage> {
    return traces.listTraces(await this.nodesContext(), query);
  }

  async trace(node: string, id: string): Promise<TraceView> {
    return traces.trace(await this.nodesContext(), node, id);
  }

  async traceRequest(request: TraceRequest): Promise<TraceRequestResult> {
    return traces.traceRequest(await this.nodesContext(), request);
  }

  /** Follows the events; a new listener first learns which node streams are connected now. */
  subscribe(listener: (event: ConsoleEvent) => void): () => void {
    const now = this.clock.now();
    const current: ConsoleEvent[] = [...this.feeds.values()]
      .filter((feed) => feed.connected !== undefined)
      .map((feed) => ({ type: 'connection', node: feed.node, at: now, connected: feed.connected === true }));
    return this.hub.subscribe(listener, current);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.feeds.values()].map((feed) => feed.close()));
    this.feeds.clear();
    this.hub.close();
    await this.http.close();
  }

  // ── For the subclasses ──────────────────────────────────────────────────────────────────

  protected publish(event: ConsoleEvent): void {
    if (this.closed) return;
    this.metrics.record(event);
    this.hub.publish(event);
  }

  /** Follows a node's events (once per node); `url` says where it is now. */
  protected follow(id: string, url: () => string | undefined): void {
    if (this.closed || this.feeds.has(id)) return;
    const feed = new NodeEventFeed({ node: id, url, http: this.http, clock: this.clock, publish: (event) => this.publish(event) });
    this.feeds.set(id, feed);
    feed.start();
  }

  /** Stops following a node (it left, or its planned join was cancelled). */
  protected async unfollow(id: string): Promise<void> {
    const feed = this.feeds.get(id);
    this.feeds.delete(id);
    await feed?.close();
  }

  protected reconnect(id: string): void {
    this.feeds.get(id)?.reconnect();
  }

  protected following(): string[] {
    return [...this.feeds.keys()];
  }

  /** The source node, and which members are known not to run (they are not asked). */
  private async nodesContext(): Promise<keys.KeyContext> {
    const source = await this.readSource();
    const processes = this.processes();
    const notRunning = (id: string) => {
      const process = processes?.get(id);
      return process === undefined || process.state === 'up' ? undefined : `${id} is not running (its process is ${process.state})`;
    };
    return { http: this.http, source, notRunning };
  }

  protected readSource(): Promise<SourceReading> {
    this.checkOpen();
    return readSource(this.http, this.candidates());
  }

  /** The base URL of member `id`, as the cluster knows it. */
  protected async memberUrl(id: string): Promise<string> {
    return this.urlIn(await this.readSource(), id);
  }

  protected urlIn(source: SourceReading, id: string): string {
    checkNodeId(id);
    const member = source.status.members.find((candidate) => candidate.id === id);
    if (member === undefined) fail('not_found', `${id} is not a member of the cluster`);
    return nodeBaseUrl(member.http);
  }

  protected checkOpen(): void {
    if (this.closed) throw new ConsoleError('unavailable', 'the console is closed');
  }
}

/** Rejects an id that cannot name a node (the HTTP edge validates too; this guards other callers). */
export function checkNodeId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !nodeIdPattern.test(id)) fail('bad_request', 'a node id is 1 to 64 letters, digits, _ . or -');
}
