// What the simulations read from, and ask of, a DynamoNode beyond its client operations (get,
// put, start, stop), in one place: the simulator and its scenarios use only these, so when the
// node's surface changes only this file follows it. All of them go through the node's admin
// facade, as the HTTP API and the console do.

import type { NodeId } from '../../core/common/types.js';
import type { DynamoNode } from '../../core/node/dynamo-node.js';

/** Peers this node judges down. */
export function downPeers(node: DynamoNode): NodeId[] {
  return node.admin.peersDown();
}

export function hintsPending(node: DynamoNode): number {
  return node.admin.hints().pending;
}

/** Equal on two nodes exactly when their membership views agree. */
export function membershipDigest(node: DynamoNode): string {
  return node.admin.membershipDigest();
}

export function transfersPending(node: DynamoNode): number {
  return node.admin.transfersPending();
}

/** Runs anti-entropy with every peer on every partition this node replicates. */
export function exchangeAll(node: DynamoNode): Promise<unknown> {
  return node.admin.runAntiEntropy();
}

/** The root of this node's Merkle tree of `partition`, in hex. */
export function treeRoot(node: DynamoNode, partition: number): string {
  return node.admin.treeRoot(partition);
}

/** Tombstones this node has collected. */
export function tombstonesReaped(node: DynamoNode): number {
  return node.admin.figures().tombstonesReaped;
}

export function join(node: DynamoNode, seed: NodeId): Promise<void> {
  return node.admin.join(seed);
}

export function leave(node: DynamoNode): Promise<void> {
  return node.admin.leave();
}

/** The ring this node routes by: its size and partition owners. */
export function ringOf(node: DynamoNode): { ringSize: number; owners: readonly NodeId[] } {
  const ring = node.admin.ring();
  return { ringSize: ring.ringSize, owners: ring.partitions.map((partition) => partition.owner) };
}

/** Where a key lives, in this node's current ring. */
export function partitionOf(node: DynamoNode, bucket: string, key: string): number {
  return node.admin.locate(bucket, key).partition;
}

/** The partition's preference list in this node's current ring. */
export function currentPreference(node: DynamoNode, partition: number): readonly NodeId[] {
  return node.admin.ring().partitions[partition].preference;
}

/**
 * The partition's preference list once every pending transfer has completed, in this node's
 * view; undefined when no transfer is pending.
 */
export function futurePreference(node: DynamoNode, partition: number): readonly NodeId[] | undefined {
  return node.admin.futureRing()?.partitions[partition].preference;
}
