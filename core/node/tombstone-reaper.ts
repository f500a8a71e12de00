// Tombstone collection. A delete leaves a tombstone sibling so that no replica, hint or
// anti-entropy exchange can bring the deleted value back. Once every replica of the key holds
// the same tombstone-only state and a grace period has passed since the delete, the key is
// removed everywhere: the first node of the key's preference list (one reaper per key) reads
// every primary, and asks each to remove the key only if its state is still exactly that one
// (compare-and-delete under the key's lock), so a write that raced in survives.
//
// A hint for the key still held by some fallback carries an older state; delivered after the
// reap, it would bring the old value back. So every other member must be up and answer that it
// holds no hint for the key before the reap goes ahead; the next tick tries again once the hint
// is delivered (it merges into the tombstone, which covers it).
//
// What it still costs: a write or read repair already in flight when the reap happens, or a
// member down for longer than the grace period and then joined by a new one, could bring an
// old state back; the grace period (default one hour) makes both vanishingly unlikely. Riak's
// delete_mode has the same trade-off.

import type { NodeId } from '../common/types.js';
import type { PeerMessage } from '../net/transport.js';
import { decodeDataKey, partitionRange } from '../storage/keys.js';
import type { Bytes } from '../storage/store.js';
import { isTombstoneOnly } from '../version/sibling-set.js';
import { decodeRecord } from './record-codec.js';
import { reapBatchMax } from './limits.js';
import { PeriodicTask } from './periodic-task.js';
import type { ReplicaServiceOptions } from './replica.js';

export interface TombstoneReaperOptions extends ReplicaServiceOptions {
  /** Partitions whose preference list starts with this node. */
  partitions: () => number[];
  /** Every member of the cluster (hints for a key may sit on any of them). */
  members: () => readonly NodeId[];
  graceMs: number;
  intervalMs: number;
}


export class TombstoneReaper {
  private readonly loop: PeriodicTask;
  private cursor = 0;
  reaped = 0;

  constructor(private readonly options: TombstoneReaperOptions) {
    this.loop = new PeriodicTask(options.clock, options.intervalMs, () => this.tick(), (error) =>
      options.failures.record('tombstone-reaper', error),
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Reaps what it can in one partition; resolves with the number of keys removed. */
  async reapPartition(partition: number): Promise<number> {
    const { store, clock, graceMs } = this.options;
    const candidates: Array<{ dataKey: Bytes; bytes: Bytes }> = [];
    for await (const [dataKey, bytes] of store.data.range(partitionRange(partition))) {
      const state = decodeRecord(bytes);
      if (!isTombstoneOnly(state)) continue;
      const newest = Math.max(...state.siblings.map((s) => s.lastModified));
      if (clock.now() - newest < graceMs) continue;
      candidates.push({ dataKey, bytes });
      if (candidates.length >= reapBatchMax) break;
    }
    let removed = 0;
    for (const candidate of candidates) if (await this.reapKey(partition, candidate.dataKey, candidate.bytes)) removed++;
    return removed;
  }

  private async reapKey(partition: number, dataKey: Bytes, bytes: Bytes): Promise<boolean> {
    const { bucket, key } = decodeDataKey(dataKey);
    const replicas = this.options.replicasOf(partition);
    const members = this.options.members();
    if (!replicas.every(this.options.isUp) || !members.every(this.options.isUp)) return false;
    // No member may hold a hint for the key: delivered after the reap, it would resurrect it.
    if (await this.options.replica.holdsHint(partition, bucket, key)) return false;
    for (const node of members) {
      if (node === this.options.self) continue;
      const reply = await this.call(node, { type: 'replica.hinted', b: bucket, k: key });
      if (reply.type !== 'hinted' || reply.any !== false) return false;
    }
    // Every replica must hold exactly this state.
    for (const node of replicas) {
      if (node === this.options.self) continue;
      const reply = await this.call(node, { type: 'replica.get', b: bucket, k: key });
      if (reply.type !== 'replica.state' || !(reply.rec instanceof Uint8Array) || !Buffer.from(reply.rec).equals(Buffer.from(bytes))) {
        return false;
      }
    }
    let all = true;
    for (const node of replicas) {
      if (node === this.options.self) all = (await this.options.replica.reap(partition, bucket, key, bytes)) && all;
      else {
        const reply = await this.call(node, { type: 'replica.reap', b: bucket, k: key, rec: bytes });
        all = reply.type === 'reaped' && reply.removed === true && all;
      }
    }
    if (all) this.reaped++;
    return all;
  }

  private async call(node: NodeId, message: PeerMessage): Promise<PeerMessage> {
    return this.options.transport.request(node, message, { timeoutMs: this.options.requestTimeoutMs });
  }

  /** One partition per tick; a replica that goes away mid-way fails the tick, the next retries. */
  private async tick(): Promise<void> {
    const partitions = this.options.partitions();
    if (partitions.length > 0) await this.reapPartition(partitions[this.cursor++ % partitions.length]);
  }
}
