// Proves the data-key layout: it round-trips every bucket and key, sorts partition first, and
// partitionRange covers exactly one partition's keys.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketRange,
  dataKeyPartition,
  decodeDataKey,
  encodeDataKey,
  partitionRange,
  prefixUpperBound,
} from '../../core/storage/keys.js';
import { StoreError } from '../../core/storage/store.js';

const partition = fc.integer({ min: 0, max: 0xffff });
const bucket = fc.string({ unit: 'grapheme', maxLength: 40 });
const key = fc.string({ unit: 'grapheme', maxLength: 80 });

function inRange(bytes: Uint8Array, range: { gte: Uint8Array; lt?: Uint8Array }): boolean {
  return Buffer.compare(bytes, range.gte) >= 0 && (range.lt === undefined || Buffer.compare(bytes, range.lt) < 0);
}

describe('data keys', () => {
  it('lays out partition, bucket length, bucket, key', () => {
    expect([...encodeDataKey(0x0102, 'ab', 'c')]).toEqual([0x01, 0x02, 2, 0x61, 0x62, 0x63]);
    expect([...encodeDataKey(7, '', '')]).toEqual([0, 7, 0]);
  });

  it('round-trips any partition, bucket and key', () => {
    fc.assert(
      fc.property(partition, bucket, key, (p, bk, k) => {
        const bytes = encodeDataKey(p, bk, k);
        expect(decodeDataKey(bytes)).toEqual({ partition: p, bucket: bk, key: k });
        expect(decodeDataKey(new Uint8Array(bytes))).toEqual({ partition: p, bucket: bk, key: k });
        expect(dataKeyPartition(bytes)).toBe(p);
      }),
      { numRuns: 300 },
    );
  });

  it('puts every key of a partition inside partitionRange and no other', () => {
    fc.assert(
      fc.property(partition, partition, bucket, key, (p, q, bk, k) => {
        expect(inRange(encodeDataKey(p, bk, k), partitionRange(q))).toBe(p === q);
      }),
      { numRuns: 300 },
    );
  });

  it('puts every key of a bucket inside bucketRange and no other', () => {
    fc.assert(
      fc.property(partition, bucket, bucket, key, (p, b1, b2, k) => {
        expect(inRange(encodeDataKey(p, b1, k), bucketRange(p, b2))).toBe(b1 === b2);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the last partition an open upper bound, and the prefix bound carries', () => {
    expect(partitionRange(0xffff).lt).toBeUndefined();
    expect([...(prefixUpperBound(Buffer.from([1, 0xff, 0xff])) as Buffer)]).toEqual([2]);
    expect(prefixUpperBound(Buffer.from([0xff]))).toBeUndefined();
  });

  it('rejects bad partitions, long buckets and malformed bytes with StoreError("bad_key")', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
        return undefined;
      } catch (error) {
        return error instanceof StoreError ? error.code : 'untyped';
      }
    };
    expect(codeOf(() => encodeDataKey(-1, 'b', 'k'))).toBe('bad_key');
    expect(codeOf(() => encodeDataKey(0x10000, 'b', 'k'))).toBe('bad_key');
    expect(codeOf(() => encodeDataKey(1.5, 'b', 'k'))).toBe('bad_key');
    expect(codeOf(() => encodeDataKey(1, 'x'.repeat(256), 'k'))).toBe('bad_key');
    expect(codeOf(() => encodeDataKey(1, 'é'.repeat(128), 'k'))).toBe('bad_key'); // 256 bytes
    expect(codeOf(() => decodeDataKey(Buffer.from([0, 1])))).toBe('bad_key');
    expect(codeOf(() => decodeDataKey(Buffer.from([0, 1, 5, 0x61])))).toBe('bad_key');
  });
});
