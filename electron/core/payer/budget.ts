export { DEFAULT_EXEMPT_FEE_MSAT, DEFAULT_MAX_FEE_PERCENT, feeBudget } from '../../../shared/policy';

import type { PlanReply } from '../planner/messages';
import type { PlanRequest } from '../planner/service';

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
