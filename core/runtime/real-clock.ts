// The real Clock and Random, for node processes. The only place (with the simulator's virtual
// clock) that reads the wall clock or schedules real timers.

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
