import { plural } from '../format';
import { useFocusTarget } from '../stores/focus';
import { usePlanner } from '../stores/planner';
import type { PayView } from './view';

/**
 * The payment's state in one line, where focus goes after Send (not a live region: the one live region tells each
 * payment change, stores/notices.ts).
 */
export function PaymentStatus({ view }: { view: PayView }) {
  const sending = usePlanner((s) => s.rows.some((r) => r.sending));
  const ref = useFocusTarget<HTMLElement>('payment-status');
  const p = view.payment;
  if (!p && !sending) return null;
  const text = !p
    ? 'Sending the parts…'
    : p.status === 'complete'
      ? 'Complete.'
      : p.status === 'failed'
        ? 'Failed: every part failed.'
        : `In flight: ${plural(p.parts.pending, 'part')} pending${p.parts.failed > 0 ? `, ${p.parts.failed} failed` : ''}${p.parts.complete > 0 ? `, ${p.parts.complete} complete` : ''}.`;
  return (
    <section ref={ref} tabIndex={-1} aria-label="Payment status" className="payment-status">
      <strong>Payment:</strong> {text}
    </section>
  );
}
