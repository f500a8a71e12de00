// Serializes read-modify-write per key on one node. LevelDB calls are asynchronous, so two
// writes racing through one node must take turns, or they could mint the same dot or overwrite
// each other's merge (DESIGN.md, "Versioning in detail"). An uncontended key costs one Map
// entry and no extra promise. A key's queue is bounded (keyLockQueueMax): past it the write is
// refused with `overloaded` rather than queued without end.

import { assert } from '../common/assert.js';
import { CodedError } from '../common/coded-error.js';

/** A key has too many writers waiting on this node. */
export class KeyBusyError extends CodedError<'overloaded'> {
  override name = 'KeyBusyError';
}

export class KeyLocks {
  private readonly waiting = new Map<string, Array<() => void>>();
  /** Writes refused because their key's queue was full. */
  refused = 0;

  constructor(private readonly queueMax: number) {
    assert(Number.isInteger(queueMax) && queueMax >= 1, 'key-locks: queueMax must be a positive integer');
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const queue = this.waiting.get(key);
    if (queue === undefined) this.waiting.set(key, []);
    else {
      if (queue.length >= this.queueMax) {
        this.refused++;
        throw new KeyBusyError('overloaded', `more than ${this.queueMax} writes are waiting for this key`);
      }
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.get(key)!.shift();
      if (next !== undefined) next();
      else this.waiting.delete(key);
    }
  }

  /** Keys currently held or waited on. */
  get size(): number {
    return this.waiting.size;
  }
}
