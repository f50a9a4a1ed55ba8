import { usePlanner } from '../stores/planner';

/** For an invoice without an amount: how much to pay. */
export function AmountInput({ locked }: { locked: boolean }) {
  const amountText = usePlanner((s) => s.amountText);
  const setAmountText = usePlanner((s) => s.setAmountText);
  return (
    <div className="field">
      <label htmlFor="amount">Amount (sat)</label>
      <input
        id="amount"
        inputMode="decimal"
        value={amountText}
        readOnly={locked}
        placeholder="The invoice leaves the amount to you"
        onChange={(e) => setAmountText(e.target.value)}
      />
    </div>
  );
}
