import { useEffect, useState } from 'react';
import type { Rebalance } from '../../shared/api/rebalance';
import { formatDateTime, formatFee, formatMoved, formatMsat } from '../format';
import { type Aliases, peerName } from '../names';
import { api, errorText } from '../stores/api';

/** The rebalances so far (listrebalances), newest first: amount, fee (sat and ppm) and what each channel moved. */
export function PastRebalances({ aliases, refreshKey }: { aliases: Aliases; refreshKey: unknown }) {
  const [list, setList] = useState<Rebalance[]>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    void refreshKey;
    api()
      .call('listrebalances', {})
      .then(
        (r) => live && setList(r.rebalances),
        (e: unknown) => live && setError(errorText(e)),
      );
    return () => {
      live = false;
    };
  }, [refreshKey]);
  if (error) return <p className="error">{error}</p>;
  if (list.length === 0) return null;
  return (
    <table className="past-rebalances">
      <caption>Past rebalances</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Amount</th>
          <th scope="col">Status</th>
          <th scope="col">Fee</th>
          <th scope="col">Moved</th>
        </tr>
      </thead>
      <tbody>
        {list.map((r) => (
          <tr key={r.payment_hash} data-status={r.status}>
            <td>{formatDateTime(r.created_at)}</td>
            <td>{formatMsat(r.msatoshi)}</td>
            <td>{r.status}</td>
            <td>{`${formatFee(r.fee_msatoshi)} (${r.fee_ppm} ppm)`}</td>
            <td>
              {r.channels
                .filter((c) => c.moved_msatoshi !== 0n)
                .map((c) => `${peerName(c, aliases)} ${formatMoved(c.moved_msatoshi)}`)
                .join(', ') || '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
