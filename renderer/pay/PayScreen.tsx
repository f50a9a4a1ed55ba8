import { useNode } from '../stores/node';
import { isPlanned, usePlanner } from '../stores/planner';
import { AmountInput } from './AmountInput';
import { InvoiceDetails } from './InvoiceDetails';
import { InvoiceInput } from './InvoiceInput';
import { PartsTable } from './PartsTable';
import { PaymentResult } from './PaymentResult';
import { PaymentStatus } from './PaymentStatus';
import { PayPaths } from './PayPaths';
import { PlanSummary } from './PlanSummary';
import { RerouteOffer } from './RerouteOffer';
import { SendButton } from './SendButton';
import { TestInvoiceForm } from './TestInvoiceForm';
import { usePayView } from './view';

/** Pay an invoice: read it, plan its parts, send them and watch them travel. */
export function PayScreen() {
  const simulated = useNode((s) => s.info?.simulated ?? false);
  const ownId = useNode((s) => s.info?.id);
  const view = usePayView();
  const { decoded } = view;
  return (
    <main className="screen pay-screen" aria-labelledby="pay-heading">
      <h1 id="pay-heading">Pay</h1>
      {simulated && <TestInvoiceForm />}
      <InvoiceInput />
      <InvoiceDetails />
      {decoded && decoded.msatoshi === undefined && <AmountInput locked={view.parts.length > 0} />}
      {decoded ? (
        <Planner view={view} />
      ) : (
        <div className="send-bar">
          <button type="button" className="primary" disabled>
            Send
          </button>
          <span className="note">Paste an invoice, or get a test invoice, to plan its parts.</span>
        </div>
      )}
      {decoded && ownId && <PayPaths view={view} ownId={ownId} destination={decoded.destination} />}
    </main>
  );
}

function Planner({ view }: { view: ReturnType<typeof usePayView> }) {
  const propose = usePlanner((s) => s.propose);
  const addRow = usePlanner((s) => s.addRow);
  const proposing = usePlanner((s) => s.proposing);
  const planError = usePlanner((s) => s.planError);
  const hasPlanned = usePlanner((s) => s.rows.some(isPlanned));
  const done = view.payment?.status === 'complete';
  return (
    <section className="planner" aria-labelledby="planner-heading">
      <h2 id="planner-heading">Parts</h2>
      <div className="toolbar">
        <button
          type="button"
          disabled={proposing || done || view.intended === undefined}
          onClick={() => void propose()}
        >
          Propose split
        </button>
        <button type="button" disabled={done || view.intended === undefined} onClick={addRow}>
          Add part
        </button>
        {proposing && <span className="note">Planning…</span>}
      </div>
      {planError && (
        <p role="alert" className="error">
          {planError}
        </p>
      )}
      <PaymentStatus view={view} />
      <PartsTable rows={view.rows} channels={view.channels} aliases={view.aliases} />
      {(hasPlanned || !done) && <PlanSummary view={view} />}
      {!done && <SendButton view={view} />}
      <RerouteOffer view={view} />
      <PaymentResult view={view} />
    </section>
  );
}
