// What this node's replica knows about its keys without reading them all (finding keys:
// GET /v1/admin/keys and /v1/admin/buckets, through key-listing.ts).
//
// - The index of keys with siblings: one entry per data key that holds more than one version
//   (tombstones counted), in the store's meta space under the prefix 0x00 's' followed by the
//   data key, so that one partition's (or one bucket's) entries are one range, as in the data
//   space. The value is the key's version count (uint32 BE) and its newest version's
//   lastModified (float64 BE, epoch ms), so a page of such keys reads the index alone. The
//   entry is written in the same atomic batch as the data, and only when it must change: a
//   write that leaves a key at one version (the common case) writes the data alone, as before.
// - Counts per (partition, bucket) of the keys this node holds and of those with siblings, in
//   memory: the keys counted from the scan of the data that builds the anti-entropy trees at
//   start, those with siblings from the index, and both kept current by every write. They are
//   not persisted: a count stored beside the data would be one more record that every new key
//   of a bucket rewrites, a hot spot under concurrent writes. A partition handed to another
//   node keeps its data here (transfers.ts deletes nothing), and so its counts; the cluster's
//   answer asks a current replica of each partition (key-listing.ts).
//
// A store written before the index existed has no marker (meta 'key-index'): its first start
// builds the index from the data once, decoding every record, then sets the marker.

import { assert } from '../common/assert.js';
import { dataKeyBucket, dataKeyBucketPrefix, dataKeyPartition, encodeDataKey, partitionRange, prefixUpperBound } from '../storage/keys.js';
import { compareBytes, type Bytes, type SpaceBatchOp, type Store } from '../storage/store.js';
import type { SiblingSet } from '../version/sibling-set.js';
import { keyIndexBuildBatchMax } from './limits.js';
import { decodeRecord } from './record-codec.js';

/** What the index and the listings say about one key on this replica. */
export interface KeySummary {
  /** Versions the key holds, tombstones included. */
  versions: number;
  /** Epoch ms of its newest version (0 when it holds none). */
  lastModified: number;
}

/** What one write of a data key changes in the index and the counts. */
export interface KeyChange {
  /** The index operation to apply with the data, atomically; absent when the entry stays as it is. */
  op?: SpaceBatchOp;
  /** +1 when the key appears, -1 when it is removed. */
  keys: number;
  /** +1 when the key comes to hold siblings, -1 when it stops. */
  withSiblings: number;
}

/** One page's worth of keys of one partition on this replica. */
export interface KeyScan {
  partition: number;
  /** Only keys after this data key (of the same partition). */
  after?: Bytes;
  bucket?: string;
  /** Keys that start with this (in `bucket` when given, in every bucket otherwise). */
  prefix?: string;
  /** Read the index (keys with siblings) instead of the data. */
  siblingsOnly: boolean;
  /** Most keys returned. */
  limit: number;
  /** Most entries examined, matching or not. */
  scanMax: number;
}

export interface ScannedKey extends KeySummary {
  dataKey: Bytes;
}

export interface KeyScanResult {
  /** In data-key order. */
  keys: ScannedKey[];
  /** The answer covers the partition up to this data key (inclusive); absent: to its end. */
  through?: Bytes;
  /** Entries examined. */
  scanned: number;
}

export interface BucketCount {
  keys: number;
  withSiblings: number;
}

const indexPrefix = Buffer.from([0x00, 0x73]);
const markerKey = Buffer.from('key-index', 'utf8');
const markerValue = Buffer.from('1', 'utf8');
const entryBytes = 12;
const noPrefix = Buffer.alloc(0);
/** The change of the common write: one version before and after. */
const unchanged: KeyChange = Object.freeze({ keys: 0, withSiblings: 0 });

/** The summary of a stored state; undefined for none. */
export function summarize(state: SiblingSet | undefined): KeySummary | undefined {
  if (state === undefined) return undefined;
  let lastModified = 0;
  for (const sibling of state.siblings) if (sibling.lastModified > lastModified) lastModified = sibling.lastModified;
  return { versions: state.siblings.length, lastModified };
}

export class KeyIndex {
  private readonly counts = new Map<number, Map<string, BucketCount>>();

  constructor(private readonly store: Store) {}

