// A key's place on the ring (Dynamo §4.2): the MD5 digest of
//
//     bucketLength || utf8(bucket) || utf8(key)
//
// where `bucketLength` is one byte holding the bucket's UTF-8 length (see partitioner.ts). Every
// node and every partition-aware client computes it once per request, so it lives here, pure:
// this folder compiles without Node's types (no node:crypto, no Buffer), hence MD5 in plain
// TypeScript (RFC 1321). MD5 serves only to spread keys evenly, as in the paper; nothing here
// relies on it resisting collisions.
//
// Strings are encoded as Node encodes them (and as the digest has always been computed, with
// node:crypto): UTF-8, with a lone surrogate written as U+FFFD. Keys that arrive over HTTP or
// from peers are well-formed anyway; the replacement only keeps the two encoders identical.
//
// Allocation: one 16-byte result per call. The message is assembled in a scratch buffer that
// grows to the longest key seen (up to `scratchBytesMax`; a longer message gets a buffer of its
// own), and the compression works on numbers in locals.

import { assert } from '../common/assert.js';
import { bucketBytesMax } from '../common/limits.js';
import { utf8ByteLength, utf8Write } from '../version/utf8.js';
import { digestBytes } from './partitioner.js';

// The bucket's length travels in one byte.
assert(bucketBytesMax <= 0xff, 'key-digest: bucketBytesMax must fit in the length byte');

/**
 * The largest message kept in the reusable scratch buffer. Keys are at most keyBytesMax (1 KiB)
 * at the edge, so every real request fits; a longer one still works, with a buffer of its own.
 */
const scratchBytesMax = 64 * 1024;

let scratch = new Uint8Array(2048);

/** md5(len(bucket) || utf8(bucket) || utf8(key)): the key's 16-byte digest (Dynamo §4.2). */
export function keyDigest(bucket: string, key: string): Uint8Array {
  let bucketBytes = utf8ByteLength(bucket);
  if (bucketBytes < 0) {
    bucket = wellFormed(bucket);
    bucketBytes = utf8ByteLength(bucket);
  }
  assert(bucketBytes <= bucketBytesMax, `keyDigest: a bucket is at most ${bucketBytesMax} bytes of UTF-8`);
  let keyBytes = utf8ByteLength(key);
  if (keyBytes < 0) {
    key = wellFormed(key);
    keyBytes = utf8ByteLength(key);
  }
  const length = 1 + bucketBytes + keyBytes;
  const padded = paddedLength(length);
  let buffer = scratch;
  if (padded > buffer.length) {
    buffer = new Uint8Array(padded);
    if (padded <= scratchBytesMax) scratch = buffer;
  }
  buffer[0] = bucketBytes;
  let at = utf8Write(bucket, buffer, 1);
  at = utf8Write(key, buffer, at);
  assert(at === length, 'keyDigest: encoded length differs from the computed one');
  return md5Padded(buffer, length, padded);
}

/** The MD5 digest of `bytes` (RFC 1321). Allocates a padded copy: for tests and cold paths. */
export function md5(bytes: Uint8Array): Uint8Array {
  const padded = paddedLength(bytes.length);
  const buffer = new Uint8Array(padded);
  buffer.set(bytes);
  return md5Padded(buffer, bytes.length, padded);
}

/** `s` with every lone surrogate replaced by U+FFFD (what Buffer and TextEncoder write). */
function wellFormed(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += '\ufffd';
    } else if (unit >= 0xdc00 && unit <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

/** The message length once padded: room for 0x80 and the 8-byte length, rounded up to 64. */
function paddedLength(length: number): number {
  return (((length + 8) >>> 6) + 1) << 6;
}

// Per-step additive constants: floor(abs(sin(i + 1)) * 2^32), written out so that no platform's
// Math.sin can change them.
const K = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

/** Rotation amounts, four per round. */
const S = new Uint8Array([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);

/** The message words of the block being compressed (reused: no allocation per block). */
const words = new Int32Array(16);

/**
 * MD5 of buffer[0, length), where buffer has `padded` bytes of room. Writes the padding (0x80,
 * zeros, the bit length little-endian) into the buffer, then compresses each 64-byte block.
 */
function md5Padded(buffer: Uint8Array, length: number, padded: number): Uint8Array {
  buffer[length] = 0x80;
  buffer.fill(0, length + 1, padded - 8);
  const bitsLow = (length << 3) >>> 0;
  const bitsHigh = Math.floor(length / 0x20000000);
  writeWord(buffer, padded - 8, bitsLow);
  writeWord(buffer, padded - 4, bitsHigh);

  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let block = 0; block < padded; block += 64) {
    for (let i = 0; i < 16; i++) {
      const o = block + (i << 2);
      words[i] = buffer[o] | (buffer[o + 1] << 8) | (buffer[o + 2] << 16) | (buffer[o + 3] << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    // The four rounds differ only in their mixing function: one loop each keeps the steps free
    // of branches.
    for (let i = 0; i < 16; i++) {
      const sum = (a + ((b & c) | (~b & d)) + K[i] + words[i]) | 0;
      const shift = S[i & 3];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    for (let i = 16; i < 32; i++) {
      const sum = (a + ((d & b) | (~d & c)) + K[i] + words[(5 * i + 1) & 15]) | 0;
      const shift = S[4 | (i & 3)];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    for (let i = 32; i < 48; i++) {
      const sum = (a + (b ^ c ^ d) + K[i] + words[(3 * i + 5) & 15]) | 0;
      const shift = S[8 | (i & 3)];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    for (let i = 48; i < 64; i++) {
      const sum = (a + (c ^ (b | ~d)) + K[i] + words[(7 * i) & 15]) | 0;
      const shift = S[12 | (i & 3)];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }

  const digest = new Uint8Array(digestBytes);
  writeWord(digest, 0, a0);
  writeWord(digest, 4, b0);
  writeWord(digest, 8, c0);
  writeWord(digest, 12, d0);
  return digest;
}

/** Writes a 32-bit word little-endian. */
function writeWord(out: Uint8Array, offset: number, word: number): void {
  out[offset] = word & 0xff;
  out[offset + 1] = (word >>> 8) & 0xff;
  out[offset + 2] = (word >>> 16) & 0xff;
  out[offset + 3] = (word >>> 24) & 0xff;
}
