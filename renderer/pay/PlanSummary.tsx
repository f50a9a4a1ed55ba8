import { formatFee, formatFeeRate, formatMsat, formatPercent } from '../format';
import type { PayView } from './view';

/** What is left to assign, and the totals of the planned parts. */
export function PlanSummary({ view }: { view: PayView }) {
  const { left, fee, probability, target, planned } = view;
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
          Probability: {formatPercent(probability)}
        </p>
      )}
    </div>
  );
}
