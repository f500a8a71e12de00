// The Store interface: an ordered byte-keyed map, split into sublevels (data, hints, meta).
// Implementations: classic-level (level-store.ts) and in memory (memory-store.ts); one
// conformance suite (test/storage/store-conformance.ts) runs against both.
//
// Data keys are laid out partition-first (see keys.ts) so one partition is one contiguous
// range: handoff is a range scan and a Merkle tree is a range walk.

import { CodedError } from '../common/coded-error.js';

export type Bytes = Uint8Array;

export interface BatchOp {
  type: 'put' | 'del';
  key: Bytes;
  value?: Bytes;
}

export interface RangeOptions {
  /** Inclusive lower bound. */
  gte?: Bytes;
  /** Exclusive upper bound. */
  lt?: Bytes;
  /** Most entries to yield; absent (or negative) for no limit. */
  limit?: number;
}

/** The key spaces (sublevels) of a store. */
export type SpaceName = 'data' | 'hints' | 'meta';
export const spaceNames: readonly SpaceName[] = ['data', 'hints', 'meta'];

/** A batch operation naming its space, for batches that span spaces (Store.batch). */
export interface SpaceBatchOp extends BatchOp {
  space: SpaceName;
}

/**
 * Options of one write. `sync`: the write is on stable storage (flushed with fdatasync or
 * fsync) before the call resolves, so it survives a power loss, not just a process crash; it
 * costs a disk flush. Absent or false: the write is in the engine's log in the OS page cache
 * when the call resolves (it survives the process being killed, not the machine going down),
 * unless the store syncs every write anyway (`syncsEveryWrite`). A store with no disk (the
 * in-memory one) accepts and ignores it.
 */
export interface WriteOptions {
  sync?: boolean;
}

export interface KeyValueSpace {
  get(key: Bytes): Promise<Bytes | undefined>;
  put(key: Bytes, value: Bytes, options?: WriteOptions): Promise<void>;
  del(key: Bytes, options?: WriteOptions): Promise<void>;
  /** Applied atomically. */
  batch(ops: BatchOp[], options?: WriteOptions): Promise<void>;
  /**
   * Entries in unsigned byte order within the bounds. The range reads a consistent snapshot
   * taken when iteration begins (the first `next()`); writes made while iterating are not
   * seen. Breaking out of a `for await` loop releases the underlying iterator.
   */
  range(options: RangeOptions): AsyncIterable<[Bytes, Bytes]>;
  /** Deletes every entry within the bounds (not atomic with respect to concurrent writes). */
  clear(options: Omit<RangeOptions, 'limit'>): Promise<void>;
}

export interface Store {
  readonly data: KeyValueSpace;
  readonly hints: KeyValueSpace;
  readonly meta: KeyValueSpace;
  /**
   * True when every write is on stable storage before it resolves, whatever its options (a
   * LevelStore opened with `sync`, the node's --sync). Absent: false.
   */
  readonly syncsEveryWrite?: boolean;
  /** Applies operations on several spaces atomically (all or none). */
  batch(ops: SpaceBatchOp[], options?: WriteOptions): Promise<void>;
  /** Opens the store; a closed store may be opened again and keeps its contents. */
  open(): Promise<void>;
  /** Closes the store; operations started afterwards fail with StoreError('closed'). */
  close(): Promise<void>;
}

export type StoreErrorCode =
  | 'not_open' // the store was never opened
  | 'closed' // the store was closed
  | 'locked' // another process (or another store in this one) holds the database
  | 'bad_key' // a key is not a Uint8Array, or a data key is malformed
  | 'bad_value' // a value is not a Uint8Array
  | 'io'; // the storage engine failed (I/O error, corruption)

export class StoreError extends CodedError<StoreErrorCode> {
  override name = 'StoreError';
}

/** Throws StoreError('bad_key') unless `key` is a Uint8Array (Buffers are Uint8Arrays). */
export function checkKey(key: unknown): asserts key is Bytes {
  if (!(key instanceof Uint8Array)) throw new StoreError('bad_key', 'a key must be a Uint8Array');
}

/** Throws StoreError('bad_value') unless `value` is a Uint8Array. */
export function checkValue(value: unknown): asserts value is Bytes {
  if (!(value instanceof Uint8Array)) throw new StoreError('bad_value', 'a value must be a Uint8Array');
}

/** Validates every operation of a batch before any is applied, so a bad batch changes nothing. */
export function checkBatch(ops: readonly BatchOp[]): void {
  if (!Array.isArray(ops)) throw new StoreError('bad_key', 'a batch must be an array of operations');
  for (const op of ops) {
    if (op === null || typeof op !== 'object') throw new StoreError('bad_key', 'a batch operation must be an object');
    checkKey(op.key);
    if (op.type === 'put') checkValue(op.value);
    else if (op.type !== 'del') throw new StoreError('bad_key', `unknown batch operation type ${String(op.type)}`);
  }
}

/** Compares two byte strings in unsigned byte order (LevelDB's default comparator). */
export function compareBytes(a: Bytes, b: Bytes): number {
  return Buffer.compare(a, b);
}
