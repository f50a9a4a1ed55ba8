import { invalidParam } from '../../../shared/api/errors';
import type { Route } from '../../../shared/types';
import type { PaymentView } from './decide';

/** What the parts of a route cost: what leaves our node less what arrives at the destination. */
export function routeFee(route: Route): bigint {
  return (route[0]?.msatoshi ?? 0n) - (route.at(-1)?.msatoshi ?? 0n);
}

/**
 * Refuses (-32602, naming `plan[i]` or `plan`) a first plan that would not be paid as given: a part that does not
 * end at the invoice's destination, or parts that together with those already out would overpay, go over the fee
 * limit (all the payment's parts counted) or over max_parts in flight. Nothing is sent then.
 */
export function checkFirstPlan(
  plan: readonly Route[],
  view: PaymentView,
  limits: { destination: string; amount: bigint; feeBudget: bigint; maxParts: number },
): void {
  for (const [i, route] of plan.entries()) {
    const last = route.at(-1);
    if (last?.id !== limits.destination) {
      throw invalidParam(`plan[${i}].route`, last?.id, `must end at the invoice's destination ${limits.destination}`);
    }
  }
  const delivered = plan.reduce((s, route) => s + (route.at(-1)?.msatoshi ?? 0n), 0n);
  const out = limits.amount - view.missing;
  if (delivered + out > limits.amount) {
    throw invalidParam(
      'plan',
      `${delivered} msat`,
      `the parts deliver ${delivered} msat, and with the ${out} msat already out or complete that is more than ` +
        `the amount ${limits.amount} msat (${view.missing} msat is missing)`,
    );
  }
  const fees = plan.reduce((s, route) => s + routeFee(route), 0n);
  if (fees + view.feesCommitted > limits.feeBudget) {
    throw invalidParam(
      'plan',
      `${fees} msat of fees`,
      `the parts' fees (${fees} msat) with those of the parts already out or complete (${view.feesCommitted} msat) ` +
        `exceed the fee limit of ${limits.feeBudget} msat (maxfeepercent, exemptfee)`,
    );
  }
  if (plan.length + view.pending > limits.maxParts) {
    throw invalidParam(
      'plan',
      `${plan.length} parts`,
      `${plan.length} parts with the ${view.pending} in flight exceed max_parts ${limits.maxParts}`,
    );
  }
}
