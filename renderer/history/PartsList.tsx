import { useEffect } from 'react';
import type { Rebalance } from '../../shared/api/rebalance';
import type { Payment } from '../../shared/types';
import { formatDateTime, formatFee, formatMsat, formatSeconds } from '../format';
import { nodeName, pathLabel, withNames } from '../names';
import { graphPart, sentPartState } from '../pay/graph-parts';
import { PathsGraph } from '../pay/PathsGraph';
import type { GraphPart } from '../pay/paths-layout';
import { highlightProps, useHighlight } from '../stores/highlight';
import { useNode } from '../stores/node';
import { partsOf, usePayments } from '../stores/payments';
import { RebalanceDetails } from './RebalanceDetails';

/** A payment's parts: route, amounts, fee, status, failure and times. */
export function PartsList({
  payment,
  loaded,
  rebalance,
}: {
  payment: Payment;
  loaded: boolean;
  /** When the payment is a rebalance: its sources, targets, fee and what each channel moved, above the parts. */
  rebalance?: Rebalance;
}) {
  const parts = usePayments((s) => s.partsByHash.get(payment.payment_hash));
  const all = usePayments((s) => s.parts);
  const aliases = useNode((s) => s.aliases);
  const ownId = useNode((s) => s.info?.id);
  const highlighted = useHighlight((s) => s.part);
  const list = parts
    ? partsOf({ parts: all, partsByHash: new Map([[payment.payment_hash, parts]]) }, payment.payment_hash)
    : [];
  // Every node on these routes by alias (one listnodes for the list).
  useEffect(() => {
    useNode.getState().requestNames(list.flatMap((p) => p.route.map((h) => h.id)));
  }, [list]);
  const now = Date.now() / 1000;
  const graphParts = list
    .map((p, i) =>
      graphPart({
        key: `part-${p.id}`,
        number: i + 1,
        state: sentPartState(p, payment, list, now),
        part: p,
        failure: p.failure ? withNames(`${p.failure.message} (${p.failure.code})`, aliases) : undefined,
      }),
    )
    .filter((p): p is GraphPart => p !== undefined);
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
      {rebalance && <RebalanceDetails rebalance={rebalance} aliases={aliases} />}
      {!loaded && list.length === 0 ? (
        <p className="note">Reading the parts…</p>
      ) : list.length === 0 ? (
        <p className="note">No parts.</p>
      ) : (
        <table aria-label={`Parts of ${payment.payment_hash.slice(0, 10)}`} className="history-parts">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Id</th>
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
            {list.map((p, i) => (
              <tr
                key={p.id}
                className={`part--${p.status}${highlighted === `part-${p.id}` ? ' part--highlight' : ''}`}
                {...highlightProps(`part-${p.id}`)}
              >
                <th scope="row" data-label="Part">
                  {i + 1}
                </th>
                <td data-label="Id">{p.id}</td>
                <td data-label="Status">
                  <span className={`status status--${p.status}`}>{p.status}</span>
                </td>
                <td data-label="Amount" className="num">
                  {formatMsat(p.msatoshi)}
                </td>
                <td data-label="Fee" className="num">
                  {/* What was paid: a failed part's fee never was. */}
                  {p.status === 'failed' ? formatFee(0n) : formatFee(p.msatoshi_sent - p.msatoshi)}
                </td>
                <td data-label="Route" className="route">
                  {pathLabel(p.route, aliases)}
                </td>
                <td data-label="Sent">{formatDateTime(p.created_at)}</td>
                <td data-label="Took">
                  {p.completed_at !== undefined ? formatSeconds(p.completed_at - p.created_at) : ''}
                </td>
                <td data-label="Failure" className="failure">
                  {p.failure ? withNames(`${p.failure.message} (${p.failure.code})`, aliases) : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ownId && graphParts.length > 0 && (
        <PathsGraph
          parts={graphParts}
          ownId={ownId}
          destination={payment.destination}
          nameOf={(id) => nodeName(id, aliases)}
          label={`Paths of ${payment.payment_hash.slice(0, 10)}`}
        />
      )}
    </div>
  );
}
