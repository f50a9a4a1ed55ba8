import { Fragment, useMemo } from 'react';
import type { ChannelInfo } from '../../shared/api/results';
import type { PartFailure, Route } from '../../shared/types';
import { NodePath } from '../components/NodeName';
import { formatFee, formatMsat, formatPercent } from '../format';
import { failureProblem } from '../messages';
import { type Aliases, nodeName } from '../names';
import { highlightProps, useHighlight } from '../stores/highlight';
import { usePayments } from '../stores/payments';
import { usePlanner } from '../stores/planner';
import { RouteChooser } from './RouteChooser';
import type { TableRow } from './view';

/** One row per part: its amount, channel, path, fee, probability and status as it travels. */
export function PartsTable({
  rows,
  channels,
  aliases,
}: {
  rows: TableRow[];
  channels: ChannelInfo[];
  aliases: Aliases;
}) {
  return (
    <table className="parts" aria-label="Parts">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Amount (sat)</th>
          <th scope="col">Channel</th>
          <th scope="col">Path</th>
          <th scope="col">Fee</th>
          <th scope="col">Probability</th>
          <th scope="col">Status</th>
          <th scope="col">Failure</th>
          <th scope="col">Time</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={10} className="note">
              No parts yet.
            </td>
          </tr>
        )}
        {rows.map((r) => (
          <Fragment key={r.key}>
            <PartRow row={r} channels={channels} aliases={aliases} />
            {r.row?.chooserOpen && (
              <tr className="chooser-row">
                <td colSpan={10}>
                  <RouteChooser number={r.number} row={r.row} aliases={aliases} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

/** "cobalt · 103x1x0 · 500,000 sat local · 300,000 sat remote": who, which channel, what it can send and receive. */
export function channelLabel(c: ChannelInfo, aliases: Aliases, inFlight = 0n): string {
  const who = c.peer_alias || nodeName(c.peer_id, aliases);
  const held = inFlight > 0n ? ` (${formatMsat(inFlight)} more held by parts in flight)` : '';
  return `${who} · ${c.channel} · ${formatMsat(c.local_msatoshi)} local${held} · ${formatMsat(c.remote_msatoshi)} remote${c.active ? '' : ' · inactive'}`;
}

/** What parts still in flight (any payment's) hold on each of our channels, by short channel id. */
function useInFlight(): ReadonlyMap<string, bigint> {
  const parts = usePayments((s) => s.parts);
  return useMemo(() => {
    const held = new Map<string, bigint>();
    for (const p of parts.values()) {
      const channel = p.route[0]?.channel;
      if (p.status === 'pending' && channel) held.set(channel, (held.get(channel) ?? 0n) + p.msatoshi_sent);
    }
    return held;
  }, [parts]);
}

function PartRow({ row: r, channels, aliases }: { row: TableRow; channels: ChannelInfo[]; aliases: Aliases }) {
  const setRowAmount = usePlanner((s) => s.setRowAmount);
  const inFlight = useInFlight();
  const setRowChannel = usePlanner((s) => s.setRowChannel);
  const toggleChooser = usePlanner((s) => s.toggleChooser);
  const removeRow = usePlanner((s) => s.removeRow);
  const highlighted = useHighlight((s) => s.part === r.key);
  const n = r.number;
  const editable = r.row !== undefined;
  const plan = r.row;
  const channel = plan?.channel ?? r.route?.[0]?.channel ?? '';
  const amountText =
    editable && plan ? plan.amountText : r.amount !== undefined ? formatMsat(r.amount).replace(/ sat$/, '') : '';
  return (
    <tr
      className={`part part--${r.status}${highlighted ? ' part--highlight' : ''}`}
      data-status={r.status}
      {...highlightProps(r.key)}
    >
      <th scope="row">{n}</th>
      <td>
        <input
          className="amount-input"
          aria-label={`Part ${n} amount (sat)`}
          inputMode="decimal"
          value={amountText}
          readOnly={!editable}
          aria-invalid={editable && r.amount === undefined ? true : undefined}
          onChange={(e) => plan && setRowAmount(plan.key, e.target.value)}
        />
      </td>
      <td>
        <select
          aria-label={`Part ${n} channel`}
          value={channel}
          disabled={!editable}
          onChange={(e) => plan && setRowChannel(plan.key, e.target.value)}
        >
          {channel === '' && <option value="">Choose a channel</option>}
          {channel !== '' && !channels.some((c) => c.channel === channel) && <option value={channel}>{channel}</option>}
          {channels.map((c) => (
            <option key={c.channel} value={c.channel}>
              {channelLabel(c, aliases, inFlight.get(c.channel))}
            </option>
          ))}
        </select>
      </td>
      <td className="path-cell">
        {plan?.routing && editable ? (
          <span className="path">Looking for a route…</span>
        ) : r.route ? (
          <NodePath route={r.route} aliases={aliases} />
        ) : (
          <span className="path">No route</span>
        )}
        {editable && plan?.routeError && <span className="error small">{plan.routeError}</span>}
        {editable && plan && (
          <button
            type="button"
            className="small-button"
            aria-expanded={plan.chooserOpen}
            onClick={() => toggleChooser(plan.key)}
          >
            Part {n} choose route
          </button>
        )}
      </td>
      <td className="num">{r.fee !== undefined ? formatFee(r.fee) : '—'}</td>
      <td className="num">{r.probability !== undefined ? formatPercent(r.probability) : '—'}</td>
      <td>
        <span role="status" aria-live="off" aria-label={`Part ${n} status`} className={`status status--${r.status}`}>
          {r.status}
        </span>
      </td>
      <td aria-label={r.status === 'failed' ? `Part ${n} failure` : undefined} className="failure">
        {r.status === 'failed' && r.failure && r.route && (
          <FailureText failure={r.failure} route={r.route} aliases={aliases} />
        )}
      </td>
      <td className="num">{r.timeTaken ?? ''}</td>
      <td>
        {editable && plan && (
          <button type="button" className="small-button" onClick={() => removeRow(plan.key)}>
            Remove part {n}
          </button>
        )}
      </td>
    </tr>
  );
}

function FailureText({ failure, route, aliases }: { failure: PartFailure; route: Route; aliases: Aliases }) {
  // The words for what happens next follow the mode the payment runs in (this screen's run, else the form's).
  const mode = usePlanner((s) => s.run?.mode ?? s.mode);
  const problem = failureProblem(failure, route, aliases, mode);
  return (
    <>
      <span className="failure-what">{problem.what}</span> <span className="failure-action">{problem.action}</span>
      <details className="details">
        <summary>Details</summary>
        <code>{problem.details}</code>
      </details>
    </>
  );
}
