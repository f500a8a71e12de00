// The configuration of one node process, as the CLI and the supervisor build it.

import type { Member, NodeId } from '../common/types.js';

export interface NodeConfig {
  id: NodeId;
  /** Data directory (classic-level lives in <dir>/db). */
  dir: string;
  /** Interface to bind HTTP and peer listeners to. */
  host: string;
  httpPort: number;
  peerPort: number;
  /** host:peerport of seed nodes. */
  seeds: string[];
  ringSize: number;
  n: number;
  r: number;
  w: number;
  hintedHandoff: boolean;
  allowFaultInjection: boolean;
  /** Shared by every node of a cluster: authenticates peers and seals contexts. */
  clusterSecret: string;
  /** When set, every HTTP request must carry `Authorization: Bearer <token>`. */
  token?: string;
  weight: number;
  /**
   * Members known up front (`cluster start` forms its cluster from this static list); a node
   * started alone begins with just itself.
   */
  initialMembers?: Member[];
  requestTimeoutMs?: number;
  /** Gossip round interval (default 1 s) and the phi-accrual threshold (default 8). */
  gossipIntervalMs?: number;
  phiThreshold?: number;
  /** Background anti-entropy interval (one partition exchange per tick). */
  antiEntropyIntervalMs?: number;
  /** Superseded versions each key keeps for inspection (--history; the same on every node). */
  historyVersions?: number;
  /** The fraction of client requests traced, 0 to 1 (--trace-sample). */
  traceSample?: number;
  /**
   * Flush every write to stable storage before acknowledging it (--sync): LevelDB writes with
   * `sync`, so every ack of this node is durable. Off by default (a request may still ask for
   * durable acks with `dw`).
   */
  sync?: boolean;
}

/** What a started node reports about itself. */
export interface NodeInfo {
  id: NodeId;
  pid: number;
  http: string;
  peer: string;
}
