// Serializes read-modify-write per key on one node. LevelDB calls are asynchronous, so two
// writes racing through one node must take turns, or they could mint the same dot or overwrite
// each other's merge (DESIGN.md, "Versioning in detail"). An uncontended key costs one Map
// entry and no extra promise.

export class KeyLocks {
  private readonly waiting = new Map<string, Array<() => void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const queue = this.waiting.get(key);
    if (queue === undefined) this.waiting.set(key, []);
    else await new Promise<void>((resolve) => queue.push(resolve));
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
