import { usePlanner } from '../stores/planner';

/** Where the BOLT11 goes: pasted, typed, or from a lightning: link. */
export function InvoiceInput() {
  const text = usePlanner((s) => s.invoiceText);
  const setInvoiceText = usePlanner((s) => s.setInvoiceText);
  const decodeNow = usePlanner((s) => s.decodeNow);
  return (
    <div className="field invoice-field">
      <label htmlFor="invoice">Invoice</label>
      <textarea
        id="invoice"
        rows={3}
        spellCheck={false}
        placeholder="lnbc… or lightning:lnbc…"
        value={text}
        onChange={(e) => setInvoiceText(e.target.value)}
        onBlur={() => void decodeNow()}
      />
    </div>
  );
}
