// The workloads of the load generator (YCSB's core workloads, Cooper et al., SoCC 2010), the key
// space and the values, and the interface every system under test implements.

import { assert } from '../core/common/assert.js';
import { SeededRandom } from '../core/common/random.js';

export type WorkloadName = 'a' | 'b' | 'c' | 'w';

export interface Workload {
  name: WorkloadName;
  title: string;
  /** Share of operations that read; the rest update an existing key. */
  readProportion: number;
}

export const workloads: Readonly<Record<WorkloadName, Workload>> = {
  a: { name: 'a', title: 'A: 50% read, 50% update', readProportion: 0.5 },
  b: { name: 'b', title: 'B: 95% read, 5% update', readProportion: 0.95 },
  c: { name: 'c', title: 'C: read only', readProportion: 1 },
  w: { name: 'w', title: 'W: update only', readProportion: 0 },
};

export const workloadNames = Object.keys(workloads) as WorkloadName[];

/** YCSB's record: ten fields of 100 bytes, here one value of about that size. */
export const valueBytesDefault = 900;
export const recordsDefault = 10_000;
/** Distinct values the generator cycles through (each of valueBytes random bytes). */
export const valuePoolSize = 64;

/** The keys and values of a run; targets precompute their own encodings from it once. */
export interface KeySpace {
  bucket: string;
  keys: readonly string[];
  values: readonly Uint8Array[];
}

export function makeKeySpace(options: { bucket: string; records: number; valueBytes: number; seed: number }): KeySpace {
  assert(options.records >= 1, 'makeKeySpace: at least one record');
  const keys = Array.from({ length: options.records }, (_, i) => `user${i}`);
  // Random bytes, so that LevelDB's Snappy compression finds nothing to squeeze, as with
  // YCSB's random field values.
  const random = new SeededRandom(options.seed ^ 0x5eed);
  const values = Array.from({ length: valuePoolSize }, () => {
    const value = new Uint8Array(options.valueBytes);
    for (let i = 0; i < value.length; i += 4) {
      const word = random.nextUint32();
      value[i] = word;
      if (i + 1 < value.length) value[i + 1] = word >>> 8;
      if (i + 2 < value.length) value[i + 2] = word >>> 16;
      if (i + 3 < value.length) value[i + 3] = word >>> 24;
    }
    return value;
  });
  return { bucket: options.bucket, keys, values };
}

/**
 * What an operation came to. 'not_found' is a read of a key the load phase wrote: after a
 * completed load it means a lost or invisible write, so it is reported apart from errors.
 */
export type Outcome =
  | { kind: 'ok'; siblings?: number }
  | { kind: 'not_found' }
  | { kind: 'error'; code: string };

export const ok: Outcome = Object.freeze({ kind: 'ok' });

/** A system under test. Keys and values are indexes into the KeySpace it was made with. */
export interface BenchTarget {
  /** 'dynamo-http', 'dynamo-client', 'etcd', 'level'. */
  readonly name: string;
  /** Writes a key for the first time (the load phase). */
  insert(key: number, value: number): Promise<Outcome>;
  read(key: number): Promise<Outcome>;
  /** Replaces a key's value. */
  update(key: number, value: number): Promise<Outcome>;
  /** The processes whose CPU time the run costs (the generator itself is added by the runner). */
  processes(): Promise<{ role: string; pid: number }[]>;
  /** Counters the target keeps beyond the runner's own (reads before writes, siblings seen). */
  counters?(): Record<string, number>;
  /** Releases connections; a target that started its own servers stops them too. */
  close(): Promise<void>;
}
