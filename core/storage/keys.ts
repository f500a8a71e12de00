// The layout of data keys in the store, partition first, so that one partition is one
// contiguous key range (DESIGN.md, "Storage layout"): handoff of a partition is a range scan
// and its Merkle tree is a range walk.
//
//   [partition: uint16 BE][bucket length: uint8][bucket: UTF-8][key: UTF-8]
//
// The key needs no length: it runs to the end. Within a partition, entries sort by bucket
// length, then bucket, then key, in unsigned byte order.

import { bucketBytesMax, keyBytesMax } from '../common/limits.js';
import { StoreError, type Bytes } from './store.js';

/** Largest partition index the layout can hold. */
export const partitionMax = 0xffff;

const headerBytes = 3;

export interface DataKey {
  partition: number;
  bucket: string;
  key: string;
}

/** Encodes a data key into one fresh allocation. Throws StoreError('bad_key') on bad input. */
export function encodeDataKey(partition: number, bucket: string, key: string): Buffer {
  checkPartition(partition);
  const bucketBytes = Buffer.byteLength(bucket, 'utf8');
  if (bucketBytes > bucketBytesMax) {
    throw new StoreError('bad_key', `bucket is ${bucketBytes} bytes, more than ${bucketBytesMax}`);
  }
  const keyBytes = Buffer.byteLength(key, 'utf8');
  const out = Buffer.allocUnsafe(headerBytes + bucketBytes + keyBytes);
  out[0] = partition >>> 8;
  out[1] = partition & 0xff;
  out[2] = bucketBytes;
  out.write(bucket, headerBytes, bucketBytes, 'utf8');
  out.write(key, headerBytes + bucketBytes, keyBytes, 'utf8');
  return out;
}

/** Decodes a data key. Throws StoreError('bad_key') when the bytes are not a data key. */
export function decodeDataKey(bytes: Bytes): DataKey {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < headerBytes) {
    throw new StoreError('bad_key', 'a data key is at least 3 bytes');
  }
  const buffer = asBuffer(bytes);
  const bucketEnd = headerBytes + buffer[2];
  if (bucketEnd > buffer.byteLength) {
    throw new StoreError('bad_key', 'a data key is shorter than its bucket length says');
  }
  return {
    partition: (buffer[0] << 8) | buffer[1],
    bucket: buffer.toString('utf8', headerBytes, bucketEnd),
    key: buffer.toString('utf8', bucketEnd),
  };
}

/**
 * The bytes of a data key up to the end of its bucket, [partition][bucket length][bucket]: the
 * prefix every key of that bucket in that partition shares.
 */
export function dataKeyBucketPrefix(bytes: Bytes): Buffer {
  const buffer = asBuffer(bytes);
  if (buffer.byteLength < headerBytes || headerBytes + buffer[2] > buffer.byteLength) {
    throw new StoreError('bad_key', 'a data key is shorter than its bucket length says');
  }
  return buffer.subarray(0, headerBytes + buffer[2]);
}

/** The bucket of a data key, without decoding its key. */
export function dataKeyBucket(bytes: Bytes): string {
  return dataKeyBucketPrefix(bytes).toString('utf8', headerBytes);
}

/** Whether `bytes` has the shape of a data key: its bucket fits, and so would the longest bucket and key. */
export function isDataKey(bytes: unknown): bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < headerBytes) return false;
  return headerBytes + bytes[2] <= bytes.byteLength && bytes.byteLength <= headerBytes + bucketBytesMax + keyBytesMax;
}

/** The partition index of a data key, without decoding the rest. */
export function dataKeyPartition(bytes: Bytes): number {
  if (bytes.byteLength < 2) throw new StoreError('bad_key', 'a data key is at least 3 bytes');
  return (bytes[0] << 8) | bytes[1];
}

/** The bounds of every data key of one partition. The last partition has no upper bound. */
export function partitionRange(partition: number): { gte: Buffer; lt?: Buffer } {
  checkPartition(partition);
  const gte = Buffer.from([partition >>> 8, partition & 0xff]);
  if (partition === partitionMax) return { gte };
  const next = partition + 1;
  return { gte, lt: Buffer.from([next >>> 8, next & 0xff]) };
}

/** The bounds of every data key of one bucket within one partition. */
export function bucketRange(partition: number, bucket: string): { gte: Buffer; lt?: Buffer } {
  const gte = encodeDataKey(partition, bucket, '');
  return { gte, lt: prefixUpperBound(gte) };
}

/**
 * The smallest byte string greater than every string that starts with `prefix`, or undefined
 * when there is none (the prefix is all 0xff).
 */
export function prefixUpperBound(prefix: Bytes): Buffer | undefined {
  let end = prefix.byteLength;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = Buffer.from(prefix.subarray(0, end));
  out[end - 1]++;
  return out;
}

function checkPartition(partition: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition > partitionMax) {
    throw new StoreError('bad_key', `partition ${partition} is not an integer in 0…${partitionMax}`);
  }
}

function asBuffer(bytes: Bytes): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
