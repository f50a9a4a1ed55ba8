import { useId } from 'react';
import { formatPercent } from '../format';
import { useFocusRequest } from '../stores/focus';
import { isExpired, usePlanner } from '../stores/planner';
import { useNow } from '../useNow';
import type { PayView } from './view';

/** Below this, the plan's chance is said plainly before Send. */
const LOW_PROBABILITY = 0.5;

/** Hands the plan to the core with one `pay`; Stop while it pays. */
export function SendButton({ view }: { view: PayView }) {
  const send = usePlanner((s) => s.send);
  const stop = usePlanner((s) => s.stop);
  const proposing = usePlanner((s) => s.proposing);
  const confirming = usePlanner((s) => s.confirming);
  const now = useNow(1000, view.decoded !== undefined);
  const reasonsId = useId();
  const expired = view.decoded ? isExpired(view.decoded, now / 1000) : true;
  const complete = view.payment?.status === 'complete';
  const reasons = expired ? ['The invoice has expired.'] : complete ? ['This invoice is paid.'] : view.check.reasons;
  const enabled = view.check.ok && !expired && !complete && !view.paying && !proposing && !confirming;
  const mode = usePlanner((s) => s.mode);
  const probability = view.verdict?.probability;
  const low = probability !== undefined && probability < LOW_PROBABILITY && view.planned.length > 0 && !complete;
  return (
    <div className="send-bar">
      {low && (
        <p className="warning" role="note" aria-label="Low probability">
          This plan is unlikely to arrive in full: the node estimates a {formatPercent(probability)} chance.{' '}
          {mode === 'auto'
            ? 'In automatic mode the node sends what fails another way, but it may take longer and cost more fees.'
            : 'Consider fewer parts on wider paths, or a smaller amount.'}
        </p>
      )}
      <button
        type="button"
        className="primary"
        disabled={!enabled}
        aria-describedby={reasons.length > 0 ? reasonsId : undefined}
        onClick={() => {
          useFocusRequest.getState().request('payment-status');
          void send();
        }}
      >
        Send
      </button>
      {view.paying && (
        <button type="button" className="danger" disabled={view.run?.state === 'stopping'} onClick={() => void stop()}>
          Stop
        </button>
      )}
      {!enabled && !view.paying && reasons.length > 0 && view.planned.length > 0 && (
        <ul id={reasonsId} className="reasons">
          {reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
