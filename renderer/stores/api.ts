// The one BraidApi the stores talk to, set once at start (main.tsx) or by a test.

import type { BraidApi } from '../api';

let current: BraidApi | undefined;

export function setApi(api: BraidApi | undefined): void {
  current = api;
}

export function api(): BraidApi {
  if (!current) throw new Error('Braid: no wallet API yet');
  return current;
}

/** An error from a call, in words: its message, and its code when it has one. */
export function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message, code } = error as { message: unknown; code?: unknown };
    return typeof code === 'number' ? `${String(message)} (code ${code})` : String(message);
  }
  return String(error);
}

/**
 * Runs the calls `exclusive` picks alone: after every call before them has answered, and before any call after
 * them is sent. For listpayments on a large history: the browser harness's WebSocket closes a connection whose
 * send buffer holds more than 16 MiB when anything else is to be sent (100,000 payments are ~80 MB of JSON).
 */
export function withExclusiveCalls(inner: BraidApi, exclusive: (name: string, params: unknown) => boolean): BraidApi {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  let barrier: Promise<void> = Promise.resolve();
  const idle = () =>
    inFlight === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          waiters.push(resolve);
        });
  const track = async <T>(run: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await run();
    } finally {
      inFlight--;
      if (inFlight === 0) {
        const ready = waiters;
        waiters = [];
        for (const resolve of ready) resolve();
      }
    }
  };
  return {
    call: ((name: Parameters<BraidApi['call']>[0], params?: unknown) => {
      if (exclusive(name, params)) {
        const run = barrier.then(async () => {
          await idle();
          return track(() => inner.call(name, params as never));
        });
        barrier = run.then(
          () => {},
          () => {},
        );
        return run;
      }
      return barrier.then(() => track(() => inner.call(name, params as never)));
    }) as BraidApi['call'],
    subscribe: (events, listener) => inner.subscribe(events, listener),
  };
}
