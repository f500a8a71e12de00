// This node's replicas: the data it holds for its own partitions, and the hints it holds for
// down nodes (Dynamo §4.6). Every read-modify-write of one key is serialized (KeyLocks), and
// every write of a data key reports (old bytes, new bytes) to `onDataWrite` so the anti-entropy
// trees stay current without a rebuild, and goes with what it changes in the key index
// (key-index.ts: keys with siblings, counts per bucket) in one atomic write.
//
// Hint keys: [target id length u8][target id][data key], so one target's hints are one range.
//
// Durable writes (Dynamo §6.1's durability-for-performance choice; Riak's DW): a write asked to
// be durable is stored with a synced LevelDB write, on stable storage before the call resolves.
// A store that syncs every write (the node's --sync) makes every write durable; a plain write
// asks for nothing and costs nothing more.

import type { Clock } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import type { Transport } from '../net/transport.js';
import { dataKeyPartition, encodeDataKey, prefixUpperBound } from '../storage/keys.js';
import type { Bytes, SpaceBatchOp, Store, WriteOptions } from '../storage/store.js';
import { coordinatePut, mergeSiblingSets, siblingSetEquals } from '../version/sibling-set.js';
import type { PutResult, SiblingSet, SiblingWrite } from '../version/sibling-set.js';
import type { CausalContext } from '../version/causal-context.js';
import { CodedError } from '../common/coded-error.js';
import type { BackgroundFailures } from './background-failures.js';
import { KeyIndex } from './key-index.js';
import { KeyLocks } from './key-locks.js';
import type { NodeEvents } from './node-events.js';
import { decodeRecord, encodeRecord } from './record-codec.js';

/** What the node's background services over its replica share (anti-entropy, tombstone collection). */
export interface ReplicaServiceOptions {
  self: NodeId;
  store: Store;
  replica: Replica;
  transport: Transport;
  clock: Clock;
  /** The replicas of a partition (its preference list). */
  replicasOf: (partition: number) => readonly NodeId[];
  isUp: (id: NodeId) => boolean;
  requestTimeoutMs: number;
  failures: BackgroundFailures;
  events: NodeEvents;
}

export type DataWriteListener = (partition: number, dataKey: Bytes, before: Bytes | undefined, after: Bytes | undefined) => void;

/** A hinted write refused: this node already keeps hintsPerTargetMax hints for that target. */
export class HintsFullError extends CodedError<'hints_full'> {
  override name = 'HintsFullError';
}

export interface ReplicaOptions {
  store: Store;
  /** Most hints kept for one target; a hinted write past it is refused (and counted). */
  hintsPerTargetMax: number;
  /** Most read-modify-writes waiting on one key (key-locks.ts). */
  keyLockQueueMax: number;
  /** Superseded versions each key keeps (core/version/history.ts; the node's --history). */
  historyMax: number;
}

/** The options of every durable write: one object, made once. */
const syncedWrite: WriteOptions = { sync: true };

export class Replica {
  private readonly store: Store;
  /** Every write of this replica is durable, asked or not (the node's --sync): its acks say so. */
  readonly syncsEveryWrite: boolean;
  private readonly locks: KeyLocks;
  private readonly hintCounts = new Map<NodeId, number>();
  private readonly hintsPerTargetMax: number;
  private readonly historyMax: number;
  onDataWrite: DataWriteListener | undefined;
  hintsRefused = 0;
  /** The keys with siblings and the counts per bucket, kept by every write of a data key. */
  readonly index: KeyIndex;

  /** Writes refused because too many were already waiting on their key. */
  get keyLockRefusals(): number {
    return this.locks.refused;
  }

  constructor(options: ReplicaOptions) {
    this.store = options.store;
    this.syncsEveryWrite = options.store.syncsEveryWrite === true;
    this.hintsPerTargetMax = options.hintsPerTargetMax;
    this.historyMax = options.historyMax;
    this.locks = new KeyLocks(options.keyLockQueueMax);
    this.index = new KeyIndex(options.store);
  }

  /** Counts the hints kept from an earlier run (they are durable). */
  async loadHintCounts(): Promise<void> {
    this.hintCounts.clear();
    for await (const [key] of this.store.hints.range({})) {
      const target = hintTarget(key);
      this.hintCounts.set(target, (this.hintCounts.get(target) ?? 0) + 1);
    }
  }

  // ── Data ────────────────────────────────────────────────────────────────────────────────

  /** The stored bytes of a key, undecoded (a replica read answers with them as they are). */
  readBytes(partition: number, bucket: string, key: string): Promise<Bytes | undefined> {
    return this.store.data.get(encodeDataKey(partition, bucket, key));
  }

  async read(partition: number, bucket: string, key: string): Promise<SiblingSet | undefined> {
    const bytes = await this.readBytes(partition, bucket, key);
    return bytes === undefined ? undefined : decodeRecord(bytes);
  }

