// Partitioning (Dynamo paper §4.2 and §6.2, strategy 3): the 128-bit MD5 space is cut into Q
// equal, fixed partitions (Riak's ring size), and a key lives in the partition its digest falls
// in. Ownership then moves a whole partition at a time (see claim.ts), so the key-to-partition
// mapping never changes while the cluster grows or shrinks.
//
// The digest is computed by key-digest.ts (MD5 in plain TypeScript), over this exact byte layout:
//
//     md5( bucketLength || bucket || key )
//
// where `bucketLength` is one byte holding the bucket name's UTF-8 length (a bucket is at most
// bucketBytesMax = 255 bytes), `bucket` is the bucket name in UTF-8 and `key` is the key's bytes
// (UTF-8 for string keys). The length byte keeps ("ab", "c") and ("a", "bc") apart.

import { assert } from '../common/assert.js';
import { ringSizeMax, ringSizeMin } from '../common/limits.js';

/** Bytes in an MD5 digest. */
export const digestBytes = 16;

/** True when `q` is a power of two in [ringSizeMin, ringSizeMax]. */
export function isValidRingSize(q: number): boolean {
  return Number.isInteger(q) && q >= ringSizeMin && q <= ringSizeMax && (q & (q - 1)) === 0;
}

/**
 * The partition a key's MD5 digest falls in: partition `p` holds the digests in
 * [p·2^128/Q, (p+1)·2^128/Q), so the index is the digest's top log2(Q) bits. Allocation-free:
 * Q is at most 2^14, so the first four bytes hold every bit that matters.
 */
export function partitionOfDigest(digest: Uint8Array, ringSize: number): number {
  assert(digest.length === digestBytes, 'partitionOfDigest: digest must be 16 bytes (MD5)');
  assert(isValidRingSize(ringSize), 'partitionOfDigest: invalid ring size');
  const top = (digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3];
  // 32 - log2(Q) = clz32(Q) + 1; `>>>` reads `top` as unsigned.
  return top >>> (Math.clz32(ringSize) + 1);
}
