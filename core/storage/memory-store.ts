// An in-memory Store with the same semantics as the classic-level one: keys in unsigned byte
// order, atomic batches, ranges read from a snapshot, typed errors. The simulator runs
// hundreds of nodes on it in one process.
//
// Every operation completes in promise microtasks only (no timers, no I/O), which is what
// lets the virtual clock (core/net/virtual-clock.ts) run a simulation deterministically.
// Keys and values are copied on the way in and on the way out, so no caller can alter what
// is stored by mutating a buffer, just as with a real disk. Closing the store keeps its
// contents: opening it again is a process restarting on the same disk. It has no disk to flush:
// a write's `sync` option is accepted and ignored (a simulated node that must ack durably
// says so through a wrapper's `syncsEveryWrite`, as the tests do).

import {
  checkBatch,
  checkKey,
  checkValue,
  compareBytes,
  spaceNames,
  StoreError,
  type BatchOp,
  type Bytes,
  type KeyValueSpace,
  type RangeOptions,
  type SpaceBatchOp,
  type SpaceName,
  type Store,
} from './store.js';

type State = 'new' | 'open' | 'closed';

export class MemoryStore implements Store {
  readonly data: MemorySpace;
  readonly hints: MemorySpace;
  readonly meta: MemorySpace;
  private state: State = 'new';

  constructor() {
    this.data = new MemorySpace(this);
    this.hints = new MemorySpace(this);
    this.meta = new MemorySpace(this);
  }

  async open(): Promise<void> {
    this.state = 'open';
  }

  async close(): Promise<void> {
    if (this.state === 'open') this.state = 'closed';
  }

  async batch(ops: SpaceBatchOp[]): Promise<void> {
    this.checkOpen();
    checkBatch(ops);
    for (const op of ops) {
      if (!spaceNames.includes(op.space)) throw new StoreError('bad_key', `unknown space ${String(op.space)}`);
    }
    // Validated in full above, so applying cannot fail halfway: the batch is atomic.
    for (const op of ops) this.space(op.space).apply(op);
  }

  /** Entries across all spaces; for tests and diagnostics. */
  size(): number {
    return this.data.size() + this.hints.size() + this.meta.size();
  }

  /** @internal Throws unless the store is open. */
  checkOpen(): void {
    if (this.state === 'open') return;
    if (this.state === 'new') throw new StoreError('not_open', 'the store is not open');
    throw new StoreError('closed', 'the store is closed');
  }

  private space(name: SpaceName): MemorySpace {
    return name === 'data' ? this.data : name === 'hints' ? this.hints : this.meta;
  }
}

/** One key space: parallel sorted arrays of keys and values, searched by bisection. */
export class MemorySpace implements KeyValueSpace {
  private keys: Buffer[] = [];
  private values: Buffer[] = [];
  /** True while a range snapshot may hold `keys` and `values`. */
  private shared = false;

  constructor(private readonly store: MemoryStore) {}

  async get(key: Bytes): Promise<Bytes | undefined> {
    this.store.checkOpen();
    checkKey(key);
    const index = this.lowerBound(key);
    if (index < this.keys.length && compareBytes(this.keys[index], key) === 0) {
      return Buffer.from(this.values[index]);
    }
    return undefined;
  }

  async put(key: Bytes, value: Bytes): Promise<void> {
    this.store.checkOpen();
    checkKey(key);
    checkValue(value);
    this.apply({ type: 'put', key, value });
  }

  async del(key: Bytes): Promise<void> {
    this.store.checkOpen();
    checkKey(key);
    this.apply({ type: 'del', key });
  }

  async batch(ops: BatchOp[]): Promise<void> {
    this.store.checkOpen();
    checkBatch(ops);
    for (const op of ops) this.apply(op);
  }

  async *range(options: RangeOptions): AsyncGenerator<[Bytes, Bytes]> {
    this.store.checkOpen();
    const { gte, lt, limit } = options;
    if (gte !== undefined) checkKey(gte);
    if (lt !== undefined) checkKey(lt);
    const start = gte === undefined ? 0 : this.lowerBound(gte);
    let end = lt === undefined ? this.keys.length : this.lowerBound(lt);
    if (limit !== undefined && limit >= 0) end = Math.min(end, start + limit);
    if (end <= start) return;
    // The snapshot: hold the current arrays and mark them shared, so the next write copies
    // them before changing anything (copy on write) and this iteration keeps seeing them.
    const keys = this.keys;
    const values = this.values;
    this.shared = true;
    for (let i = start; i < end; i++) {
      yield [Buffer.from(keys[i]), Buffer.from(values[i])];
      this.store.checkOpen();
    }
  }

  async clear(options: Omit<RangeOptions, 'limit'>): Promise<void> {
    this.store.checkOpen();
    const { gte, lt } = options;
    if (gte !== undefined) checkKey(gte);
    if (lt !== undefined) checkKey(lt);
    const start = gte === undefined ? 0 : this.lowerBound(gte);
    const end = lt === undefined ? this.keys.length : this.lowerBound(lt);
    if (end <= start) return;
    this.unshare();
    this.keys.splice(start, end - start);
    this.values.splice(start, end - start);
  }

  size(): number {
    return this.keys.length;
  }

  /** @internal Applies one validated operation. */
  apply(op: BatchOp): void {
    const index = this.lowerBound(op.key);
    const found = index < this.keys.length && compareBytes(this.keys[index], op.key) === 0;
    if (op.type === 'put') {
      const value = Buffer.from(op.value as Bytes);
      this.unshare();
      if (found) {
        this.values[index] = value;
      } else {
        this.keys.splice(index, 0, Buffer.from(op.key));
        this.values.splice(index, 0, value);
      }
    } else if (found) {
      this.unshare();
      this.keys.splice(index, 1);
      this.values.splice(index, 1);
    }
  }

  /** Copies the arrays before a write if a range snapshot may still be reading them. */
  private unshare(): void {
    if (!this.shared) return;
    this.keys = this.keys.slice();
    this.values = this.values.slice();
    this.shared = false;
  }

  /** The index of the first key ≥ `key`. */
  private lowerBound(key: Bytes): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareBytes(this.keys[middle], key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