  /**
   * Coordinates a write against this replica (core/version coordinatePut) and stores it: one
   * read and one LevelDB write, synced when `durable`. Returns the result and the bytes to send
   * to the other replicas.
   */
  coordinate(
    partition: number,
    bucket: string,
    key: string,
    context: CausalContext,
    coordinator: NodeId,
    write: SiblingWrite,
    durable = false,
  ): Promise<{ result: PutResult; encoded: Bytes | undefined }> {
    const dataKey = encodeDataKey(partition, bucket, key);
    return this.locks.run(lockName(undefined, dataKey), async () => {
      const before = await this.store.data.get(dataKey);
      const local = before === undefined ? undefined : decodeRecord(before);
      const result = coordinatePut(local, context.vv, coordinator, write, context.dots, this.historyMax);
      if (!result.ok) return { result, encoded: undefined };
      const encoded = encodeRecord(result.state);
      await this.writeData(dataKey, local, result.state, encoded, durable ? syncedWrite : undefined);
      this.onDataWrite?.(partition, dataKey, before, encoded);
      return { result, encoded };
    });
  }

  /**
   * Merges a state from a peer (a replicated write, a repair, a handoff) into the data; when
   * `durable`, the merged state is on stable storage when this resolves (mergeInto).
   */
  mergeData(partition: number, bucket: string, key: string, incoming: SiblingSet, durable = false): Promise<void> {
    const dataKey = encodeDataKey(partition, bucket, key);
    return this.mergeInto(undefined, dataKey, incoming, (before, after) => this.onDataWrite?.(partition, dataKey, before, after), durable);
  }

  /**
   * Removes a key whose state is still exactly `expected` (a tombstone every replica holds);
   * false, changing nothing, when a write raced in.
   */
  reap(partition: number, bucket: string, key: string, expected: Bytes): Promise<boolean> {
    const dataKey = encodeDataKey(partition, bucket, key);
    return this.locks.run(lockName(undefined, dataKey), async () => {
      const current = await this.store.data.get(dataKey);
      if (current === undefined || !bytesEqual(current, expected)) return false;
      await this.writeData(dataKey, decodeRecord(current), undefined, undefined, undefined);
      this.onDataWrite?.(partition, dataKey, current, undefined);
      return true;
    });
  }

  /**
   * How many keys (tombstones included) this node holds in each partition that has any, as
   * [partition, count] pairs in partition order: one scan of the data space, for the console's
   * join-plan estimates (GET /v1/admin/partitions). Stops counting at `keysMax` keys in all, so
   * an operator's look at a huge store stays bounded; `complete` says whether it got through.
   */
  async keyCounts(keysMax: number): Promise<{ counts: Array<[number, number]>; complete: boolean }> {
    const counts = new Map<number, number>();
    let seen = 0;
    for await (const [key] of this.store.data.range({ limit: keysMax + 1 })) {
      if (++seen > keysMax) return { counts: [...counts].sort((a, b) => a[0] - b[0]), complete: false };
      const partition = dataKeyPartition(key);
      counts.set(partition, (counts.get(partition) ?? 0) + 1);
    }
    return { counts: [...counts].sort((a, b) => a[0] - b[0]), complete: true };
  }

  // ── Hints ───────────────────────────────────────────────────────────────────────────────

  /** Merges a state meant for `target` (a down primary) into this node's hints for it; `durable` as mergeData. */
  async mergeHint(target: NodeId, partition: number, bucket: string, key: string, incoming: SiblingSet, durable = false): Promise<void> {
    const hintKey = encodeHintKey(target, encodeDataKey(partition, bucket, key));
    await this.mergeInto(
      target,
      hintKey,
      incoming,
      (before) => {
        if (before === undefined) this.hintCounts.set(target, (this.hintCounts.get(target) ?? 0) + 1);
      },
      durable,
    );
  }

  async readHint(target: NodeId, partition: number, bucket: string, key: string): Promise<Bytes | undefined> {
    return this.store.hints.get(encodeHintKey(target, encodeDataKey(partition, bucket, key)));
  }

  /** Whether this node keeps a hint for the key, for any target. */
  async holdsHint(partition: number, bucket: string, key: string): Promise<boolean> {
    const dataKey = encodeDataKey(partition, bucket, key);
    for (const target of this.hintCounts.keys()) {
      if ((await this.store.hints.get(encodeHintKey(target, dataKey))) !== undefined) return true;
    }
    return false;
  }

  /** Up to `limit` hints for `target`, as (hint key, data key, bytes). */
  async hintsFor(target: NodeId, limit: number): Promise<Array<{ hintKey: Bytes; dataKey: Bytes; bytes: Bytes }>> {
    const prefix = hintPrefix(target);
    const out: Array<{ hintKey: Bytes; dataKey: Bytes; bytes: Bytes }> = [];
    for await (const [hintKey, bytes] of this.store.hints.range({ gte: prefix, lt: prefixUpperBound(prefix), limit })) {
      out.push({ hintKey, dataKey: hintKey.subarray(prefix.length), bytes });
    }
    return out;
  }

