import { formatDateTime, formatMsat, formatSeconds } from '../format';
import { nodeName } from '../names';
import { useNode } from '../stores/node';
import { isExpired, usePlanner } from '../stores/planner';
import { useNow } from '../useNow';

/** What the invoice asks for: amount, receiver, description and how long it stays valid; or why it cannot be paid. */
export function InvoiceDetails() {
  const decoded = usePlanner((s) => s.decoded);
  const error = usePlanner((s) => s.invoiceError);
  const decoding = usePlanner((s) => s.decoding);
  const aliases = useNode((s) => s.aliases);
  const now = useNow(1000, decoded !== undefined);
  if (error) {
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  }
  if (!decoded) return decoding ? <p className="note">Reading the invoice…</p> : null;
  const expiresAt = decoded.created_at + decoded.expiry;
  const expired = isExpired(decoded, now / 1000);
  const alias = aliases[decoded.destination];
  return (
    <section className="invoice-details" aria-label="Invoice details">
      <dl>
        <div>
          <dt>Amount</dt>
          <dd className="amount">
            {decoded.msatoshi === undefined ? 'Any amount (you choose)' : formatMsat(decoded.msatoshi)}
          </dd>
        </div>
        <div>
          <dt>To</dt>
          <dd>
            <span className="alias">{alias ?? nodeName(decoded.destination, aliases)}</span>{' '}
            <code className="node-id">{decoded.destination}</code>
          </dd>
        </div>
        <div>
          <dt>Description</dt>
          <dd>{decoded.description ?? (decoded.description_hash ? 'Given as a hash only' : 'None')}</dd>
        </div>
        <div>
          <dt>Payment hash</dt>
          <dd>
            <code>{decoded.payment_hash}</code>
          </dd>
        </div>
        <div>
          <dt>Valid</dt>
          <dd>
            {expired ? (
              `Expired at ${formatDateTime(expiresAt)}`
            ) : (
              <span className="countdown">Expires in {formatSeconds(expiresAt - Math.floor(now / 1000))}</span>
            )}
          </dd>
        </div>
      </dl>
      {expired && (
        <p role="alert" className="error">
          This invoice expired {formatSeconds(Math.floor(now / 1000) - expiresAt)} ago: nothing will be sent. Ask the
          receiver for a new one.
        </p>
      )}
      {!decoded.features.mpp && (
        <p className="note">The receiver does not accept multipart payments: the whole amount goes as one part.</p>
      )}
    </section>
  );
}