  /**
   * At start: builds the index if the store has none yet, and counts the keys with siblings
   * from it. The keys themselves are counted by `countStored`, from the scan at start.
   */
  async load(): Promise<void> {
    this.counts.clear();
    if ((await this.store.meta.get(markerKey)) === undefined) await this.build();
    for await (const [indexKey] of this.store.meta.range(indexRange())) this.add(indexKey.subarray(indexPrefix.length), 0, 1);
  }

  /** Counts a key found in the data at start. */
  countStored(dataKey: Bytes): void {
    this.add(dataKey, 1, 0);
  }

  /** What a write of `dataKey` from `before` to `after` (undefined: none) changes here. */
  change(dataKey: Bytes, beforeState: SiblingSet | undefined, afterState: SiblingSet | undefined): KeyChange {
    // The common write (one version before and after) allocates nothing here.
    if (beforeState !== undefined && afterState !== undefined && beforeState.siblings.length <= 1 && afterState.siblings.length <= 1) {
      return unchanged;
    }
    const before = summarize(beforeState);
    const after = summarize(afterState);
    const had = before !== undefined && before.versions > 1;
    const has = after !== undefined && after.versions > 1;
    const change: KeyChange = { keys: Number(after !== undefined) - Number(before !== undefined), withSiblings: Number(has) - Number(had) };
    if (has && (!had || before.versions !== after.versions || before.lastModified !== after.lastModified)) {
      change.op = { space: 'meta', type: 'put', key: indexKey(dataKey), value: encodeEntry(after) };
    } else if (had && !has) {
      change.op = { space: 'meta', type: 'del', key: indexKey(dataKey) };
    }
    return change;
  }

  /** Applies a change to the counts, once its write is stored. */
  counted(dataKey: Bytes, change: KeyChange): void {
    if (change.keys !== 0 || change.withSiblings !== 0) this.add(dataKey, change.keys, change.withSiblings);
  }

  /** The counts of `partitions` summed per bucket. */
  bucketCounts(partitions: Iterable<number>): Map<string, BucketCount> {
    const out = new Map<string, BucketCount>();
    for (const partition of partitions) {
      for (const [bucket, count] of this.counts.get(partition) ?? []) addCount(out, bucket, count);
    }
    return out;
  }

  /**
   * Up to `limit` keys of one partition after `after`, within the bucket and prefix, from the
   * data or from the index. A prefix without a bucket skips from bucket to bucket (one seek per
   * bucket rather than a read of every key); past `scanMax` entries the scan stops early and
   * says how far it got.
   */
  async scan(request: KeyScan): Promise<KeyScanResult> {
    const { lower, upper } = scanBounds(request);
    const space = request.siblingsOnly ? this.store.meta : this.store.data;
    const base = request.siblingsOnly ? indexPrefix : noPrefix;
    const prefix = request.bucket === undefined && request.prefix ? Buffer.from(request.prefix, 'utf8') : undefined;
    const keys: ScannedKey[] = [];
    let scanned = 0;
    let from = request.after === undefined ? lower : maxBytes(lower, successor(request.after));
    for (;;) {
      let seek: Buffer | undefined;
      const range = { gte: Buffer.concat([base, from]), lt: upper === undefined ? prefixUpperBound(base) : Buffer.concat([base, upper]) };
      for await (const [storeKey, value] of space.range(range)) {
        const dataKey = storeKey.subarray(base.length);
        scanned++;
        seek = prefix === undefined ? undefined : seekPast(dataKey, prefix);
        if (seek === undefined) {
          const summary = request.siblingsOnly ? decodeEntry(value) : summarize(decodeRecord(value))!;
          keys.push({ dataKey, ...summary });
        }
        if (keys.length >= request.limit || scanned >= request.scanMax) return { keys, through: dataKey, scanned };
        if (seek !== undefined) break;
      }
      if (seek === undefined || (upper !== undefined && compareBytes(seek, upper) >= 0)) return { keys, scanned };
      from = seek;
    }
  }

