import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { PayState } from '../../../shared/api/events';
import type { Payment } from '../../../shared/types';
import type { EventBus } from '../events';

/** One running pay loop, as the loop sees it: whether it was told to stop, and a signal that wakes its waits. */
export interface PayRun {
  readonly stopped: boolean;
  readonly signal: AbortSignal;
}

interface Entry {
  controller: AbortController;
  /** Settles when the loop has ended (whatever its outcome). */
  done: Promise<void>;
}

/**
 * The pay loops running in the core, one per payment hash: a second pay of a hash being paid is refused, and stoppay
 * stops one. It tells every start and end as a `pay` event, so that a screen opened later knows.
 */
export class PayRegistry {
  private readonly running = new Map<string, Entry>();

  constructor(private readonly events: EventBus) {}

  isRunning(hash: string): boolean {
    return this.running.has(hash);
  }

  /** Runs `loop` as the pay loop of `hash`; refuses (200) when one is already running for it. */
  async run(hash: string, loop: (run: PayRun) => Promise<Payment>): Promise<Payment> {
    if (this.running.has(hash)) {
      throw new ApiError(ErrorCode.InProgress, `pay: a pay of ${hash} is already running (stoppay stops it)`);
    }
    const controller = new AbortController();
    let finished = () => {};
    const entry: Entry = { controller, done: new Promise<void>((resolve) => (finished = resolve)) };
    this.running.set(hash, entry);
    const run: PayRun = {
      get stopped() {
        return controller.signal.aborted;
      },
      signal: controller.signal,
    };
    this.events.emit('pay', { payment_hash: hash, state: 'running' });
    try {
      const payment = await loop(run);
      this.end(hash, entry, 'complete');
      return payment;
    } catch (error) {
      const code = error instanceof ApiError ? error.code : ErrorCode.Internal;
      const message = error instanceof Error ? error.message : String(error);
      this.end(hash, entry, endState(code), code, message);
      throw error;
    } finally {
      finished();
    }
  }

  /**
   * Stops the pay loop of `hash`: it sends nothing more. Resolves once the loop has ended, so that no part of it leaves
   * after this returns; false when none was running.
   */
  async stop(hash: string): Promise<boolean> {
    const entry = this.running.get(hash);
    if (!entry) return false;
    entry.controller.abort();
    await entry.done;
    return true;
  }

  /** Stops every pay loop (the core is shutting down): nothing more leaves. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((hash) => this.stop(hash)));
  }

  private end(hash: string, entry: Entry, state: PayState, code?: number, message?: string): void {
    if (this.running.get(hash) === entry) this.running.delete(hash);
    this.events.emit('pay', {
      payment_hash: hash,
      state,
      ...(code === undefined ? {} : { code }),
      ...(message === undefined ? {} : { message }),
    });
  }
}

function endState(code: number): PayState {
  if (code === ErrorCode.PayStopped) return 'stopped';
  if (code === ErrorCode.DestinationRefused) return 'refused';
  return 'gave-up';
}
