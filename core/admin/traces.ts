// Request traces as the nodes serve them (GET /v1/admin/traces, /v1/admin/traces/{id}) and the
// console shows them: the wire types, shared by the node's recorder (core/node/tracing.ts) and
// the renderer. Types only, no Node types.

export type TraceOp = 'get' | 'put' | 'delete';

/** read and write: the request's replica messages; forward: a put sent to its coordinator; repair: a read repair. */
export type TraceMessageKind = 'read' | 'write' | 'forward' | 'repair';

/** What came back for one message. */
export type TraceReply =
  /** A replica's state (or a coordinator's new one): its siblings, tombstones included, and their dots ("n1:3"). */
  | { kind: 'version'; siblings: number; deleted: number; dots: string[] }
  | { kind: 'not_found' }
  /** `durable`: the replica said the write is on stable storage (a put with dw > 0, or a node with --sync). */
  | { kind: 'ack'; durable?: true }
  /** A forwarded put: the coordinator's answer, and its own trace of the put when it kept one. */
  | { kind: 'answer'; status: string; traceId: string | null }
  | { kind: 'timeout' }
  | { kind: 'error'; code: string; message: string };

export interface TraceMessage {
  kind: TraceMessageKind;
  node: string;
  role: 'primary' | 'fallback';
  /** For a fallback: the primary whose hint it keeps. */
  hintFor?: string;
  /** A future replica (a partition transfer is under way): written to, never counted toward W. */
  future?: true;
  /** Milliseconds since the trace began. */
  sentAtMs: number;
  answeredAtMs: number | null;
  reply: TraceReply | null;
  /** One of the replies that made the R or W quorum. */
  quorum: boolean;
}

export interface TraceStateEntry {
  state: string;
  atMs: number;
}

export interface TraceEvent {
  type: string;
  atMs: number;
  /** The replica a REPLY, ACK or FAILED is about. */
  node?: string;
}

export interface TraceAnswer {
  /** ok, siblings, not_found (get), quorum, or the error code. */
  status: string;
  summary: string;
  atMs: number;
}

/** GET /v1/admin/traces/{id}. */
export interface TraceJson {
  id: string;
  op: TraceOp;
  bucket: string;
  key: string;
  partition: number;
  /** This node: it coordinated the request, or forwarded it (a put outside the preference list). */
  coordinator: string;
  forwardedTo: string | null;
  /** The trace the node it forwarded to kept of the put. */
  coordinatorTraceId: string | null;
  r: number | null;
  w: number | null;
  /** requested: the client asked (X-Dynamo-Trace, ?trace=1, or a forwarding node's trace); sampled: --trace-sample. */
  reason: 'requested' | 'sampled';
  /** Milliseconds since the epoch (the node's clock). */
  startedAt: number;
  /** Until the answer; null while the request is still waiting. */
  durationMs: number | null;
  states: TraceStateEntry[];
  events: TraceEvent[];
  messages: TraceMessage[];
  answer: TraceAnswer | null;
  /** What the bounds (limits.ts) left out. */
  dropped: { messages: number; events: number; states: number };
}

/** One entry of GET /v1/admin/traces. */
export interface TraceSummary {
  id: string;
  op: TraceOp;
  bucket: string;
  key: string;
  startedAt: number;
  durationMs: number | null;
  status: string | null;
  messages: number;
}

