import type { Rebalance } from '../../shared/api/rebalance';
import { formatFee, formatMoved } from '../format';
import { type Aliases, peerName } from '../names';

/** A rebalance's sources and targets by their peers' names: "atlas, bolt" and "carol". */
export function rebalanceEnds(r: Rebalance, aliases: Aliases): { sources: string; targets: string } {
  return { sources: channelNames(r, r.sources, aliases), targets: channelNames(r, r.targets, aliases) };
}

function channelNames(r: Rebalance, channels: readonly string[], aliases: Aliases): string {
  return channels.map((id) => channelName(r, id, aliases)).join(', ');
}

function channelName(r: Rebalance, id: string, aliases: Aliases): string {
  const c = r.channels.find((x) => x.channel === id);
  return c ? peerName(c, aliases) : id;
}

/** A rebalance's facts in History: its sources and targets, the fee paid (sat and ppm), what each channel moved. */
export function RebalanceDetails({ rebalance: r, aliases }: { rebalance: Rebalance; aliases: Aliases }) {
  const prefix = r.payment_hash.slice(0, 10);
  return (
    <section className="rebalance-details" aria-label={`Rebalance ${prefix}`}>
      <dl className="payment-facts">
        <div>
          <dt>Kind</dt>
          <dd>Rebalance</dd>
        </div>
        <div>
          <dt>Sources</dt>
          <dd data-testid="rebalance-sources">{channelNames(r, r.sources, aliases)}</dd>
        </div>
        <div>
          <dt>Targets</dt>
          <dd data-testid="rebalance-targets">{channelNames(r, r.targets, aliases)}</dd>
        </div>
        <div>
          <dt>Fee paid</dt>
          <dd data-testid="rebalance-fee">{`${formatFee(r.fee_msatoshi)} (${r.fee_ppm} ppm)`}</dd>
        </div>
      </dl>
      <table aria-label={`Moved per channel of ${prefix}`} className="history-parts rebalance-moved">
        <thead>
          <tr>
            <th scope="col">Peer</th>
            <th scope="col">Channel</th>
            <th scope="col">Role</th>
            <th scope="col">Moved</th>
          </tr>
        </thead>
        <tbody>
          {r.channels.map((c) => (
            <tr key={c.channel} data-channel={c.channel}>
              <th scope="row" data-label="Peer">
                {peerName(c, aliases)}
              </th>
              <td data-label="Channel" className="mono">
                {c.channel}
              </td>
              <td data-label="Role">{c.role}</td>
              <td data-label="Moved" className="num" data-msat={`${c.moved_msatoshi}`}>
                {formatMoved(c.moved_msatoshi)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
