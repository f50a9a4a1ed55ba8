import { showPayment, useNotices } from '../stores/notices';

/**
 * Payments that completed or failed while the user was elsewhere, each leading back to its payment; and the one
 * polite live region that tells every payment change (stores/notices.ts), never each part.
 */
export function Notices() {
  const notices = useNotices((s) => s.notices);
  const announcement = useNotices((s) => s.announcement);
  const dismiss = useNotices((s) => s.dismiss);
  return (
    <>
      <div aria-live="polite" aria-atomic="true" className="visually-hidden" data-testid="announcer">
        {announcement}
      </div>
      {notices.length > 0 && (
        <section className="notices" aria-label="Notices">
          {notices.map((n) => (
            <div key={n.id} className={`notice notice--${n.status}`}>
              <p>{n.text}</p>
              <div className="notice-actions">
                <button
                  type="button"
                  className="small-button"
                  onClick={() => {
                    dismiss(n.id);
                    showPayment(n.payment_hash);
                  }}
                >
                  Show payment {n.payment_hash.slice(0, 10)}
                </button>
                <button
                  type="button"
                  className="small-button"
                  aria-label={`Dismiss notice about ${n.payment_hash.slice(0, 10)}`}
                  onClick={() => dismiss(n.id)}
                >
                  Dismiss
                </button>
              </div>
            </div>
          ))}
        </section>
      )}
    </>
  );
}