  /** Removes a delivered hint, unless it changed since `delivered` was read (then it stays). */
  async removeHint(target: NodeId, hintKey: Bytes, delivered: Bytes): Promise<boolean> {
    return this.locks.run(lockName(target, hintKey.subarray(hintPrefix(target).length)), async () => {
      const current = await this.store.hints.get(hintKey);
      if (current === undefined || !bytesEqual(current, delivered)) return false;
      await this.store.hints.del(hintKey);
      const count = (this.hintCounts.get(target) ?? 1) - 1;
      if (count > 0) this.hintCounts.set(target, count);
      else this.hintCounts.delete(target);
      return true;
    });
  }

  hintsPending(): { pending: number; byTarget: Record<NodeId, number> } {
    let pending = 0;
    const byTarget: Record<NodeId, number> = {};
    for (const [target, count] of this.hintCounts) {
      pending += count;
      byTarget[target] = count;
    }
    return { pending, byTarget };
  }

  hintTargets(): NodeId[] {
    return [...this.hintCounts.keys()];
  }

  // ── Shared ──────────────────────────────────────────────────────────────────────────────

  /**
   * Stores a data key's new state (`after` undefined: removes the key) with the index entry the
   * change needs, in one atomic batch; a change that needs none (one version before and after,
   * the common case) writes the data alone. Then counts it. Called under the key's lock.
   * `options`: syncedWrite for a durable write, undefined for a plain one.
   */
  private async writeData(
    dataKey: Bytes,
    before: SiblingSet | undefined,
    after: SiblingSet | undefined,
    encoded: Bytes | undefined,
    options: WriteOptions | undefined,
  ): Promise<void> {
    const change = this.index.change(dataKey, before, after);
    if (change.op !== undefined) {
      const data: SpaceBatchOp =
        encoded === undefined ? { space: 'data', type: 'del', key: dataKey } : { space: 'data', type: 'put', key: dataKey, value: encoded };
      await this.store.batch([data, change.op], options);
    } else if (encoded === undefined) {
      await this.store.data.del(dataKey, options);
    } else {
      await this.store.data.put(dataKey, encoded, options);
    }
    this.index.counted(dataKey, change);
  }

  /**
   * Merges `incoming` into the state stored under `storeKey` (data, or `target`'s hints). When
   * `durable`, the merged state is on stable storage when this resolves: it is written with a
   * synced write, and so is a state that the merge leaves as it was (the write that stored it
   * may not have been synced, and a durable ack must not lean on it) unless the store syncs
   * every write.
   */
  private mergeInto(
    target: NodeId | undefined,
    storeKey: Bytes,
    incoming: SiblingSet,
    changed: (before: Bytes | undefined, after: Bytes) => void,
    durable: boolean,
  ): Promise<void> {
    const space = target === undefined ? this.store.data : this.store.hints;
    const lockKey = target === undefined ? storeKey : storeKey.subarray(hintPrefix(target).length);
    const options = durable ? syncedWrite : undefined;
    return this.locks.run(lockName(target, lockKey), async () => {
      const before = await space.get(storeKey);
      let local: SiblingSet | undefined;
      let merged: SiblingSet;
      if (before === undefined) {
        if (target !== undefined && (this.hintCounts.get(target) ?? 0) >= this.hintsPerTargetMax) {
          this.hintsRefused++;
          throw new HintsFullError('hints_full', `hints for ${target} are full (${this.hintsPerTargetMax})`);
        }
        // Stored in canonical form, whatever the sender sent.
        merged = mergeSiblingSets({ vv: {}, siblings: [] }, incoming, this.historyMax);
      } else {
        local = decodeRecord(before);
        merged = mergeSiblingSets(local, incoming, this.historyMax);
        if (siblingSetEquals(merged, local)) {
          // The same bytes again: the index, the counts and the trees stay as they are.
          if (durable && !this.syncsEveryWrite) await space.put(storeKey, before, syncedWrite);
          return;
        }
      }
      const after = encodeRecord(merged);
      if (target === undefined) await this.writeData(storeKey, local, merged, after, options);
      else await space.put(storeKey, after, options);
      changed(before, after);
    });
  }
}

function lockName(target: NodeId | undefined, dataKey: Bytes): string {
  const key = Buffer.from(dataKey.buffer, dataKey.byteOffset, dataKey.byteLength).toString('latin1');
  return target === undefined ? key : `${target}\u0000${key}`;
}

function hintPrefix(target: NodeId): Buffer {
  const id = Buffer.from(target, 'utf8');
  const prefix = Buffer.allocUnsafe(1 + id.length);
  prefix[0] = id.length;
  id.copy(prefix, 1);
  return prefix;
}

export function encodeHintKey(target: NodeId, dataKey: Bytes): Buffer {
  return Buffer.concat([hintPrefix(target), dataKey]);
}

function hintTarget(hintKey: Bytes): NodeId {
  return Buffer.from(hintKey.buffer, hintKey.byteOffset + 1, hintKey[0]).toString('utf8');
}

function bytesEqual(a: Bytes, b: Bytes): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
