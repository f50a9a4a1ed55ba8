import { formatFee, formatFeeRate, formatMsat, formatPercent } from '../format';
import { usePlanner } from '../stores/planner';
import type { PayView } from './view';

/** What is left to assign, and the plan's totals: fees, and the node's probability for the plan as a whole. */
export function PlanSummary({ view }: { view: PayView }) {
  const checkError = usePlanner((s) => s.checkError);
  const { left, fee, verdict, target, planned, overdrawn } = view;
  if (target === undefined) return null;
  return (
    <div className="plan-summary">
      <p className={`left ${left !== undefined && left !== 0n ? 'left--off' : ''}`}>
        Left to assign: {formatMsat(left ?? 0n)}
      </p>
      {planned.length > 0 && (
        <p className="totals">
          Total fee:{' '}
          {fee !== undefined
            ? `${formatFee(fee)} (${formatFeeRate(fee, target)})`
            : 'unknown until every part has a route'}
          {' · '}
          Probability: {verdict ? formatPercent(verdict.probability) : checkError ? 'unknown' : 'checking…'}
        </p>
      )}
      {checkError && <p className="note">The node could not check this plan: {checkError}</p>}
      {overdrawn.length > 0 && (
        <ul className="warning overdrawn" aria-label="Channels asked for too much">
          {overdrawn.map((o) => (
            <li key={o}>{o}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
