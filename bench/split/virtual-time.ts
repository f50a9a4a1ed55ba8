// Virtual time for the split benchmark: @sinonjs/fake-timers' clock, shaped as the core's Clock and simnet's
// Scheduler, and a driver that fires the next virtual timer only once the real event loop has nothing left to do
// (no promise, no setImmediate pending), so that hop delays, hold timers and the payer's waits cost CPU time only.
import { createClock } from '@sinonjs/fake-timers';
import type { Clock } from '../../electron/core/clock';
import type { Scheduler } from '../../simnet/model/scheduler';

export class VirtualTime implements Clock, Scheduler {
  private readonly fake = createClock(Date.now(), 1_000_000);

  now(): number {
    return this.fake.now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    return this.fake.setTimeout(callback, ms);
  }

  clearTimeout(handle: unknown): void {
    this.fake.clearTimeout(handle as ReturnType<typeof this.fake.setTimeout>);
  }

  /** Moves virtual time on by `ms` without work (between a wallet's payments, say), firing what falls due. */
  async advance(ms: number): Promise<void> {
    const until = this.fake.now + ms;
    this.setTimeout(() => {}, ms);
    while (this.fake.now < until) await this.step(() => this.fake.now >= until);
  }

  /** Runs `work` to its end: real work first, then the next virtual timer, until it settles. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    void done;
    while (!settled) await this.step(() => settled);
    return work;
  }

  /** One step: let the real event loop drain, then fire the next virtual timer if nothing real is left. */
  private async step(finished: () => boolean): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (finished() || process.getActiveResourcesInfo().includes('Immediate')) return;
    if (this.fake.countTimers() === 0)
      throw new Error('virtual time: nothing left to wait for, but the work is not done');
    this.fake.next();
  }
}
