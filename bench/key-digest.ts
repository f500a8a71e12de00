// Micro-benchmark: the cost of placing one key on the ring, the pure-TypeScript MD5 of
// core/ring/key-digest.ts (what nodes and partition-aware clients run once per request) against
// node:crypto's md5 over the same bytes, as nodes computed it before. Informational: printed
// under the coordination table by `npm run bench:coordination`.

import { createHash } from 'node:crypto';
import { keyDigest } from '../core/ring/key-digest.js';

export interface KeyDigestResult {
  /** Nanoseconds of CPU per digest, median of the rounds. */
  pureNs: number;
  cryptoNs: number;
}

const bucket = 'usertable';
const bucketLength = Buffer.from([Buffer.byteLength(bucket)]);

function cryptoDigest(key: string): Uint8Array {
  return createHash('md5').update(bucketLength).update(bucket).update(key).digest();
}

/** CPU ns per digest over `keys`, `repeat` passes. */
function measure(digest: (bucket: string, key: string) => Uint8Array, keys: readonly string[], repeat: number): number {
  let sink = 0;
  const started = process.cpuUsage();
  for (let r = 0; r < repeat; r++) for (const key of keys) sink ^= digest(bucket, key)[0];
  const spent = process.cpuUsage(started);
  if (sink === 256) throw new Error('unreachable'); // keeps the digests from being optimised away
  return ((spent.user + spent.system) * 1000) / (repeat * keys.length);
}

/** Digests YCSB-style keys ("user" and a number, as the load generator's) both ways. */
export function runKeyDigestBench(options: { keys?: number; repeat?: number; rounds?: number } = {}): KeyDigestResult {
  const keys = Array.from({ length: options.keys ?? 10_000 }, (_, i) => `user${(i * 2_654_435_761) >>> 0}`);
  const repeat = options.repeat ?? 20;
  const rounds = options.rounds ?? 5;
  const pure: number[] = [];
  const crypto: number[] = [];
  measure(keyDigest, keys, 2); // warm-up
  measure((_, key) => cryptoDigest(key), keys, 2);
  for (let round = 0; round < rounds; round++) {
    pure.push(measure(keyDigest, keys, repeat));
    crypto.push(measure((_, key) => cryptoDigest(key), keys, repeat));
  }
  return { pureNs: median(pure), cryptoNs: median(crypto) };
}

export function keyDigestLine(result: KeyDigestResult): string {
  return (
    `key digest (md5 of a ${bucket}/user… key): pure TypeScript ${result.pureNs.toFixed(0)} ns, ` +
    `node:crypto ${result.cryptoNs.toFixed(0)} ns (${(result.cryptoNs / result.pureNs).toFixed(2)}× the pure one)`
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
