// AdminApi: the console's one interface to a cluster (DESIGN.md, "The console"). The renderer
// sees this and nothing else; the console service implements it over a local cluster it
// supervises or over a remote one it is attached to; the web console carries it as JSON over
// HTTP, the desktop shell over its preload bridge. Types only, no Node types: the renderer
// imports it.

import type { ConsoleEvent, ExitReason, MemberState, ProcessState } from './events.js';
import type {
  AntiEntropyRuns,
  AntiEntropyRunView,
  AntiEntropyTarget,
  HandoffView,
  MetricsHistory,
  TraceListingPage,
  TraceListQuery,
  TraceRequest,
  TraceRequestResult,
  TraceView,
} from './operations.js';

export type {
  AntiEntropyReport,
  AntiEntropyRun,
  ConsoleEvent,
  ExchangeSummary,
  ExitReason,
  HintTarget,
  LatencyPercentiles,
  MemberState,
  MetricSample,
  NodeEvent,
  ProcessState,
  RepairedKey,
  RepairedSide,
  VersionSummary,
} from './events.js';
export type * from './traces.js';
export type * from './operations.js';

/** Where the console's cluster comes from. */
export type ClusterMode = 'local' | 'attached';

/** A member as the console shows it: the cluster's view of it plus its process, where known. */
export interface MemberView {
  id: string;
  /** host:port of its HTTP API and of its peer listener. */
  http: string;
  peer: string;
  /** The state the cluster gossips, as seen by the node the console reads it from. */
  state: MemberState;
  /** Peers this member has cut itself off from (fault injection); [] when none. */
  isolatedFrom: string[];
  weight: number;
  partitionsOwned: number;
  /** Hints other members hold for it. */
  hintsHeldFor: number;
  /** Partition transfers to and from it that the ring implies now. */
  transfersIn: number;
  transfersOut: number;
  /** Its OS process, in a local cluster; undefined when attached. */
  process: ProcessView | undefined;
}

export interface ProcessView {
  state: ProcessState;
  pid: number | undefined;
  /** Epoch milliseconds when the current process came up. */
  startedAt: number | undefined;
  restarts: number;
  lastExit: { reason: ExitReason; code: number | null; signal: string | null } | undefined;
}

export interface PartitionView {
  index: number;
  owner: string;
  preference: string[];
  /** Set while the partition is being handed to another owner. */
  movingTo: string | undefined;
}

export interface RingView {
  ringSize: number;
  version: number;
  partitions: PartitionView[];
}

export interface TransferView {
  index: number;
  from: string;
  to: string;
  keysSent: number;
  state: 'waiting' | 'sending' | 'done' | 'failed';
  /** On a transfer being sent: the keys it will send in all (the sender's estimate when it started). */
  keysTotal?: number;
  /** Epoch ms (the sender's clock). */
  startedAt?: number;
  /** Time left at the pace so far; absent until a batch has been sent. */
  etaMs?: number;
}

/** The whole cluster at a glance. */
export interface ClusterView {
  mode: ClusterMode;
  /** The node the view was read from (attached: the one given; local: the first up). */
  source: string;
  n: number;
  r: number;
  w: number;
  members: MemberView[];
  /** Undefined before any node has joined a cluster. */
  ring: RingView | undefined;
  hints: { pending: number; byTarget: Record<string, number> };
  transfers: { pending: number; partitions: TransferView[] };
  /** What this console can do; process actions need a local cluster. */
  capabilities: Capabilities;
  /** The join plan waiting for Commit or Cancel, if any (so a reloaded page can show it again). */
  plannedJoin?: JoinPlan;
}

export interface Capabilities {
  /** Kill, restart and add node: only for a cluster the console supervises. */
  processActions: boolean;
  /** Why process actions are unavailable, in a sentence for the operator. */
  processActionsReason: string | undefined;
  /** Isolate and heal: needs fault injection on the nodes. */
  faults: boolean;
}

