import { formatMsat } from '../format';
import { holdSecondsLeft } from '../planner/arithmetic';
import { isExpired, isPlanned, usePlanner } from '../stores/planner';
import { useNow } from '../useNow';
import type { PayView } from './view';

/** After a part failed: how long the receiver keeps the others, and ways to send what is missing. */
export function RerouteOffer({ view }: { view: PayView }) {
  const rerouteMissing = usePlanner((s) => s.rerouteMissing);
  const auto = usePlanner((s) => s.auto);
  const setAuto = usePlanner((s) => s.setAuto);
  const proposing = usePlanner((s) => s.proposing);
  const busy = usePlanner((s) => s.rows.some((r) => r.sending || (isPlanned(r) && r.routing)));
  const rejected = usePlanner((s) => s.rows.some((r) => r.rejected));
  const planned = usePlanner((s) => s.rows.some(isPlanned));
  const now = useNow(1000, true);
  const { payment, parts, decoded, target } = view;
  if (!decoded || payment?.status === 'complete' || isExpired(decoded, now / 1000)) return null;
  const failed = parts.some((p) => p.status === 'failed') || rejected;
  // Shown from the first failure until the payment completes, so that the automatic toggle stays in reach.
  if (!failed && !auto) return null;
  const missing = target !== undefined && target > 0n;
  const waits = holdSecondsLeft(parts, now / 1000);
  const held = waits !== undefined;
  return (
    <section className="reroute" aria-label="Re-route">
      {held && (
        <p className="waits">
          Receiver waits {Math.ceil(waits)} s more
          {missing ? ` for the missing ${formatMsat(target)}` : ' for the parts on their way'}, then gives back the
          parts it holds.
        </p>
      )}
      {!held && missing && <p>Every part failed and the receiver holds nothing: {formatMsat(target)} to send again.</p>}
      {!missing && !held && <p>The missing amount is on its way.</p>}
      <div className="actions">
        <button type="button" disabled={!missing || proposing || busy} onClick={() => void rerouteMissing(true)}>
          Re-route the missing amount
        </button>
        <button type="button" aria-pressed={auto} disabled={proposing && !auto} onClick={() => setAuto(!auto)}>
          Re-route automatically
        </button>
        <button
          type="button"
          disabled={!missing || proposing || busy || planned}
          onClick={() => void rerouteMissing(false)}
        >
          Plan the missing amount by hand
        </button>
      </div>
      <p className="note">
        By hand: the planner below holds parts for the missing amount only; change them, then Send.
        {auto && ' Automatic: every further failure is re-routed at once while the receiver waits.'}
      </p>
    </section>
  );
}
