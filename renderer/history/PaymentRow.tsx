import { memo, useEffect } from 'react';
import { formatDateTime, formatFee, formatMsat, plural, shortHex } from '../format';
import { type Aliases, nodeName } from '../names';
import { api } from '../stores/api';
import { useNode } from '../stores/node';
import { usePayments } from '../stores/payments';
import { useRebalances } from '../stores/rebalances';
import { PartsList } from './PartsList';
import { rebalanceEnds } from './RebalanceDetails';

const NO_ALIASES: Aliases = {};

async function loadParts(hash: string): Promise<void> {
  try {
    const { partialpayments } = await api().call('listpartialpayments', { payment_hash: hash });
    usePayments.getState().applyParts(partialpayments, false);
  } finally {
    usePayments.getState().markPartsLoaded(hash);
  }
}

/** One payment: when, status, amount, fee, receiver, description, parts; opens to its parts. */
export const PaymentRow = memo(function PaymentRow({
  hash,
  index,
  start,
  measure,
  expanded,
  onToggle,
}: {
  hash: string;
  index: number;
  start: number;
  /** The virtualiser's measuring ref. */
  measure?: (element: Element | null) => void;
  expanded: boolean;
  onToggle: (hash: string) => void;
}) {
  const payment = usePayments((s) => s.payments.get(hash));
  const partsLoaded = usePayments((s) => s.partsLoaded.has(hash));
  const alias = useNode((s) => (payment ? s.aliases[payment.destination] : undefined));
  const rebalance = useRebalances((s) => s.byHash.get(hash));
  const aliases = useNode((s) => (rebalance ? s.aliases : NO_ALIASES));
  useEffect(() => {
    if (expanded && !partsLoaded) void loadParts(hash).catch(() => {});
  }, [expanded, partsLoaded, hash]);
  if (!payment) return null;
  const ends = rebalance && rebalanceEnds(rebalance, aliases);
  const { parts } = payment;
  const count = parts.pending + parts.complete + parts.failed;
  const prefix = hash.slice(0, 10);
  const detailsId = `parts-${hash}`;
  return (
    <tr
      aria-rowindex={index + 2}
      data-index={index}
      ref={measure}
      className={`payment-row payment-grid payment-row--${payment.status} ${index % 2 ? 'odd' : ''}`}
      data-kind={rebalance ? 'rebalance' : 'payment'}
      style={{ transform: `translateY(${start}px)` }}
    >
      <td>{formatDateTime(payment.created_at)}</td>
      <td>
        <span className={`status status--${payment.status}`}>{payment.status}</span>
      </td>
      <td className="num">{formatMsat(payment.msatoshi)}</td>
      <td className="num">
        {payment.status === 'complete' ? formatFee(payment.msatoshi_sent - payment.msatoshi) : '—'}
      </td>
      {ends ? (
        <td title={`Rebalance: ${ends.sources} → ${ends.targets}`}>
          <span className="kind kind--rebalance">Rebalance</span>
          <span className="visually-hidden">{` from ${ends.sources} to ${ends.targets}`}</span>
        </td>
      ) : (
        <td title={payment.destination}>{alias ?? nodeName(payment.destination, {})}</td>
      )}
      <td className="description" title={payment.description}>
        {payment.description ?? ''} <code className="hash">{shortHex(hash, 10)}</code>
      </td>
      <td>
        {plural(count, 'part')}
        {parts.failed > 0 ? `, ${parts.failed} failed` : ''}
      </td>
      <td>
        <button
          type="button"
          className="small-button"
          aria-expanded={expanded}
          aria-controls={expanded ? detailsId : undefined}
          onClick={() => onToggle(hash)}
        >
          Show parts of {prefix}
        </button>
      </td>
      {expanded && (
        <td id={detailsId} className="payment-details">
          <PartsList payment={payment} loaded={partsLoaded} rebalance={rebalance} />
        </td>
      )}
    </tr>
  );
});