/** One partition moving in a join plan. */
export interface PlannedMove {
  partition: number;
  from: string;
  to: string;
  /** About how many keys move with it (the source's count for the partition). */
  keysEstimate: number;
}

/** What a join will do, shown before it is committed (Riak's `cluster plan`). */
export interface JoinPlan {
  planId: string;
  /** The new node (started, not yet a member). */
  node: string;
  http: string;
  moves: PlannedMove[];
  /** Partitions each member owns after the join. */
  ownershipAfter: Record<string, number>;
}

/** An action the console refused, with a stable code and a sentence for the operator. */
export interface AdminFailure {
  code: 'unavailable' | 'bad_request' | 'not_found' | 'conflict' | 'internal';
  message: string;
}

// ── Keys and conflicts ───────────────────────────────────────────────────────────────────────

/** A bucket, with counts the nodes keep as they write (GET /v1/admin/buckets). */
export interface BucketView {
  bucket: string;
  keys: number;
  keysWithSiblings: number;
}

export interface KeyQuery {
  bucket?: string;
  /** Keys that start with this (within `bucket` when given). */
  prefix?: string;
  /** Only keys that have more than one version. */
  siblingsOnly?: boolean;
  /** Most keys in one page (the node's default when absent). */
  limit?: number;
  /** From the previous page; absent for the first. */
  cursor?: string;
}

export interface KeyListing {
  bucket: string;
  key: string;
  /** Versions the key has now (tombstones included). */
  siblings: number;
  /** Epoch ms of its newest version, where the node reports it. */
  lastModified?: number;
}

/** One page of keys across the cluster, each key once (GET /v1/admin/keys). */
export interface KeyPage {
  keys: KeyListing[];
  /** Absent on the last page. */
  cursor?: string;
  /** How far the listing has got: partitions done of the ring's, where the node reports it. */
  progress?: { partitionsDone: number; partitions: number };
}

/** One version of a key as the sibling envelope gives it (CONTRACT.md), numbered from 1. */
export interface VersionView {
  /** 1-based, as `dynamo get` and `dynamo resolve --keep N` number them. */
  index: number;
  /** The bytes, base64. */
  value: string;
  contentType: string;
  /** Its own vector clock: the context it was written with plus its dot. */
  clock: Record<string, number>;
  dot: { node: string; counter: number };
  /**
   * What its writer had seen: `clock` without its own dot. Version A descends version B exactly
   * when A's past covers B's dot (pastA[B.dot.node] >= B.dot.counter); compare with this, not
   * with the clocks, which cannot tell two concurrent writes of one coordinator apart.
   */
  past: Record<string, number>;
  /** ISO 8601. */
  lastModified: string;
  deleted: boolean;
}

/** A quorum read of a key: its versions and the context that covers them all. */
export interface KeyRead {
  bucket: string;
  key: string;
  /** False when nothing is stored (or only a tombstone). */
  found: boolean;
  /** Opaque; write with it to supersede every version shown. Absent when the key never existed. */
  context?: string;
  versions: VersionView[];
}

/** One superseded or current version in a key's bounded history (GET /v1/admin/history). */
export interface HistoryEntry {
  dot: { node: string; counter: number };
  clock: Record<string, number>;
  /** The clock without its own dot: A descends B exactly when A's past covers B's dot. */
  past: Record<string, number>;
  node: string;
  /** ISO 8601. */
  lastModified: string;
  size: number;
  /** A short content hash (hex). */
  hash: string;
  deleted: boolean;
  /** True for the versions the key holds now. */
  current: boolean;
}

/** One node's own copy of a key (GET /v1/admin/local on that node), side by side with the others. */
export interface ReplicaCopy {
  node: string;
  /** A preference-list node, or a fallback holding a hint for `hintFor`. */
  role: 'primary' | 'hint';
  hintFor?: string;
  /** The versions it holds; [] when it holds none. */
  versions: VersionView[];
  /** Why it could not be read (down, isolated, timed out). */
  error?: string;
  /** True when its versions differ from the quorum read's. */
  differs: boolean;
}

