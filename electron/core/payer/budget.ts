import type { PlanReply } from '../planner/messages';
import type { PlanRequest } from '../planner/service';

/** c-lightning's defaults for a payment's fees: 0.5% of the amount, or 5 sat, whichever is larger. */
export const DEFAULT_MAX_FEE_PERCENT = 0.5;
export const DEFAULT_EXEMPT_FEE_MSAT = 5000n;

/** The most a payment of `amount` may spend on fees: `percent` of it, but never less than `exempt`. */
export function feeBudget(amount: bigint, percent: number, exempt: bigint): bigint {
  const share = (amount * BigInt(Math.round(percent * 10_000))) / 1_000_000n;
  return share > exempt ? share : exempt;
}

/** Why no plan was found, naming the amount (as the caller's `field`) and the limits it was planned under. */
export function noPlanMessage(
  req: PlanRequest,
  reply: Extract<PlanReply, { ok: false }>,
  field: 'msatoshi' | 'missing_msatoshi' = 'msatoshi',
): string {
  if (reply.reason === 'insufficient-balance') return `${field}: ${reply.message}`;
  return (
    `${field}: no split of ${req.amountMsat} msat to ${req.destination} found over our channels in at most ` +
    `${req.maxParts} part${req.maxParts === 1 ? '' : 's'} with fees of at most ${req.maxFeeMsat} msat ` +
    `(${reply.reason}: ${reply.message})`
  );
}
