import { ProblemText } from '../components/ProblemText';
import { useNode } from '../stores/node';
import { usePlanner } from '../stores/planner';
import { AmountInput } from './AmountInput';
import { CheckRoutes } from './CheckRoutes';
import { ConfirmDialog } from './ConfirmDialog';
import { InvoiceDetails } from './InvoiceDetails';
import { InvoiceInput } from './InvoiceInput';
import { PartsTable } from './PartsTable';
import { PaymentResult } from './PaymentResult';
import { PayOptions } from './PayOptions';
import { PayPaths } from './PayPaths';
import { HeldElsewhere } from './PendingParts';
import { PlanSummary } from './PlanSummary';
import { RunStatus } from './RunStatus';
import { SendButton } from './SendButton';
import { TestInvoiceForm } from './TestInvoiceForm';
import { type PayView, usePayView } from './view';

/** Pay an invoice: read it, plan its parts, hand them to the core with one Send and watch them travel. */
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
      <HeldElsewhere currentHash={decoded?.payment_hash} />
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

function Planner({ view }: { view: PayView }) {
  const propose = usePlanner((s) => s.propose);
  const addRow = usePlanner((s) => s.addRow);
  const proposing = usePlanner((s) => s.proposing);
  const planError = usePlanner((s) => s.planError);
  const hasPlanned = usePlanner((s) => s.rows.length > 0);
  const done = view.payment?.status === 'complete';
  return (
    <section className="planner" aria-labelledby="planner-heading">
      <h2 id="planner-heading">Parts</h2>
      {!done && <PayOptions view={view} locked={view.paying} />}
      <div className="toolbar">
        <button
          type="button"
          disabled={proposing || done || view.paying || view.intended === undefined}
          onClick={() => void propose()}
        >
          Propose split
        </button>
        <button type="button" disabled={done || view.paying || view.intended === undefined} onClick={addRow}>
          Add part
        </button>
        {proposing && <span className="note">Planning…</span>}
      </div>
      {planError && <ProblemText problem={planError} />}
      <PartsTable rows={view.rows} channels={view.channels} aliases={view.aliases} />
      {(hasPlanned || !done) && <PlanSummary view={view} />}
      {!done && <SendButton view={view} />}
      <ConfirmDialog view={view} />
      <RunStatus view={view} />
      <CheckRoutes view={view} />
      <PaymentResult view={view} />
    </section>
  );
}
