// Tests of the pure key digest: it is byte-for-byte the digest nodes have always computed with
// node:crypto (md5 of the bucket length byte, the bucket and the key, strings encoded as Node
// encodes them), proved by a property over random unicode strings (lone surrogates included), by
// the RFC 1321 test vectors for the MD5 underneath, and by message lengths around the block
// padding boundaries. Pinned digests guard the placement of stored data against any change.

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketBytesMax } from '../../core/common/limits.js';
import { keyDigest, md5 } from '../../core/ring/key-digest.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The digest as nodes computed it before it moved to core/ring. */
function nodeCryptoKeyDigest(bucket: string, key: string): string {
  return createHash('md5').update(Buffer.from([Buffer.byteLength(bucket)])).update(bucket).update(key).digest('hex');
}

describe('md5', () => {
  it('matches the RFC 1321 test suite', () => {
    // The seven vectors of RFC 1321 §A.5, from empty to 80 bytes (two blocks).
    const vectors: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
      ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
    ];
    for (const [input, expected] of vectors) expect(hex(md5(Buffer.from(input, 'latin1')))).toBe(expected);
  });

  it('matches node:crypto at every length around the padding boundaries', () => {
    // 55 bytes is the longest message whose padding fits its own block; 56 to 63 spill into a
    // second one; 64 and 119/120 are the same edges one block later.
    for (let length = 0; length <= 200; length++) {
      const bytes = new Uint8Array(length);
      for (let i = 0; i < length; i++) bytes[i] = (i * 131 + length) & 0xff;
      expect(hex(md5(bytes)), `length ${length}`).toBe(createHash('md5').update(bytes).digest('hex'));
    }
  });
});

describe('keyDigest', () => {
  it('equals the node:crypto digest for random unicode buckets and keys', () => {
    // Full code points, lone surrogates included: Node writes a lone surrogate as U+FFFD, and
    // so must the pure encoder, or the same key would land in a different partition.
    // fast-check's 'binary' unit draws whole code points only, so surrogate halves are mixed in.
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
    );
    const bucket = fc.string({ unit, maxLength: 60 }).filter((b) => Buffer.byteLength(b) <= bucketBytesMax);
    const key = fc.oneof(fc.string({ unit, maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string());
    fc.assert(
      fc.property(bucket, key, (b, k) => {
        expect(hex(keyDigest(b, k))).toBe(nodeCryptoKeyDigest(b, k));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the placement of stored data: pinned digests', () => {
    // Computed once with node:crypto; a change here moves every key to another partition.
    expect(hex(keyDigest('b', 'k'))).toBe('de3eae59b816fa23d898a13675a79ae6');
    expect(hex(keyDigest('', ''))).toBe('93b885adfe0da089cdf634904fd59f71');
    expect(hex(keyDigest('users', 'user1234'))).toBe(nodeCryptoKeyDigest('users', 'user1234'));
    expect(hex(keyDigest('bücket', 'ключ'))).toBe(nodeCryptoKeyDigest('bücket', 'ключ'));
  });

  it('keeps ("ab", "c") and ("a", "bc") apart through the length byte', () => {
    expect(hex(keyDigest('ab', 'c'))).not.toBe(hex(keyDigest('a', 'bc')));
  });

  it('handles keys longer than the reusable buffer, and digests stay independent', () => {
    // A key past the scratch buffer's bound gets a buffer of its own; earlier results are
    // fresh arrays that later calls do not overwrite.
    const first = keyDigest('b', 'x');
    const long = 'y'.repeat(70_000);
    expect(hex(keyDigest('b', long))).toBe(nodeCryptoKeyDigest('b', long));
    expect(hex(keyDigest('b', '€'.repeat(3000)))).toBe(nodeCryptoKeyDigest('b', '€'.repeat(3000)));
    expect(hex(first)).toBe(nodeCryptoKeyDigest('b', 'x'));
  });

  it('refuses a bucket whose UTF-8 length does not fit in the length byte', () => {
    expect(hex(keyDigest('x'.repeat(255), 'k'))).toBe(nodeCryptoKeyDigest('x'.repeat(255), 'k'));
    expect(() => keyDigest('x'.repeat(256), 'k')).toThrow(/at most 255 bytes/);
    expect(() => keyDigest('é'.repeat(128), 'k')).toThrow(/at most 255 bytes/);
  });
});
