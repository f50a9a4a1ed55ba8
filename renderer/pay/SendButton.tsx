import { useId } from 'react';
import { useFocusRequest } from '../stores/focus';
import { isExpired, usePlanner } from '../stores/planner';
import { useNow } from '../useNow';
import type { PayView } from './view';

/** Sends every planned part at once, when they add up and fit their channels. */
export function SendButton({ view }: { view: PayView }) {
  const send = usePlanner((s) => s.send);
  const sending = usePlanner((s) => s.rows.some((r) => r.sending));
  const proposing = usePlanner((s) => s.proposing);
  const now = useNow(1000, view.decoded !== undefined);
  const reasonsId = useId();
  const expired = view.decoded ? isExpired(view.decoded, now / 1000) : true;
  const complete = view.payment?.status === 'complete';
  const reasons = expired ? ['The invoice has expired.'] : complete ? ['This invoice is paid.'] : view.check.reasons;
  const enabled = view.check.ok && !expired && !complete && !sending && !proposing;
  return (
    <div className="send-bar">
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
      {sending && <span className="note">Handing the parts to the node…</span>}
      {!enabled && reasons.length > 0 && view.planned.length > 0 && (
        <ul id={reasonsId} className="reasons">
          {reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
