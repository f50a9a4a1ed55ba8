import { ApiError, ErrorCode } from '../../shared/api/errors';
import type { EventName, EventPayloads } from '../../shared/api/events';
import type { EventBus } from './events';

/**
 * Waits, without polling, until `read()` gives a value that is no longer pending: checked now, then after each
 * event of the kind. On timeout: error 200 with the current object in `data`.
 */
export function waitUntil<E extends EventName, T extends { status: string }>(
  events: EventBus,
  event: E,
  read: () => T,
  relevant: (payload: EventPayloads[E]) => boolean,
  timeoutSeconds: number | undefined,
  what: string,
): Promise<T> {
  const current = read();
  if (current.status !== 'pending') return Promise.resolve(current);
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = events.on(event, (payload) => {
      if (!relevant(payload)) return;
      const now = read();
      if (now.status === 'pending') return;
      if (timer) clearTimeout(timer);
      unsubscribe();
      resolve(now);
    });
    if (timeoutSeconds !== undefined) {
      timer = setTimeout(() => {
        unsubscribe();
        reject(
          new ApiError(ErrorCode.InProgress, `timed out after ${timeoutSeconds} s: ${what} is still pending`, read()),
        );
      }, timeoutSeconds * 1000);
    }
  });
}
