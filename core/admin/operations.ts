// The console's operations (AdminApi's anti-entropy, handoff, metrics and traces methods): what
// the pages ask for and what the console answers. Types only, no Node types: the renderer imports
// them (through admin-api.ts).

import type { TransferView } from './admin-api.js';
import type { AntiEntropyRun, HintTarget, MetricSample } from './events.js';
import type { TraceJson, TraceOp, TraceSummary } from './traces.js';

/**
 * What to run anti-entropy on: {} the whole cluster (every member that is up, each with every
 * other replica), `node` one member's partitions (with `peer`: with that peer only), `partition`
 * one partition (on `node`, or on the first replica of it that is up).
 */
export interface AntiEntropyTarget {
  node?: string;
  peer?: string;
  partition?: number;
}

/** A run as one node reported it (POST /v1/admin/anti-entropy, GET /v1/admin/anti-entropy/runs). */
export interface AntiEntropyRunView extends AntiEntropyRun {
  /** The node that ran it. */
  node: string;
}

/** Runs, newest first, and the members that could not be asked. */
export interface AntiEntropyRuns {
  runs: AntiEntropyRunView[];
  unreachable: NodeProblem[];
}

/** A member the console could not read, and why, in a sentence. */
export interface NodeProblem {
  node: string;
  message: string;
}

/** Hints one member holds for one target (GET /v1/admin/hints on the holder). */
export interface HintBacklog extends HintTarget {
  /** The member holding the hints (a fallback). */
  holder: string;
}

/** Handoff across the cluster: hints per holder and target, partition transfers with progress. */
export interface HandoffView {
  /** Epoch ms of the reading. */
  at: number;
  hints: HintBacklog[];
  /** Each transfer once, as its sender reports it when it can (it knows keysTotal and etaMs). */
  transfers: TransferView[];
  unreachable: NodeProblem[];
}

/** One metric sample of one node, as its event stream published it. */
export interface MetricPoint {
  node: string;
  /** Epoch ms when the console received it. */
  at: number;
  sample: MetricSample;
}

/**
 * A period during which a fault was injected or a node was not running. `down` is a node other
 * members judged down while the console had no process to say why (an attached console).
 */
export interface FaultPeriod {
  node: string;
  kind: 'killed' | 'crashed' | 'stopped' | 'isolated' | 'down';
  /** In a sentence: "n2 killed", "n3 isolated from n1, n2". */
  label: string;
  from: number;
  /** Absent while it lasts. */
  to?: number;
}

/** The samples and faults of the last minutes (at most metricsWindowMs), oldest first. */
export interface MetricsHistory {
  now: number;
  windowMs: number;
  points: MetricPoint[];
  faults: FaultPeriod[];
}

export interface TraceListQuery {
  /** One member's traces; every member's when absent. */
  node?: string;
  op?: TraceOp;
  bucket?: string;
  key?: string;
  /** Slowest first; otherwise newest first. */
  slowest?: boolean;
  limit?: number;
}

/** A trace summary with the member that keeps it. */
export interface TraceListing extends TraceSummary {
  node: string;
}

export interface TraceListingPage {
  traces: TraceListing[];
  unreachable: NodeProblem[];
}

/** A trace with the member that keeps it. */
export interface TraceView extends TraceJson {
  node: string;
}

/** A request the console sends with tracing on (the "Trace a request" form). */
export interface TraceRequest {
  /** The member it goes to (the coordinator, or the node that forwards a put). */
  node: string;
  op: TraceOp;
  bucket: string;
  key: string;
  /** For a put: the value as text (UTF-8). */
  value?: string;
  contentType?: string;
  /** The context to write or delete with; absent for a blind write. */
  context?: string;
  r?: number;
  w?: number;
  /** For a put or delete: acks that must be durable (CONTRACT.md's `dw`, at most w). */
  dw?: number;
}

/** The traced request's answer and its trace. */
export interface TraceRequestResult {
  /** The HTTP status the node answered with. */
  status: number;
  /** Its error code, or a short description of what came back ("2 siblings", "not found"). */
  summary: string;
  /** The X-Dynamo-Context the node answered with (a read's, or a write's new one), to write with next. */
  context?: string;
  /** Absent when the node kept no trace (it should always keep a requested one). */
  trace?: TraceView;
  /** The trace the put's coordinator kept, when the chosen node forwarded it. */
  coordinatorTrace?: TraceView;
}

