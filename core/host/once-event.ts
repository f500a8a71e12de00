// An event that happens once, such as a process's exit: listeners added before it are called
// when it fires, listeners added after it are called at once (asynchronously, so a caller's
// code after subscribing runs first either way), and each can unsubscribe.

export class OnceEvent<T> {
  private fired: { value: T } | undefined;
  private readonly listeners = new Set<(value: T) => void>();

  /** The value it fired with, or undefined while it has not. */
  get value(): T | undefined {
    return this.fired?.value;
  }

  get hasFired(): boolean {
    return this.fired !== undefined;
  }

  /** Fires once with `value`; later calls do nothing. */
  fire(value: T): void {
    if (this.fired !== undefined) return;
    this.fired = { value };
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener(value);
  }

  /** Calls `listener` once with the value; returns the function that unsubscribes. */
  listen(listener: (value: T) => void): () => void {
    if (this.fired !== undefined) {
      const { value } = this.fired;
      let subscribed = true;
      queueMicrotask(() => {
        if (subscribed) listener(value);
      });
      return () => {
        subscribed = false;
      };
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
