import { DEFAULT_EXEMPT_FEE_MSAT, DEFAULT_MAX_FEE_PERCENT, DEFAULT_MAX_PARTS } from '../../shared/policy';
import { formatMsat, satInput } from '../format';
import { defaultFeeLimit, feeLimit, maxParts, usePlanner } from '../stores/planner';
import type { PayView } from './view';

/** How the core pays: automatic or manual mode, the total fee limit and the most parts. */
export function PayOptions({ view, locked }: { view: PayView; locked: boolean }) {
  const mode = usePlanner((s) => s.mode);
  const setMode = usePlanner((s) => s.setMode);
  const feeLimitText = usePlanner((s) => s.feeLimitText);
  const setFeeLimitText = usePlanner((s) => s.setFeeLimitText);
  const maxPartsText = usePlanner((s) => s.maxPartsText);
  const setMaxPartsText = usePlanner((s) => s.setMaxPartsText);
  const limit = usePlanner(feeLimit);
  const most = usePlanner(maxParts);
  const fallback = view.intended !== undefined ? defaultFeeLimit(view.intended) : undefined;
  return (
    <fieldset className="pay-options" disabled={locked}>
      <legend>How to pay</legend>
      <label className="mode">
        <input
          type="checkbox"
          checked={mode === 'manual'}
          onChange={(e) => setMode(e.target.checked ? 'manual' : 'auto')}
        />
        Manual mode
      </label>
      <p className="note">
        {mode === 'manual'
          ? 'Manual: the node sends exactly your parts and re-plans nothing; if one fails, the payment waits for you.'
          : 'Automatic: the node sends your parts first, then sends what is missing another way if a part fails.'}
      </p>
      <label>
        Fee limit (sat)
        <input
          inputMode="decimal"
          value={feeLimitText}
          placeholder={fallback !== undefined ? satInput(fallback) : ''}
          aria-invalid={limit === undefined && feeLimitText !== '' ? true : undefined}
          onChange={(e) => setFeeLimitText(e.target.value)}
        />
      </label>
      <label>
        Max parts
        <input
          inputMode="numeric"
          value={maxPartsText}
          placeholder={String(DEFAULT_MAX_PARTS)}
          aria-invalid={most === undefined ? true : undefined}
          onChange={(e) => setMaxPartsText(e.target.value)}
        />
      </label>
      <p className="note">
        {limit !== undefined
          ? `All parts together pay at most ${formatMsat(limit)} in fees${feeLimitText === '' ? ` (the default: ${DEFAULT_MAX_FEE_PERCENT}% of the amount or ${formatMsat(DEFAULT_EXEMPT_FEE_MSAT)}, whichever is larger)` : ''}.`
          : 'Enter the fee limit in sat.'}
      </p>
    </fieldset>
  );
}
