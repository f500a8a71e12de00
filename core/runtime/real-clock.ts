// The real Clock and Random: what node processes (core/host), clients (core/api) and the
// benchmark inject where pure code takes a Clock or a Random. The only place (with the
// simulator's virtual clock) that reads the wall clock or schedules real timers.
//
// core/runtime holds the real-world implementations of core/common's interfaces. It is not a
// pure folder (it needs setTimeout), and it imports nothing but core/common, so every layer
// from core/node up may use it without pulling anything else in.

import type { Clock, TimerHandle } from '../common/clock.js';
import type { Random } from '../common/random.js';

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
};

export const realRandom: Random = {
  next: () => Math.random(),
  int: (bound) => Math.floor(Math.random() * bound),
};
