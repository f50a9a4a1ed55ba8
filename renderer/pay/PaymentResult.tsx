import { type ReactNode, useState } from 'react';
import { formatDuration, formatFee, formatSeconds } from '../format';
import { useFocusTarget } from '../stores/focus';
import { usePayments } from '../stores/payments';
import { usePlanner } from '../stores/planner';
import type { PayView } from './view';

async function copy(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallback?.select();
    return document.execCommand?.('copy') ?? false;
  }
}

/** The outcome once the payment is complete (or every part failed): preimage, total fee, time taken. */
export function PaymentResult({ view }: { view: PayView }) {
  const sentAt = usePlanner((s) => s.sentAt);
  const seenAt = usePayments((s) => (view.payment ? s.paymentSeenAt.get(view.payment.payment_hash) : undefined));
  const [copied, setCopied] = useState<string>();
  const [input, setInput] = useState<HTMLInputElement | null>(null);
  const { payment } = view;
  if (!payment || payment.status === 'pending') return null;
  if (payment.status === 'failed') {
    return (
      <ResultBox outcome="failed">
        <p>Payment failed: every part failed. Nothing was paid; propose a new split to try again.</p>
      </ResultBox>
    );
  }
  const fee = payment.msatoshi_sent - payment.msatoshi;
  const taken =
    sentAt !== undefined && seenAt !== undefined
      ? formatDuration(seenAt - sentAt)
      : payment.completed_at !== undefined
        ? formatSeconds(payment.completed_at - payment.created_at)
        : 'unknown';
  const preimage = payment.payment_preimage ?? '';
  return (
    <ResultBox outcome="complete">
      <p className="result-title">Payment complete</p>
      <div className="field">
        <label htmlFor="preimage">Preimage</label>
        <div className="copy-row">
          <input id="preimage" ref={setInput} readOnly value={preimage} onFocus={(e) => e.target.select()} />
          <button
            type="button"
            onClick={() => void copy(preimage, input).then((ok) => setCopied(ok ? 'Copied' : 'Select it and copy'))}
          >
            Copy preimage
          </button>
          {copied && <span className="note">{copied}</span>}
        </div>
      </div>
      <p>Total fee: {formatFee(fee)}</p>
      <p>Time taken: {taken}</p>
    </ResultBox>
  );
}

/**
 * Where the outcome is shown, and where focus goes when the payment ends (stores/focus.ts). Not a live region: the
 * one live region tells each payment change (stores/notices.ts).
 */
function ResultBox({ outcome, children }: { outcome: 'complete' | 'failed'; children: ReactNode }) {
  const focusRef = useFocusTarget<HTMLElement>('payment-result');
  return (
    <section
      ref={focusRef}
      tabIndex={-1}
      role="status"
      aria-live="off"
      aria-label="Payment result"
      className={`result result--${outcome}`}
    >
      {children}
    </section>
  );
}
