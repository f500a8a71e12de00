// Time is injected: the real clock in processes, a virtual clock in the simulator.
// The shape matches what XState's `createActor(machine, { clock })` expects.

export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch (real) or since the simulation began (virtual). */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
