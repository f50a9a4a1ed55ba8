/**
 * The time the model runs on: the real timers by default, a virtual clock (e.g. @sinonjs/fake-timers'
 * `createClock()` wrapped to this shape) in benchmarks, so that hop delays and hold timers cost CPU time, not wall time.
 */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Scheduler = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
