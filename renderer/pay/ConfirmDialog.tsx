import { useEffect, useRef } from 'react';
import { formatMsat, plural } from '../format';
import { nodeName } from '../names';
import { feeLimit, maxParts, usePlanner } from '../stores/planner';
import type { PayView } from './view';

export interface ConfirmFacts {
  amount: bigint;
  receiver: string;
  feeLimit: bigint;
  parts: number;
  maxParts: number;
  mode: 'auto' | 'manual';
}

/** The confirmation's words: the amount, the total fee limit and the number of parts. */
export function confirmText(f: ConfirmFacts): { title: string; lines: string[] } {
  return {
    title: `Send ${formatMsat(f.amount)} to ${f.receiver}?`,
    lines: [
      `Fees: at most ${formatMsat(f.feeLimit)} in total, for all parts.`,
      f.mode === 'manual'
        ? `${plural(f.parts, 'part')}, exactly as planned; nothing is re-planned.`
        : `${plural(f.parts, 'part')} first; if one fails, the node re-plans what is missing (at most ${f.maxParts} parts in flight).`,
      'This spends real money.',
    ],
  };
}

/** The one confirmation before real money leaves (never shown on the simulated network). */
export function ConfirmView({
  facts,
  onConfirm,
  onCancel,
}: {
  facts: ConfirmFacts;
  onConfirm(): void;
  onCancel(): void;
}) {
  const { title, lines } = confirmText(facts);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <div role="alertdialog" aria-modal="true" aria-label="Confirm payment" className="confirm-dialog">
      <p className="confirm-title">{title}</p>
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <div className="actions">
        <button type="button" className="primary" ref={confirm} onClick={onConfirm}>
          Confirm and send
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function ConfirmDialog({ view }: { view: PayView }) {
  const confirming = usePlanner((s) => s.confirming);
  const confirmSend = usePlanner((s) => s.confirmSend);
  const cancelSend = usePlanner((s) => s.cancelSend);
  const mode = usePlanner((s) => s.mode);
  const limit = usePlanner(feeLimit);
  const most = usePlanner(maxParts);
  if (!confirming || !view.decoded || view.target === undefined || limit === undefined || most === undefined) {
    return null;
  }
  const facts: ConfirmFacts = {
    amount: view.target,
    receiver: nodeName(view.decoded.destination, view.aliases),
    feeLimit: limit,
    parts: view.planned.length,
    maxParts: most,
    mode,
  };
  return <ConfirmView facts={facts} onConfirm={() => void confirmSend()} onCancel={cancelSend} />;
}
