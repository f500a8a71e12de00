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

/** One node's figures over the last second. */
export interface MetricSample {
  /** Client operations per second, by operation. */
  opsPerSecond: { get: number; put: number; delete: number };
  requestsInFlight: number;
  hintsPending: number;
  transfersPending: number;
  keysRepaired: number;
  peerBytesIn: number;
  peerBytesOut: number;
}

/** An event of one node, as it happened there. */
export type NodeEvent =
  | { type: 'member'; id: string; state: MemberState | 'left'; previous: MemberState | 'left' | undefined }
  | { type: 'ring'; version: number; partitionsOwned: number }
  | { type: 'faults'; isolated: string[] }
  | { type: 'transfer'; partition: number; from: string; to: string; state: 'done' | 'failed'; keysSent: number }
  | { type: 'hints-delivered'; target: string; delivered: number; pending: number }
  | { type: 'anti-entropy'; peer: string | undefined; trigger: 'manual' | 'background'; report: AntiEntropyReport }
  | { type: 'metrics'; sample: MetricSample };

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
