// Key choosers of the load generator, as YCSB defines them (Cooper et al., "Benchmarking Cloud
// Serving Systems with YCSB", SoCC 2010; core/generator/ZipfianGenerator.java and
// ScrambledZipfianGenerator.java): uniform, zipfian (Gray et al.'s algorithm, "Quickly
// Generating Billion-Record Synthetic Databases", SIGMOD 1994) and scrambled zipfian, the
// distribution YCSB's workloads A to C request by default.
//
// Scrambled zipfian draws from a zipfian over 10^10 items with the zeta constant YCSB
// precomputed for theta 0.99, hashes the draw with 64-bit FNV-1a and reduces it modulo the key
// count. The popular keys are thus spread over the key space (and over the ring) instead of
// being the first few, and the most popular key gets 1/zeta(10^10, 0.99) ≈ 3.8 % of requests
// whatever the key count. All draws come from a seeded generator, so a seed replays a run's
// key sequence exactly.

import { assert } from '../core/common/assert.js';
import { SeededRandom } from '../core/common/random.js';

/** A source of key indexes in [0, items). */
export interface KeyChooser {
  readonly items: number;
  next(): number;
}

/** YCSB's default zipfian constant. */
export const zipfianTheta = 0.99;
/** Items of the zipfian that scrambled zipfian draws from (YCSB's ITEM_COUNT). */
export const scrambledItemCount = 10_000_000_000;
/** zeta(scrambledItemCount, 0.99), precomputed by YCSB (ScrambledZipfianGenerator.ZETAN). */
export const scrambledZetan = 26.46902820178302;
/** Key spaces larger than this cannot be reduced modulo exactly with doubles (see fnvModulo). */
export const keyCountMax = 2 ** 36;

export class UniformChooser implements KeyChooser {
  constructor(
    readonly items: number,
    private readonly random: SeededRandom,
  ) {
    assert(Number.isSafeInteger(items) && items >= 1, 'UniformChooser: items must be a positive integer');
  }

  next(): number {
    return this.random.int(this.items);
  }
}

/** zeta(n, theta) = Σ_{i=1..n} 1 / i^theta. */
export function zeta(n: number, theta: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / Math.pow(i, theta);
  return sum;
}

/**
 * YCSB's ZipfianGenerator over [0, items): item 0 is the most popular, item i is chosen with
 * probability 1 / ((i+1)^theta · zeta(items, theta)).
 */
export class ZipfianChooser implements KeyChooser {
  private readonly theta: number;
  private readonly zetan: number;
  private readonly alpha: number;
  private readonly eta: number;
  private readonly halfPowTheta: number;

  constructor(
    readonly items: number,
    private readonly random: SeededRandom,
    options: { theta?: number; zetan?: number } = {},
  ) {
    assert(Number.isSafeInteger(items) && items >= 2, 'ZipfianChooser: at least two items');
    this.theta = options.theta ?? zipfianTheta;
    assert(this.theta > 0 && this.theta < 1, 'ZipfianChooser: theta must be in (0, 1)');
    this.zetan = options.zetan ?? zeta(items, this.theta);
    const zeta2theta = zeta(2, this.theta);
    this.alpha = 1 / (1 - this.theta);
    this.eta = (1 - Math.pow(2 / items, 1 - this.theta)) / (1 - zeta2theta / this.zetan);
    this.halfPowTheta = Math.pow(0.5, this.theta);
  }

  next(): number {
    const u = this.random.next();
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (uz < 1 + this.halfPowTheta) return 1;
    return Math.floor(this.items * Math.pow(this.eta * u - this.eta + 1, this.alpha));
  }
}

/** YCSB's ScrambledZipfianGenerator over [0, items), theta 0.99. */
export class ScrambledZipfianChooser implements KeyChooser {
  private readonly zipfian: ZipfianChooser;

  constructor(
    readonly items: number,
    random: SeededRandom,
  ) {
    assert(Number.isSafeInteger(items) && items >= 1 && items <= keyCountMax, `ScrambledZipfianChooser: 1 to ${keyCountMax} items`);
    // YCSB builds ZipfianGenerator(0, ITEM_COUNT), which spans ITEM_COUNT + 1 items.
    this.zipfian = new ZipfianChooser(scrambledItemCount + 1, random, { theta: zipfianTheta, zetan: scrambledZetan });
  }

  next(): number {
    return fnvModulo(this.zipfian.next(), this.items);
  }
}

export type Distribution = 'uniform' | 'zipfian';

export function keyChooser(distribution: Distribution, items: number, random: SeededRandom): KeyChooser {
  return distribution === 'uniform' ? new UniformChooser(items, random) : new ScrambledZipfianChooser(items, random);
}

const fnvPrimeLow = 0x1b3; // FNV_PRIME_64 = 2^40 + 0x1b3
const fnvOffsetHigh = 0xcbf29ce4; // FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325
const fnvOffsetLow = 0x84222325;
const two32 = 0x1_0000_0000;

/**
 * YCSB's `Utils.fnvhash64(value) % modulus` for 0 <= value < 2^53: FNV-1a over the value's eight
 * little-endian bytes, the absolute value of the result as a signed 64-bit integer, then the
 * remainder. Computed on two 32-bit halves (no BigInt on the request path); the test checks it
 * against a BigInt transcription of the Java code.
 */
export function fnvModulo(value: number, modulus: number): number {
  let low = value % two32;
  let high = Math.floor(value / two32);
  let hashHigh = fnvOffsetHigh;
  let hashLow = fnvOffsetLow;
  for (let i = 0; i < 8; i++) {
    const octet = low & 0xff;
    low = ((low >>> 8) | ((high & 0xff) << 24)) >>> 0;
    high >>>= 8;
    hashLow = (hashLow ^ octet) >>> 0;
    // (hashHigh·2^32 + hashLow)·(2^40 + 0x1b3) mod 2^64.
    const product = hashLow * fnvPrimeLow; // < 2^41: exact
    const carry = Math.floor(product / two32);
    const nextHigh = (Math.imul(hashHigh, fnvPrimeLow) + carry + (hashLow << 8)) >>> 0;
    hashLow = product >>> 0;
    hashHigh = nextHigh;
  }
  if (hashHigh >= 0x8000_0000) {
    // Math.abs of a negative long: two's complement negation.
    hashLow = (~hashLow + 1) >>> 0;
    hashHigh = (~hashHigh + (hashLow === 0 ? 1 : 0)) >>> 0;
  }
  // (hashHigh·2^32 + hashLow) mod m, every intermediate below 2^53 because m <= 2^36.
  const highPart = (((hashHigh % modulus) * 0x10000) % modulus) * 0x10000 % modulus;
  return (highPart + (hashLow % modulus)) % modulus;
}
