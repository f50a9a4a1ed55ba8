import { ApiError, ErrorCode } from '../../../shared/api/errors';
import { DEFAULT_MAX_PARTS, finalCltvFor } from '../../../shared/policy';
import { DEFAULT_EXEMPT_FEE_MSAT, DEFAULT_MAX_FEE_PERCENT, feeBudget, noPlanMessage } from '../payer/budget';
import { checkPayRequest, type PayRequest, pay as runPay } from '../payer/pay';
import type { PlanRequest } from '../planner/service';
import type { CoreContext, Handler } from './context';
import { decodeInvoice } from './invoice';

/**
 * The invoice and the amount to pay. An expired invoice is refused: -32602 for a plan, 203 (the receiver would refuse
 * it for good) for pay, with the payment as data.
 */
export async function invoiceAmount(
  ctx: CoreContext,
  bolt11: string,
  msatoshi: bigint | undefined,
  use: 'plan' | 'pay' = 'plan',
) {
  const invoice = await decodeInvoice(ctx, bolt11);
  if ((invoice.timestamp + invoice.expiry) * 1000 < Date.now()) {
    const message = `bolt11: the invoice expired at ${new Date((invoice.timestamp + invoice.expiry) * 1000).toISOString()}`;
    if (use === 'plan') throw new ApiError(ErrorCode.InvalidParams, message);
    throw new ApiError(ErrorCode.DestinationRefused, `pay: ${message}`, ctx.ledger.payment(invoice.payment_hash));
  }
  if (invoice.amount_msat === 0n && msatoshi === undefined) {
    throw new ApiError(ErrorCode.InvalidParams, 'msatoshi: required for an invoice without an amount (got nothing)');
  }
  if (invoice.amount_msat > 0n && msatoshi !== undefined && msatoshi !== invoice.amount_msat) {
    throw new ApiError(
      ErrorCode.InvalidParams,
      `msatoshi: ${msatoshi} differs from the invoice's amount ${invoice.amount_msat}`,
    );
  }
  return { invoice, amount: invoice.amount_msat > 0n ? invoice.amount_msat : (msatoshi as bigint) };
}

export const splitpay: Handler<'splitpay'> = async (ctx, p) => {
  const { invoice, amount } = await invoiceAmount(ctx, p.bolt11, p.msatoshi);
  const missing = p.missing_msatoshi ?? amount;
  if (missing > amount) {
    const of = invoice.amount_msat > 0n ? "the invoice's amount" : 'msatoshi, the amount paid,';
    throw new ApiError(ErrorCode.InvalidParams, `missing_msatoshi: ${missing} exceeds ${of} ${amount}`);
  }
  const req: PlanRequest = {
    destination: invoice.destination,
    amountMsat: missing,
    // A remainder's limit is the same rule applied to the missing amount: what the earlier parts spent is not
    // charged against it (good enough for a re-route by hand, though each may spend up to the exempt fee).
    maxFeeMsat: feeBudget(missing, p.maxfeepercent ?? DEFAULT_MAX_FEE_PERCENT, p.exemptfee ?? DEFAULT_EXEMPT_FEE_MSAT),
    maxParts: invoice.mpp ? (p.parts ?? DEFAULT_MAX_PARTS) : 1,
    finalCltv: finalCltvFor(invoice.min_final_cltv_expiry),
  };
  const plan = await ctx.planner.plan(req);
  if (!plan.ok) {
    const field = p.missing_msatoshi === undefined ? 'msatoshi' : 'missing_msatoshi';
    throw new ApiError(ErrorCode.PayGaveUp, noPlanMessage(req, plan, field));
  }
  return {
    parts: plan.parts.map((part) => ({
      route: part.route,
      msatoshi: part.msatoshi,
      fee_msatoshi: part.feeMsat,
      probability: part.probability,
    })),
    fee_msatoshi: plan.feeMsat,
    probability: plan.probability,
  };
};

export const pay: Handler<'pay'> = async (ctx, p) => {
  const { invoice, amount } = await invoiceAmount(ctx, p.bolt11, p.msatoshi, 'pay');
  const req: PayRequest = {
    invoice,
    bolt11: p.bolt11,
    amount,
    maxFeePercent: p.maxfeepercent ?? DEFAULT_MAX_FEE_PERCENT,
    exemptFee: p.exemptfee ?? DEFAULT_EXEMPT_FEE_MSAT,
    maxParts: invoice.mpp ? (p.max_parts ?? DEFAULT_MAX_PARTS) : 1,
    retryForSeconds: p.retry_for,
    mode: p.mode,
  };
  if (p.plan) req.plan = p.plan.map((part) => part.route);
  checkPayRequest(ctx.ledger, req);
  return ctx.payers.run(invoice.payment_hash, (run) => runPay(ctx, req, run));
};

export const stoppay: Handler<'stoppay'> = async (ctx, p) => {
  const stopped = await ctx.payers.stop(p.payment_hash);
  const pending = ctx.ledger.parts({ paymentHash: p.payment_hash }).filter((part) => part.status === 'pending');
  return { payment_hash: p.payment_hash, stopped, pending_parts: pending.length };
};
