import { type FormEvent, useState } from 'react';
import { usePlanner } from '../stores/planner';

/** Simulated network only: ask one of its merchants for an invoice. */
export function TestInvoiceForm() {
  const [amount, setAmount] = useState('25000');
  const [description, setDescription] = useState('Test payment');
  const busy = usePlanner((s) => s.testInvoiceBusy);
  const error = usePlanner((s) => s.testInvoiceError);
  const getTestInvoice = usePlanner((s) => s.getTestInvoice);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void getTestInvoice(amount, description);
  };
  return (
    <form className="test-invoice" onSubmit={submit} aria-label="Test invoice">
      <label>
        Test invoice amount (sat)
        <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
      </label>
      <label>
        Test invoice description
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Get a test invoice
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
