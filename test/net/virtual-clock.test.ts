// Proves the virtual clock: timers fire in time order with ties in insertion order, cleared
// timers never fire, and each timer's promise continuations finish before the next timer.

import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/net/virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers in time order, ties in the order they were set', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('c@30'), 30);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('b1@20'), 20);
    clock.setTimeout(() => fired.push('b2@20'), 20);
    const cleared = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cleared);
    expect(clock.pendingTimers()).toBe(4);
    await clock.advance(25);
    expect(fired).toEqual(['a@10', 'b1@20', 'b2@20']);
    expect(clock.now()).toBe(25);
    await clock.advance(5);
    expect(fired).toEqual(['a@10', 'b1@20', 'b2@20', 'c@30']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('treats delays below 1 ms like Node does (1 ms), and fires timers set while firing', async () => {
    const clock = new VirtualClock({ startMs: 1000 });
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 0);
    }, 0);
    expect(await clock.runUntilIdle()).toBe(true);
    expect(fired).toEqual([1001, 1002]);
  });

  it('lets async work started by a timer finish before the next timer fires', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const deepWork = async (depth: number): Promise<void> => {
      if (depth === 0) {
        log.push('work done');
        return;
      }
      await Promise.resolve();
      await deepWork(depth - 1);
    };
    clock.setTimeout(() => {
      log.push('timer 1');
      void deepWork(500);
    }, 5);
    clock.setTimeout(() => log.push('timer 2'), 5);
    await clock.advance(5);
    expect(log).toEqual(['timer 1', 'work done', 'timer 2']);
  });

  it('runs until a predicate holds, or gives up at the time bound', async () => {
    const clock = new VirtualClock();
    let ticks = 0;
    const tick = () => {
      ticks++;
      clock.setTimeout(tick, 100);
    };
    clock.setTimeout(tick, 100);
    expect(await clock.runUntil(() => ticks === 3, 10_000)).toBe(true);
    expect(clock.now()).toBe(300);
    expect(await clock.runUntil(() => ticks === 100, 1000)).toBe(false);
    expect(clock.now()).toBe(1300);
    expect(await clock.runUntilIdle(250)).toBe(false); // a periodic timer never idles
    expect(clock.now()).toBe(1550);
  });

  it('refuses to run timers from inside a run', async () => {
    const clock = new VirtualClock();
    let inner: Promise<void> | undefined;
    clock.setTimeout(() => {
      inner = clock.advance(1);
    }, 1);
    await clock.advance(1);
    await expect(inner).rejects.toThrow(/already running/);
  });
});
