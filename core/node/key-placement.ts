// Where a key lives and which nodes a request for it goes to (Dynamo §4.2, §4.6): one digest
// per request places the key in its partition; the partition's preference list comes from the
// ring; the active preference list tags each target `primary` or `fallback` (with the primary a
// fallback holds a hint for). During a transfer, writes also reach the nodes that will
// replicate the partition once it completes (transfers.ts).

import { CodedError } from '../common/coded-error.js';
import type { NodeId } from '../common/types.js';
import { keyDigest } from '../ring/key-digest.js';
import { partitionOfDigest } from '../ring/partitioner.js';
import { annotatedPreferenceList, type AnnotatedNode } from '../ring/preference-list.js';
import type { Ring } from '../ring/ring.js';
import type { ClusterMembership } from './cluster-membership.js';

/** A request to a node that knows no ring yet (it has not joined, or not heard from a seed). */
export class NotInClusterError extends CodedError<'unavailable'> {
  override name = 'NotInClusterError';
}

export interface KeyPlacementOptions {
  self: NodeId;
  membership: ClusterMembership;
  /** The node's one failure detector verdict. */
  isUp: (id: NodeId) => boolean;
  /** Sloppy quorum: fallbacks stand in for down primaries. Off: the primaries alone. */
  hintedHandoff: boolean;
}

/** A write's targets: the coordinator first; `counted` of them count toward W (see writeTargets). */
export interface WriteTargets {
  targets: AnnotatedNode[];
  counted: number;
}

export class KeyPlacement {
  constructor(private readonly options: KeyPlacementOptions) {}

  /** The node's failure-detector verdict on `id`. */
  isUp(id: NodeId): boolean {
    return this.options.isUp(id);
  }

  /** The current ring; a node that has joined nothing yet refuses with `unavailable`. */
  ring(): Ring {
    const ring = this.options.membership.ring();
    if (ring === undefined) throw new NotInClusterError('unavailable', `${this.options.self} has not joined a cluster yet`);
    return ring;
  }

  partitionOf(bucket: string, key: string): number {
    return partitionOfDigest(keyDigest(bucket, key), this.ring().ringSize);
  }

  /** Where a key lives: its partition and preference list. */
  locate(bucket: string, key: string): { partition: number; preference: readonly NodeId[] } {
    const ring = this.ring();
    const partition = partitionOfDigest(keyDigest(bucket, key), ring.ringSize);
    return { partition, preference: ring.preferenceList(partition) };
  }

  /**
   * The nodes a request for `partition` goes to: the first N healthy nodes of the extended
   * preference list, fallbacks tagged with the primary they stand in for; with hinted handoff
   * off, the primaries alone (down ones included: they fail and count against the quorum).
   */
  targets(partition: number): AnnotatedNode[] {
    const ring = this.ring();
    if (!this.options.hintedHandoff) return ring.preferenceList(partition).map((node) => ({ node, role: 'primary' }));
    return annotatedPreferenceList(ring, partition, this.options.isUp);
  }

  /**
   * The targets of a write this node coordinates: itself first (it mints the version), then the
   * other targets of the partition; those `counted` answer for W. During a transfer the nodes of
   * the future preference list that are not already targets follow them: they receive the write,
   * so nothing written meanwhile is lost, but they do not count toward W, since reads still go to
   * the current ring alone.
   */
  writeTargets(partition: number): WriteTargets {
    const { self, membership } = this.options;
    const chosen = this.targets(partition);
    const targets: AnnotatedNode[] = [{ node: self, role: 'primary' }];
    for (const target of chosen) if (target.node !== self) targets.push(target);
    const counted = targets.length;
    const future = membership.futureRing();
    if (future !== undefined && future !== membership.ring()) {
      for (const node of future.preferenceList(partition)) {
        if (!targets.some((target) => target.node === node)) targets.push({ node, role: 'primary' });
      }
    }
    return { targets, counted };
  }

  /** Partitions whose preference list satisfies `test` (none before the node knows a ring). */
  partitionsWhere(test: (preference: readonly NodeId[]) => boolean): number[] {
    const ring = this.options.membership.ring();
    if (ring === undefined) return [];
    const out: number[] = [];
    for (let p = 0; p < ring.ringSize; p++) if (test(ring.preferenceList(p))) out.push(p);
    return out;
  }
}