/** Everything the key page shows. */
export interface KeyDetail {
  read: KeyRead;
  partition: number;
  preference: string[];
  replicas: ReplicaCopy[];
  history: HistoryEntry[];
  /**
   * What the detail could not include, in sentences for the operator: copies held as hints (no
   * node endpoint reads one), a history the node does not keep or could not give. Absent when
   * nothing is missing.
   */
  notes?: string[];
}

/** A write from the console: a resolution, or a new value. */
export interface KeyWrite {
  bucket: string;
  key: string;
  /** base64 bytes. */
  value: string;
  contentType: string;
  /** The context of the read the operator resolved from; absent for a blind write. */
  context?: string;
}

/** What a console write left: the versions that remain after it (one unless a write raced it). */
export interface KeyWriteResult {
  after: KeyRead;
  /** True when more than one version remains: another write arrived meanwhile. */
  raced: boolean;
}

export interface AdminApi {
  clusterView(): Promise<ClusterView>;
  /** SIGKILLs the node's process (local clusters only). */
  killNode(id: string): Promise<void>;
  /** Starts the node's process again (after a kill or a crash), or stops and starts it. */
  restartNode(id: string): Promise<void>;
  /** The node hands its partitions off, then leaves the cluster. */
  leaveNode(id: string): Promise<void>;
  /** Cuts all peer traffic between `id` and `from` (default: every other member). */
  isolateNode(id: string, from?: string[]): Promise<void>;
  /** Restores the node's peer traffic. */
  healNode(id: string): Promise<void>;
  /** Starts a new node and answers with the join plan; nothing moves until commitJoin. */
  planJoin(): Promise<JoinPlan>;
  commitJoin(planId: string): Promise<void>;
  /** Stops the planned node and forgets it. */
  cancelJoin(planId: string): Promise<void>;
  /** Every bucket with its key counts. */
  listBuckets(): Promise<BucketView[]>;
  /** One page of keys across the cluster. */
  listKeys(query: KeyQuery): Promise<KeyPage>;
  /** A quorum read of the key, its placement, each replica's own copy and its history. */
  keyDetail(bucket: string, key: string): Promise<KeyDetail>;
  /** Writes a value with the given context, then reads back what remains. */
  writeKey(write: KeyWrite): Promise<KeyWriteResult>;
  /** Runs anti-entropy now and answers with each node's report once all have finished. */
  runAntiEntropy(target: AntiEntropyTarget): Promise<AntiEntropyRunView[]>;
  /** Recent runs of every member, manual and background, newest first. */
  antiEntropyRuns(): Promise<AntiEntropyRuns>;
  /** Hints waiting per holder and target; transfers with their progress. */
  handoff(): Promise<HandoffView>;
  /** The metric samples and fault periods the console has seen over the last minutes. */
  metricsHistory(): Promise<MetricsHistory>;
  /** Traces kept by the members, merged. */
  listTraces(query: TraceListQuery): Promise<TraceListingPage>;
  /** One trace, from the member that keeps it. */
  trace(node: string, id: string): Promise<TraceView>;
  /** Sends one request with tracing on and answers with its trace. */
  traceRequest(request: TraceRequest): Promise<TraceRequestResult>;
  /** Follows the cluster's live events; returns the function that stops following. */
  subscribe(listener: (event: ConsoleEvent) => void): () => void;
}

/** The names of AdminApi's request methods, as the HTTP and IPC bridges carry them. */
export const adminMethods = [
  'clusterView',
  'killNode',
  'restartNode',
  'leaveNode',
  'isolateNode',
  'healNode',
  'planJoin',
  'commitJoin',
  'cancelJoin',
  'listBuckets',
  'listKeys',
  'keyDetail',
  'writeKey',
  'runAntiEntropy',
  'antiEntropyRuns',
  'handoff',
  'metricsHistory',
  'listTraces',
  'trace',
  'traceRequest',
] as const satisfies ReadonlyArray<Exclude<keyof AdminApi, 'subscribe'>>;

export type AdminMethod = (typeof adminMethods)[number];
