// The live events of a cluster, as every node publishes them on `GET /v1/admin/events` (SSE,
// one JSON object per event) and as the console's one event stream carries them to the
// renderer. Types only: the renderer imports them.

/** A member's state as CONTRACT.md names it. */
export type MemberState = 'joining' | 'up' | 'down' | 'leaving';

/** What one anti-entropy run (or exchange) compared and repaired. */
export interface AntiEntropyReport {
  partitionsCompared: number;
  segmentsDiffering: number;
  keysRepaired: number;
  bytesSent: number;
}

/** One version of a key as a repair report shows it: no value, only what tells versions apart. */
export interface VersionSummary {
  dot: { node: string; counter: number };
  /** The version's own clock: the context it was written with plus its dot. */
  clock: Record<string, number>;
  deleted: boolean;
  /** Bytes of its value. */
  size: number;
}

/** A replica's versions of a key before a repair and after it. */
export interface RepairedSide {
  before: VersionSummary[];
  after: VersionSummary[];
}

/**
 * A key an anti-entropy exchange repaired. `behind` says which replica lacked something the other
 * had: this node (`local`), the peer, or each (they held concurrent versions). `versions` holds
 * the repaired side(s) only. The peer's `after` is the state sent to it, which its merge makes
 * its own.
 */
export interface RepairedKey {
  bucket: string;
  key: string;
  partition: number;
  peer: string;
  behind: 'local' | 'peer' | 'both';
  versions: { local?: RepairedSide; peer?: RepairedSide };
}

/** One partition compared with one peer within a run. */
export interface ExchangeSummary {
  partition: number;
  peer: string;
  segmentsDiffering: number;
  keysRepaired: number;
  bytesSent: number;
}

export type AntiEntropyTrigger = 'manual' | 'background';

/**
 * One anti-entropy run as POST /v1/admin/anti-entropy answers it and GET
 * /v1/admin/anti-entropy/runs lists it: the totals (AntiEntropyReport), each exchange, and the
 * keys repaired, listed up to a bound (`repairedKeysOmitted` counts the rest). A manual run
 * compares what it was asked to (every partition this node replicates, or one `partition`, with
 * every other replica or one `peer`); a background run is one tick of the scheduler, one
 * partition with one peer.
 */
export interface AntiEntropyRun extends AntiEntropyReport {
  runId: string;
  trigger: AntiEntropyTrigger;
  /** The peer and partition the run was limited to, when it was. */
  peer?: string;
  partition?: number;
  /** Epoch ms. */
  startedAt: number;
  finishedAt: number;
  /** The exchanges run, in order (at most antiEntropyExchangesListedMax; `exchangesOmitted` counts the rest). */
  exchanges: ExchangeSummary[];
  exchangesOmitted: number;
  repairedKeys: RepairedKey[];
  repairedKeysOmitted: number;
  /** Why the run ended early (a peer went away); its figures cover the exchanges done. */
  error?: string;
  /**
   * Replicas a manual run over every peer gave up on: the first exchange with each failed (it is
   * down, cut off, or did not answer in time), so the run went on without it. Absent when none.
   * A peer named in the target is not given up on: its failure ends the run (`error`).
   */
  peersFailed?: Array<{ peer: string; error: string }>;
}

/** The hints one node keeps for one target (GET /v1/admin/hints lists one per target). */
export interface HintTarget {
  target: string;
  pending: number;
  /** How long hints have been waiting for this target, in ms (0 when none are pending). */
  oldestAgeMs: number;
  /** True while hints are being handed to it: some remain, and a round is under way or delivered some in the last few seconds. */
  delivering: boolean;
  /** Hints handed to it per second over the last few seconds. */
  deliveredPerSec: number;
}

/** Latency percentiles of one operation over one sample, in milliseconds. */
export interface LatencyPercentiles {
  p50: number;
  p99: number;
  p999: number;
}

/** One node's figures over the last second. */
export interface MetricSample {
  /** Client operations per second, by operation. */
  opsPerSecond: { get: number; put: number; delete: number };
  requestsInFlight: number;
  hintsPending: number;
  transfersPending: number;
  /** Keys anti-entropy repaired during the second. */
  keysRepaired: number;
  /** Bytes received from and sent to peers during the second. */
  peerBytesIn: number;
  peerBytesOut: number;
  // Fields added later are optional: a console may follow nodes that predate them.
  /** Latency of the operations answered during the second, by operation; null for one that saw none. */
  latencyMs?: { get: LatencyPercentiles | null; put: LatencyPercentiles | null; delete: LatencyPercentiles | null };
  /** Keys anti-entropy repaired since the node started. */
  keysRepairedTotal?: number;
}

/** An event of one node, as it happened there. */
export type NodeEvent =
  | { type: 'member'; id: string; state: MemberState | 'left'; previous: MemberState | 'left' | undefined }
  | { type: 'ring'; version: number; partitionsOwned: number }
  | { type: 'faults'; isolated: string[] }
  | ({ type: 'transfer'; partition: number; from: string; to: string; state: 'done' | 'failed'; keysSent: number } & Partial<TransferFigures>)
  | ({ type: 'hints-delivered'; target: string; delivered: number; pending: number } & Partial<Pick<HintTarget, 'oldestAgeMs' | 'deliveredPerSec'>>)
  | ({ type: 'anti-entropy'; peer: string | undefined; trigger: AntiEntropyTrigger; report: AntiEntropyReport } & Partial<AntiEntropyRunFigures>)
  | { type: 'metrics'; sample: MetricSample }
  // While a manual anti-entropy run goes: one event per partition exchanged with one peer.
  | { type: 'anti-entropy-progress'; runId: string; partition: number; peer: string; done: number; total: number; segmentsDiffering: number; keysRepaired: number }
  // While a transfer is sent: when it starts, then at most one a second per transfer.
  | ({ type: 'transfer-progress'; partition: number; from: string; to: string; keysSent: number } & TransferFigures);

/** A transfer's size and pace, as its sender knows them. */
export interface TransferFigures {
  /** Keys the sender held in the partitions it streams when the transfer started: an estimate of keys in all. */
  keysTotal: number;
  /** Epoch ms. */
  startedAt: number;
  /** Time left at the pace so far; absent until a batch has been sent. */
  etaMs?: number;
}

/** What a finished run's event adds to its report (fields added later are optional on the wire). */
export interface AntiEntropyRunFigures {
  runId: string;
  partition: number;
  startedAt: number;
  finishedAt: number;
  error: string;
}

/** The state of a node's OS process, as the console's supervisor sees it. */
export type ProcessState = 'starting' | 'up' | 'stopping' | 'killing' | 'stopped' | 'crashed' | 'restarting';

/** Why a process ended, when it did not stop on request (VS Code's utility-process reasons). */
export type ExitReason = 'crashed' | 'oom' | 'launch-failed' | 'killed' | 'clean-exit';

/** An event on the console's stream: a node's event (with the node it came from and when), or the console's own. */
export type ConsoleEvent =
  | ({ node: string; at: number } & NodeEvent)
  | { type: 'process'; node: string; at: number; state: ProcessState; pid?: number; reason?: ExitReason; message?: string }
  | { type: 'connection'; node: string; at: number; connected: boolean; message?: string }
  | { type: 'join-plan'; node: string; at: number; planId: string; state: 'planned' | 'committed' | 'cancelled' };