  /** Writes the index of every stored key with siblings, then the marker (an older store's first start). */
  private async build(): Promise<void> {
    await this.store.meta.clear(indexRange());
    let batch: SpaceBatchOp[] = [];
    for await (const [dataKey, bytes] of this.store.data.range({})) {
      const op = this.change(dataKey, undefined, decodeRecord(bytes)).op;
      if (op !== undefined) batch.push(op);
      if (batch.length >= keyIndexBuildBatchMax) {
        await this.store.batch(batch);
        batch = [];
      }
    }
    batch.push({ space: 'meta', type: 'put', key: markerKey, value: markerValue });
    await this.store.batch(batch);
  }

  private add(dataKey: Bytes, keys: number, withSiblings: number): void {
    const partition = dataKeyPartition(dataKey);
    const bucket = dataKeyBucket(dataKey);
    let buckets = this.counts.get(partition);
    if (buckets === undefined) {
      buckets = new Map();
      this.counts.set(partition, buckets);
    }
    const count = buckets.get(bucket) ?? { keys: 0, withSiblings: 0 };
    count.keys += keys;
    count.withSiblings += withSiblings;
    // Never below zero; keys with siblings may pass keys only while `load` counts them first.
    assert(count.keys >= 0 && count.withSiblings >= 0, `counts of ${bucket} in ${partition} went below zero`);
    if (count.keys > 0 || count.withSiblings > 0) buckets.set(bucket, count);
    else buckets.delete(bucket);
    if (buckets.size === 0) this.counts.delete(partition);
  }
}

/** Adds `count` to the sum kept for `bucket`. */
export function addCount(sums: Map<string, BucketCount>, bucket: string, count: BucketCount): void {
  const sum = sums.get(bucket) ?? { keys: 0, withSiblings: 0 };
  sum.keys += count.keys;
  sum.withSiblings += count.withSiblings;
  sums.set(bucket, sum);
}

function indexKey(dataKey: Bytes): Buffer {
  return Buffer.concat([indexPrefix, dataKey]);
}

function indexRange(): { gte: Buffer; lt?: Buffer } {
  return { gte: indexPrefix, lt: prefixUpperBound(indexPrefix) };
}

function encodeEntry(summary: KeySummary): Buffer {
  const out = Buffer.allocUnsafe(entryBytes);
  out.writeUInt32BE(summary.versions, 0);
  out.writeDoubleBE(summary.lastModified, 4);
  return out;
}

function decodeEntry(bytes: Bytes): KeySummary {
  assert(bytes.byteLength === entryBytes, 'a key index entry is 12 bytes');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { versions: buffer.readUInt32BE(0), lastModified: buffer.readDoubleBE(4) };
}

/** The data-key bounds of a scan's bucket and prefix within its partition. */
function scanBounds(request: KeyScan): { lower: Buffer; upper?: Buffer } {
  const partition = partitionRange(request.partition);
  if (request.bucket === undefined) return { lower: partition.gte, upper: partition.lt };
  const lower = encodeDataKey(request.partition, request.bucket, request.prefix ?? '');
  return { lower, upper: prefixUpperBound(lower) ?? partition.lt };
}

/**
 * For a key that does not start with `prefix` (a scan with a prefix and no bucket), where the
 * next match may be: the prefix in the same bucket when the key sorts before it, the next
 * bucket otherwise. Undefined when the key matches.
 */
function seekPast(dataKey: Bytes, prefix: Buffer): Buffer | undefined {
  const bucketPrefix = dataKeyBucketPrefix(dataKey);
  const key = Buffer.from(dataKey.buffer, dataKey.byteOffset + bucketPrefix.byteLength, dataKey.byteLength - bucketPrefix.byteLength);
  if (key.byteLength >= prefix.byteLength && key.subarray(0, prefix.byteLength).equals(prefix)) return undefined;
  if (compareBytes(key, prefix) < 0) return Buffer.concat([bucketPrefix, prefix]);
  // Never undefined: a bucket's UTF-8 bytes are never 0xff.
  const nextBucket = prefixUpperBound(bucketPrefix);
  assert(nextBucket !== undefined, 'a data key has a successor bucket');
  return nextBucket;
}

/** The smallest byte string greater than `bytes`. */
function successor(bytes: Bytes): Buffer {
  return Buffer.concat([bytes, Buffer.from([0])]);
}

function maxBytes(a: Buffer, b: Buffer): Buffer {
  return compareBytes(a, b) >= 0 ? a : b;
}
