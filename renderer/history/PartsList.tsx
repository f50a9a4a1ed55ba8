import { useEffect } from 'react';
import type { Payment } from '../../shared/types';
import { formatDateTime, formatFee, formatMsat, formatSeconds } from '../format';
import { nodeName, pathLabel } from '../names';
import { useNode } from '../stores/node';
import { partsOf, usePayments } from '../stores/payments';

/** A payment's parts: route, amounts, fee, status, failure and times. */
export function PartsList({ payment, loaded }: { payment: Payment; loaded: boolean }) {
  const parts = usePayments((s) => s.partsByHash.get(payment.payment_hash));
  const all = usePayments((s) => s.parts);
  const aliases = useNode((s) => s.aliases);
  const list = parts
    ? partsOf({ parts: all, partsByHash: new Map([[payment.payment_hash, parts]]) }, payment.payment_hash)
    : [];
  // Every node on these routes by alias (one listnodes for the list).
  useEffect(() => {
    useNode.getState().requestNames(list.flatMap((p) => p.route.map((h) => h.id)));
  }, [list]);
  return (
    <div className="parts-list">
      <dl className="payment-facts">
        <div>
          <dt>Payment hash</dt>
          <dd>
            <code>{payment.payment_hash}</code>
          </dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>
            {nodeName(payment.destination, aliases)} <code>{payment.destination}</code>
          </dd>
        </div>
        {payment.payment_preimage && (
          <div>
            <dt>Preimage</dt>
            <dd>
              <code>{payment.payment_preimage}</code>
            </dd>
          </div>
        )}
      </dl>
      {!loaded && list.length === 0 ? (
        <p className="note">Reading the parts…</p>
      ) : list.length === 0 ? (
        <p className="note">No parts.</p>
      ) : (
        <table aria-label={`Parts of ${payment.payment_hash.slice(0, 10)}`} className="history-parts">
          <thead>
            <tr>
              <th scope="col">Part</th>
              <th scope="col">Status</th>
              <th scope="col">Amount</th>
              <th scope="col">Fee</th>
              <th scope="col">Route</th>
              <th scope="col">Sent</th>
              <th scope="col">Took</th>
              <th scope="col">Failure</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id} className={`part--${p.status}`}>
                <th scope="row">{p.id}</th>
                <td>
                  <span className={`status status--${p.status}`}>{p.status}</span>
                </td>
                <td className="num">{formatMsat(p.msatoshi)}</td>
                <td className="num">{formatFee(p.msatoshi_sent - p.msatoshi)}</td>
                <td>{pathLabel(p.route, aliases)}</td>
                <td>{formatDateTime(p.created_at)}</td>
                <td>{p.completed_at !== undefined ? formatSeconds(p.completed_at - p.created_at) : ''}</td>
                <td>{p.failure ? `${p.failure.message} (${p.failure.code})` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
