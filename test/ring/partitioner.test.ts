// Tests of the partitioner: equal partitions of the MD5 ring, valid ring sizes.

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import { ringSizeDefault } from '../../core/common/limits.js';
import { isValidRingSize, partitionOfDigest } from '../../core/ring/partitioner.js';

const ringSizes = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

function randomDigest(random: SeededRandom): Uint8Array {
  const digest = new Uint8Array(16);
  for (let i = 0; i < 16; i++) digest[i] = random.int(256);
  return digest;
}

/** The partition by the definition: floor(digest · Q / 2^128), computed on the whole 128 bits. */
function partitionByDefinition(digest: Uint8Array, ringSize: number): number {
  let value = 0n;
  for (const byte of digest) value = (value << 8n) | BigInt(byte);
  return Number((value * BigInt(ringSize)) >> 128n);
}

describe('isValidRingSize', () => {
  it('accepts exactly the powers of two from 8 to 16384', () => {
    // Proves the validation by listing both the accepted sizes and the near misses around them.
    for (const q of ringSizes) expect(isValidRingSize(q)).toBe(true);
    for (const q of [0, 1, 2, 4, 6, 12, 63, 65, 100, 32768, -8, 8.5, Number.NaN, Infinity]) {
      expect(isValidRingSize(q)).toBe(false);
    }
    expect(isValidRingSize(ringSizeDefault)).toBe(true);
  });
});

describe('partitionOfDigest', () => {
  it('takes the top log2(Q) bits, as floor(digest · Q / 2^128) defines', () => {
    // Proves the fast 32-bit path against a 128-bit BigInt computation of the definition, on
    // seeded random digests for every ring size, plus the extreme digests.
    const random = new SeededRandom(7);
    for (const q of ringSizes) {
      for (let i = 0; i < 200; i++) {
        const digest = randomDigest(random);
        expect(partitionOfDigest(digest, q)).toBe(partitionByDefinition(digest, q));
      }
      expect(partitionOfDigest(new Uint8Array(16), q)).toBe(0);
      expect(partitionOfDigest(new Uint8Array(16).fill(0xff), q)).toBe(q - 1);
    }
  });

  it('cuts the space into equal partitions, so uniform digests spread evenly', () => {
    // Proves equal partition widths statistically: 64,000 uniform digests on 64 partitions put
    // 1,000 ± 20% in every partition.
    const random = new SeededRandom(11);
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < 64_000; i++) counts[partitionOfDigest(randomDigest(random), 64)]++;
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(200);
  });

  it('refuses a digest that is not 16 bytes and an invalid ring size', () => {
    // Proves the argument assertions by calling with a short digest and a ring size of 100.
    expect(() => partitionOfDigest(new Uint8Array(4), 64)).toThrow();
    expect(() => partitionOfDigest(new Uint8Array(16), 100)).toThrow();
  });
});
