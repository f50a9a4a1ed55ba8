import { useEffect, useMemo } from 'react';
import type { Rebalance } from '../../shared/api/rebalance';
import type { PartialPayment, Route } from '../../shared/types';
import { formatFee, formatMsat, formatPercent } from '../format';
import { type Aliases, nodeName, pathLabel, peerName } from '../names';
import { graphPart } from '../pay/graph-parts';
import { PathsGraph } from '../pay/PathsGraph';
import type { GraphPart } from '../pay/paths-layout';
import type { TableRow } from '../pay/view';
import { useNode } from '../stores/node';
import { usePayments } from '../stores/payments';
import { ChannelBars } from './ChannelBars';
import { PastRebalances } from './PastRebalances';
import { useRebalance } from './store';

/** The picture draws a loop unrolled: our node left, and again right as where the parts come back. */
const BACK = ':back';

function unrolled(route: Route, ownId: string): Route {
  return route.map((hop, i) => (i === route.length - 1 && hop.id === ownId ? { ...hop, id: ownId + BACK } : hop));
}

/** Move liquidity between our channels: one payment to ourselves, out over sources and back over targets, in parts. */
export function RebalanceScreen() {
  const channels = useNode((s) => s.channels);
  const ownId = useNode((s) => s.info?.id);
  const ownAlias = useNode((s) => s.info?.alias);
  const baseAliases = useNode((s) => s.aliases);
  const refreshChannels = useNode((s) => s.refreshChannels);
  const st = useRebalance();
  // The rebalance's payment: as the core's pay event or its result names it, or else the payment to ourselves that
  // appeared since Send (its events may come before the pay event's subscription is in place).
  const hash = usePayments(
    (s) =>
      st.paymentHash ??
      (st.sending && ownId && st.sentAt !== undefined
        ? s.order.find((h) => {
            const p = s.payments.get(h);
            return p?.destination === ownId && p.created_at >= (st.sentAt as number);
          })
        : undefined),
  );
  const parts = usePayments((s) => (hash ? s.partsByHash.get(hash) : undefined));
  const partMap = usePayments((s) => s.parts);
  useEffect(() => {
    void refreshChannels();
  }, [refreshChannels]);

  const aliases: Aliases = useMemo(
    () => (ownId ? { ...baseAliases, [ownId + BACK]: `${ownAlias ?? 'us'} (back)` } : baseAliases),
    [baseAliases, ownId, ownAlias],
  );
  const sent: PartialPayment[] = (parts ?? []).flatMap((id) => partMap.get(id) ?? []);
  const rows: TableRow[] = ownId
    ? sent.length > 0
      ? sent.map((p, i) => ({
          number: i + 1,
          key: `part-${p.id}`,
          part: p,
          status: p.status,
          route: unrolled(p.route, ownId),
        }))
      : (st.proposal?.parts ?? []).map((p, i) => ({
          number: i + 1,
          key: `plan-${i}`,
          status: 'planned',
          route: unrolled(p.route, ownId),
          amount: p.msatoshi,
          fee: p.fee_msatoshi,
          probability: p.probability,
        }))
    : [];

  return (
    <main className="screen rebalance-screen" aria-labelledby="rebalance-heading">
      <h1 id="rebalance-heading">Rebalance</h1>
      <ChannelBars channels={channels} aliases={aliases} />
      <div className="toolbar rebalance-form">
        <label>
          Amount (sat){' '}
          <input
            value={st.amountText}
            inputMode="decimal"
            disabled={st.sending}
            onChange={(e) => st.setAmountText(e.target.value)}
          />
        </label>
        <label>
          Fee limit (ppm){' '}
          <input
            value={st.feePpmText}
            inputMode="numeric"
            disabled={st.sending}
            onChange={(e) => st.setFeePpmText(e.target.value)}
          />
        </label>
        <button type="button" disabled={st.proposing || st.sending} onClick={() => void st.propose(true)}>
          Pick for me
        </button>
        <button type="button" disabled={st.proposing || st.sending} onClick={() => void st.propose(false)}>
          Propose
        </button>
        {st.proposing && <span className="note">Planning…</span>}
      </div>
      {st.error && (
        <p role="alert" className="error">
          {st.error}
        </p>
      )}
      {st.proposal && (
        <p className="note" data-testid="proposal-summary">
          {`${st.proposal.parts.length} part${st.proposal.parts.length === 1 ? '' : 's'}, fee ${formatFee(st.proposal.fee_msatoshi)} (limit ${formatFee(st.proposal.fee_limit_msatoshi)}), probability ${formatPercent(st.proposal.probability)}`}
        </p>
      )}
      {rows.length > 0 && (
        <table className="rebalance-parts">
          <caption>Parts</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Path</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-status={r.status}>
                <td>{r.number}</td>
                <td>{pathLabel(r.route ?? [], aliases)}</td>
                <td>{formatMsat(r.part?.msatoshi ?? r.amount ?? 0n)}</td>
                <td className={`status status--${r.status}`}>{r.part?.failure?.message ?? r.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="send-bar">
        <button
          type="button"
          className="primary"
          disabled={st.sending || st.sources.length === 0 || st.targets.length === 0 || st.amountText.trim() === ''}
          onClick={() => void st.send()}
        >
          {st.sending ? 'Sending…' : 'Send'}
        </button>
        {(st.sources.length === 0 || st.targets.length === 0) && (
          <span className="note">Pick sources and targets, or let Braid pick them.</span>
        )}
      </div>
      {ownId && rows.some((r) => r.route) && (
        <PathsGraph
          parts={rows
            .map((r) =>
              graphPart({
                key: r.key,
                number: r.number,
                state: r.part ? r.part.status : r.status,
                route: r.route,
                amount: r.amount,
                part: r.part,
              }),
            )
            .filter((p): p is GraphPart => p !== undefined)}
          ownId={ownId}
          destination={ownId + BACK}
          nameOf={(id) => nodeName(id, aliases)}
        />
      )}
      {st.result && <BeforeAfter result={st.result} aliases={aliases} />}
      <PastRebalances aliases={aliases} refreshKey={st.result} />
    </main>
  );
}

function BeforeAfter({ result, aliases }: { result: Rebalance; aliases: Aliases }) {
  return (
    <section className="rebalance-result" aria-labelledby="rebalance-result-heading">
      <h2 id="rebalance-result-heading">
        {result.status === 'complete' ? 'Rebalanced' : 'Not rebalanced'}: {formatMsat(result.msatoshi)}
      </h2>
      <p data-testid="rebalance-fee">
        {`Fee paid: ${formatFee(result.fee_msatoshi)} (${result.fee_ppm} ppm) in ${result.parts} part${result.parts === 1 ? '' : 's'}`}
      </p>
      <table className="before-after">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Role</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
            <th scope="col">Moved</th>
          </tr>
        </thead>
        <tbody>
          {result.channels.map((c) => (
            <tr key={c.channel} data-channel={c.channel}>
              <th scope="row">{peerName(c, aliases)}</th>
              <td>{c.role}</td>
              <td>{formatMsat(c.local_before_msatoshi)}</td>
              <td>{c.local_after_msatoshi === undefined ? '—' : formatMsat(c.local_after_msatoshi)}</td>
              <td>{formatMsat(c.moved_msatoshi)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
