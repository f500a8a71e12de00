// AdminApi: the console's one interface to a cluster (DESIGN.md, "The console"). The renderer
// sees this and nothing else; the console service implements it over a local cluster it
// supervises or over a remote one it is attached to; the web console carries it as JSON over
// HTTP, the desktop shell over its preload bridge. Types only, no Node types: the renderer
// imports it.

import type { ConsoleEvent, ExitReason, MemberState, ProcessState } from './events.js';

export type { AntiEntropyReport, ConsoleEvent, ExitReason, MemberState, MetricSample, NodeEvent, ProcessState } from './events.js';

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
] as const satisfies ReadonlyArray<Exclude<keyof AdminApi, 'subscribe'>>;

export type AdminMethod = (typeof adminMethods)[number];
