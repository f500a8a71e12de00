// A virtual clock for the simulator: time stands still until the test moves it, and timers
// fire in time order (ties in the order they were set), so a simulation with a seeded random
// source replays exactly.
//
// Between two timer callbacks, the clock lets every promise continuation that is ready run to
// completion, as Node does between real timers. It does so without setImmediate or real
// timers (which would let unrelated I/O interleave): it waits on process.nextTick, whose
// queue Node runs only once the microtask queue is empty, so one such wait lets any chain of
// `await`s that needs no I/O finish, however deep. Code that itself defers through nextTick
// needs one more wait per level; the clock waits `drainRounds` times (2 by default,
// virtualClockDrainRoundsDefault).
// Work that waits on real I/O or real timers is not waited for, and would make a run depend on
// the host: simulations use MemoryStore and SimNetwork, whose operations resolve in
// microtasks and virtual timers only.

import type { Clock, TimerHandle } from '../common/clock.js';
import { timerDelayMsMax, virtualClockDrainRoundsDefault, virtualClockFiringsPerCallMax } from '../common/limits.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export interface VirtualClockOptions {
  /** The time the clock starts at, ms. */
  startMs?: number;
  /** nextTick waits after each timer callback; see the module comment. */
  drainRounds?: number;
}

export class VirtualClock implements Clock {
  private time: number;
  private readonly heap: Timer[] = [];
  private seq = 0;
  private live = 0;
  private running = false;
  private readonly drainRounds: number;

  constructor(options: VirtualClockOptions = {}) {
    this.time = options.startMs ?? 0;
    this.drainRounds = options.drainRounds ?? virtualClockDrainRoundsDefault;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const delay = delayMs >= 1 && delayMs <= timerDelayMsMax ? delayMs : 1;
    const timer: Timer = { at: this.time + delay, seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    this.live++;
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as Timer | undefined;
    if (timer === undefined || timer === null || typeof timer !== 'object' || timer.cancelled) return;
    timer.cancelled = true;
    this.live--;
  }

  /** Timers set and neither fired nor cleared. */
  pendingTimers(): number {
    return this.live;
  }

  /** When the next timer is due, or undefined if none is. */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Lets ready promise continuations run, without moving time. */
  async settle(): Promise<void> {
    for (let round = 0; round < this.drainRounds; round++) {
      await new Promise<void>((resolve) => process.nextTick(resolve));
    }
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.time + Math.max(0, ms);
    await this.run(until, () => false);
    this.time = until;
    await this.settle();
  }

  /**
   * Fires timers until none is left (true), or until the next one is due more than `maxMs`
   * from now (false; time then stands at now + maxMs). Periodic timers (gossip) never let a
   * node go idle: bound the run with `maxMs`.
   */
  async runUntilIdle(maxMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const until = this.time + Math.max(0, maxMs);
    await this.run(until, () => false);
    if (this.live === 0) return true;
    this.time = until;
    await this.settle();
    return false;
  }

  /**
   * Fires timers one at a time until `predicate` holds (true; time stands at the timer that
   * made it hold), or until time would pass now + `maxMs` (false; time then stands there).
   * The predicate is checked first, and again after each timer and its continuations.
   */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<boolean> {
    await this.settle();
    if (predicate()) return true;
    const until = this.time + Math.max(0, maxMs);
    if (await this.run(until, predicate)) return true;
    if (Number.isFinite(until)) this.time = until;
    await this.settle();
    return predicate();
  }

  private async run(until: number, predicate: () => boolean): Promise<boolean> {
    if (this.running) throw new Error('VirtualClock is already running timers (advance and runUntil do not nest)');
    this.running = true;
    try {
      for (let fired = 0; ; fired++) {
        if (fired >= virtualClockFiringsPerCallMax) throw new Error(`VirtualClock fired ${fired} timers in one call: a timer loop?`);
        this.dropCancelled();
        const next = this.heap[0];
        if (next === undefined || next.at > until) return false;
        this.pop();
        next.cancelled = true;
        this.live--;
        this.time = next.at;
        next.fn();
        await this.settle();
        if (predicate()) return true;
      }
    } finally {
      this.running = false;
    }
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  // A binary min-heap ordered by (at, seq).

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
      if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
      if (smallest === index) break;
      [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
      index = smallest;
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
