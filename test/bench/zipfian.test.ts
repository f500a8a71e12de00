// The load generator's key choosers are YCSB's: this proves the scrambled zipfian gives its most
// popular key the share the theory predicts (1/zeta(10^10, 0.99) ≈ 3.78 %), stays inside the
// key space, reproduces YCSB's FNV scrambling bit for bit, and replays exactly from a seed.

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import {
  fnvModulo,
  ScrambledZipfianChooser,
  scrambledZetan,
  UniformChooser,
  zeta,
  ZipfianChooser,
} from '../../bench/zipfian.js';

/** YCSB's Utils.fnvhash64 (Java longs) transcribed with BigInt, then `% modulus`. */
function fnvModuloReference(value: number, modulus: number): number {
  const mask = (1n << 64n) - 1n;
  let v = BigInt(value);
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < 8; i++) {
    hash ^= v & 0xffn;
    v >>= 8n;
    hash = (hash * 1099511628211n) & mask;
  }
  let signed = BigInt.asIntN(64, hash);
  if (signed < 0n) signed = -signed;
  return Number(signed % BigInt(modulus));
}

function counts(next: () => number, draws: number, items: number): Uint32Array {
  const seen = new Uint32Array(items);
  for (let i = 0; i < draws; i++) {
    const key = next();
    if (!(Number.isInteger(key) && key >= 0 && key < items)) throw new Error(`key ${key} out of [0, ${items})`);
    seen[key]++;
  }
  return seen;
}

describe('fnvModulo', () => {
  it('matches a BigInt transcription of YCSB fnvhash64 % n', () => {
    const random = new SeededRandom(7);
    const values = [0, 1, 2, 255, 256, 65535, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 10_000_000_000, 2 ** 53 - 1];
    for (let i = 0; i < 2000; i++) values.push(Math.floor(random.next() * 10_000_000_001));
    for (const modulus of [1, 7, 10_000, 1_000_003, 2 ** 32 + 15, 2 ** 36]) {
      for (const value of values) expect(fnvModulo(value, modulus)).toBe(fnvModuloReference(value, modulus));
    }
  });
});

describe('ScrambledZipfianChooser', () => {
  it('gives the most popular key about 1/zeta(10^10, 0.99) of the draws, all inside the key space', () => {
    const items = 10_000;
    const draws = 200_000;
    const chooser = new ScrambledZipfianChooser(items, new SeededRandom(1));
    const seen = counts(() => chooser.next(), draws, items);
    let top = 0;
    for (let key = 1; key < items; key++) if (seen[key] > seen[top]) top = key;
    // Item 0 of the underlying zipfian is the most popular, and scrambling sends it to
    // fnvhash64(0) % items; the other items that land on the same key add about 1/items.
    expect(top).toBe(fnvModulo(0, items));
    const expected = 1 / scrambledZetan;
    expect(seen[top] / draws).toBeGreaterThan(expected * 0.9);
    expect(seen[top] / draws).toBeLessThan(expected * 1.1 + 1 / items);
    // Skewed, yet spread: most keys are drawn at least once.
    expect(seen.filter((c) => c > 0).length).toBeGreaterThan(items * 0.5);
  });

  it('replays the same keys from the same seed, and other keys from another', () => {
    const draw = (seed: number) => {
      const chooser = new ScrambledZipfianChooser(10_000, new SeededRandom(seed));
      return Array.from({ length: 1000 }, () => chooser.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('works for a key space of one', () => {
    const chooser = new ScrambledZipfianChooser(1, new SeededRandom(3));
    for (let i = 0; i < 100; i++) expect(chooser.next()).toBe(0);
  });
});

describe('ZipfianChooser', () => {
  it('draws items 0 and 1 with probability 1 / ((i+1)^0.99 · zeta(n, 0.99)), later items less and less', () => {
    // Gray et al.'s algorithm is exact for the two most popular items and approximates the
    // tail with a continuous curve, so only those two are checked against the formula.
    const items = 1000;
    const draws = 200_000;
    const chooser = new ZipfianChooser(items, new SeededRandom(5));
    const seen = counts(() => chooser.next(), draws, items);
    const zetan = zeta(items, 0.99);
    for (const i of [0, 1]) {
      const expected = 1 / (Math.pow(i + 1, 0.99) * zetan);
      expect(seen[i] / draws).toBeGreaterThan(expected * 0.9);
      expect(seen[i] / draws).toBeLessThan(expected * 1.1);
    }
    expect(seen[1]).toBeGreaterThan(seen[2]);
    expect(seen[2]).toBeGreaterThan(seen[9]);
    expect(seen[9]).toBeGreaterThan(seen[99]);
    expect(seen[99]).toBeGreaterThan(seen[999]);
  });
});

describe('UniformChooser', () => {
  it('draws every key about equally often', () => {
    const chooser = new UniformChooser(100, new SeededRandom(9));
    const seen = counts(() => chooser.next(), 100_000, 100);
    expect(Math.min(...seen)).toBeGreaterThan(800);
    expect(Math.max(...seen)).toBeLessThan(1200);
  });
});
