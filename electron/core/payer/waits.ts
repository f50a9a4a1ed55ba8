import type { PartialPayment } from '../../../shared/types';
import type { Clock } from '../clock';
import type { EventBus } from '../events';

/** After the first failure of a round, how long to collect the others before re-planning. */
export const COLLECT_MS = 300;

/**
 * Resolves with the parts that failed (after a short window to gather the rest), when the payment completes, at the
 * deadline, or when `signal` aborts (stoppay). `windowOpen`: a part failed before this was called, so the window
 * starts now.
 */
export function nextFailureOrCompletion(
  events: EventBus,
  clock: Clock,
  hash: string,
  deadline: number,
  signal: AbortSignal,
  windowOpen = false,
): Promise<PartialPayment[]> {
  return new Promise((resolve) => {
    const failed: PartialPayment[] = [];
    if (signal.aborted) return resolve(failed);
    let window: unknown = windowOpen ? clock.setTimeout(() => finish(), COLLECT_MS) : undefined;
    const finish = () => {
      offPart();
      offPayment();
      signal.removeEventListener('abort', finish);
      clock.clearTimeout(timer);
      if (window !== undefined) clock.clearTimeout(window);
      resolve(failed);
    };
    const offPart = events.on('partialpayment', (part) => {
      if (part.payment_hash !== hash || part.status !== 'failed') return;
      failed.push(part);
      window ??= clock.setTimeout(finish, COLLECT_MS);
    });
    const offPayment = events.on('payment', (payment) => {
      if (payment.payment_hash === hash && payment.status === 'complete') finish();
    });
    signal.addEventListener('abort', finish);
    const timer = clock.setTimeout(finish, Math.max(0, deadline - clock.now()));
  });
}
