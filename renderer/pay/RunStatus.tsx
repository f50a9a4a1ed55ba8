import { isPermanentRefusal } from '../../shared/failures';
import { ProblemText } from '../components/ProblemText';
import { formatMsat, formatSeconds } from '../format';
import { errorProblem, type Problem } from '../messages';
import { holdSecondsLeft } from '../planner/arithmetic';
import { useFocusTarget } from '../stores/focus';
import { isExpired, type RunState, usePlanner } from '../stores/planner';
import { useNow } from '../useNow';
import { PendingPartsList } from './PendingParts';
import type { PayView } from './view';

/** Where the payment stands while the core pays it, how it ended if not complete, and what the user can do next. */
export function RunStatus({ view }: { view: PayView }) {
  const replanMissing = usePlanner((s) => s.replanMissing);
  const proposing = usePlanner((s) => s.proposing);
  const hasRows = usePlanner((s) => s.rows.length > 0);
  const now = useNow(1000, true);
  // Where focus goes after Send (stores/focus.ts).
  const focusRef = useFocusTarget<HTMLElement>('payment-status');
  const { run, payEvent, payment, parts, target, decoded } = view;
  if (!decoded || payment?.status === 'complete') return null;
  const state: RunState | undefined = run?.state ?? payEvent?.state;
  let problem: Problem | undefined = run?.problem;
  if (!run && payEvent?.code !== undefined && payEvent.state !== 'running') {
    problem = errorProblem({ code: payEvent.code, message: payEvent.message ?? '' }, view.aliases);
  }
  const pending = parts.filter((p) => p.status === 'pending');
  const failed = parts.some((p) => p.status === 'failed');
  const refused =
    state === 'refused' || parts.some((p) => p.status === 'failed' && isPermanentRefusal(p.failure?.code));
  const missing = target !== undefined && target > 0n;
  const ended = state === 'stopped' || state === 'gave-up' || state === 'failed';
  const offer = !view.paying && !refused && missing && (failed || ended) && !isExpired(decoded, now / 1000);
  const hold = holdSecondsLeft(parts, now / 1000);
  if (!state && !offer && !refused) return null;
  return (
    <section ref={focusRef} tabIndex={-1} className="run-status" aria-label="Payment status">
      {state === 'running' && (
        // Not live: the one live region says the payment was sent (stores/notices.ts).
        <p role="status" aria-live="off">
          Paying: your node sends the parts
          {run?.mode === 'manual' ? ', exactly as planned.' : ', and sends what fails another way.'}
        </p>
      )}
      {state === 'stopping' && <p role="status">Stopping: no new parts will leave…</p>}
      {state === 'stopped' && (
        <div role="status">
          <p>Stopped: no new parts will leave.</p>
          {pending.length > 0 ? (
            <p>
              {pending.length === 1
                ? '1 part is still in flight; it arrives or comes back as the network decides:'
                : `${pending.length} parts are still in flight; they arrive or come back as the network decides:`}
            </p>
          ) : (
            <p>No part is in flight.</p>
          )}
        </div>
      )}
      {state === 'stopped' && pending.length > 0 && (
        <PendingPartsList
          parts={pending}
          channels={view.channels}
          aliases={view.aliases}
          label="Parts still in flight"
        />
      )}
      {problem && state !== 'stopped' && <ProblemText problem={problem} />}
      {refused && !problem && (
        <ProblemText
          problem={{
            what: 'The receiver refused this payment for good.',
            action: 'No other route can change that: nothing more will be sent. Ask the receiver for a new invoice.',
            final: true,
          }}
        />
      )}
      {offer && (
        <fieldset className="reroute" aria-label="Re-plan">
          <p>
            {formatMsat(target)} missing.
            {hold !== undefined
              ? ` The receiver holds the parts that arrived for up to ${formatSeconds(Math.ceil(hold))} more, then gives them back.`
              : ' The receiver holds nothing: the whole missing amount goes again.'}
          </p>
          <div className="actions">
            <button type="button" disabled={proposing} onClick={() => void replanMissing(true)}>
              Re-plan the missing amount
            </button>
            <button type="button" disabled={proposing || hasRows} onClick={() => void replanMissing(false)}>
              Plan the missing amount by hand
            </button>
          </div>
        </fieldset>
      )}
    </section>
  );
}
