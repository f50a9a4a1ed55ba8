import { type FormEvent, useId } from 'react';
import type { Route } from '../../shared/types';
import { formatFee } from '../format';
import { type Aliases, pathNames } from '../names';
import { useNode } from '../stores/node';
import { type PlanRow, rowAmount, usePlanner } from '../stores/planner';

function samePath(a: Route | undefined, b: Route): boolean {
  return a !== undefined && a.length === b.length && a.every((h, i) => h.channel === b[i]?.channel);
}

/** A part's path chosen by hand: one of the candidates for its channel and amount, or hop by hop. */
export function RouteChooser({ number: n, row, aliases }: { number: number; row: PlanRow; aliases: Aliases }) {
  const chooseCandidate = usePlanner((s) => s.chooseCandidate);
  const setHopsText = usePlanner((s) => s.setHopsText);
  const buildFromHops = usePlanner((s) => s.buildFromHops);
  const toggleChooser = usePlanner((s) => s.toggleChooser);
  const hintId = useId();
  const ownId = useNode((s) => s.info?.id);
  const known = Object.entries(aliases)
    .filter(([id]) => id !== ownId)
    .map(([, alias]) => alias);
  const current = row.candidatesFor === `${row.channel}:${rowAmount(row)}`;
  const build = (event: FormEvent) => {
    event.preventDefault();
    void buildFromHops(row.key);
  };
  return (
    <div className="route-chooser">
      <fieldset>
        <legend>Routes for part {n}</legend>
        <p className="note">Once you choose one, the table shows the node's probability for the whole plan.</p>
        {row.candidatesLoading && <p className="note">Finding routes…</p>}
        {!row.candidatesLoading && (row.candidates?.length ?? 0) === 0 && (
          <p className="note">No candidate routes for this channel and amount.</p>
        )}
        {!current && !row.candidatesLoading && row.candidates && row.candidates.length > 0 && (
          <p className="note">These were found for an earlier amount or channel.</p>
        )}
        {row.candidates?.map((c) => (
          <label key={c.route.map((h) => h.channel).join()} className="candidate">
            <input
              type="radio"
              name={`part-${row.key}-route`}
              checked={samePath(row.route, c.route)}
              onChange={() => chooseCandidate(row.key, c)}
              aria-label={`Route via ${pathNames(c.route, aliases).join(' → ')}`}
            />
            <span>Route via {pathNames(c.route, aliases).join(' → ')}</span>
            <span className="candidate-facts">
              fee {formatFee(c.fee_msatoshi)}, {c.route.length} hops, delay {c.delay} blocks
            </span>
          </label>
        ))}
      </fieldset>
      <form className="hop-builder" onSubmit={build}>
        <label>
          Part {n} hops
          <input
            value={row.hopsText}
            aria-describedby={hintId}
            placeholder="Node aliases or ids, in order, e.g. bolt carol"
            onChange={(e) => setHopsText(row.key, e.target.value)}
          />
        </label>
        <button type="submit">Part {n} build route</button>
        <p className="note" id={hintId}>
          From this part’s channel through the nodes you list to the receiver (added at the end if you leave it out).
          Known names: {known.join(', ') || 'none yet'}; any other node by its id.
        </p>
      </form>
      <button type="button" className="small-button" onClick={() => toggleChooser(row.key)}>
        Close routes for part {n}
      </button>
    </div>
  );
}
