// Names shared across the store.

/** A node's stable identity, e.g. "n1". */
export type NodeId = string;

/** A cluster member as every node knows it. */
export interface Member {
  id: NodeId;
  /** host:port of the node's HTTP API. */
  http: string;
  /** host:port of the node's peer (TCP) listener. */
  peer: string;
  /** Relative share of partitions; 1 by default. */
  weight: number;
}

export type MemberState = 'joining' | 'up' | 'down' | 'leaving';

/** Replication settings of a cluster. */
export interface QuorumConfig {
  n: number;
  r: number;
  w: number;
}
