import { ApiError, ErrorCode } from '../../../shared/api/errors';
import { pay as runPay } from '../payer/pay';
import { planSplit } from '../payer/split';
import type { CoreContext, Handler } from './context';
import { decodeInvoice } from './invoice';

/** Parts planned when the caller gives no limit: few enough for the receiver to gather quickly. */
const DEFAULT_PARTS = 8;

async function invoiceAmount(ctx: CoreContext, bolt11: string, msatoshi: bigint | undefined) {
  const invoice = await decodeInvoice(ctx, bolt11);
  if ((invoice.timestamp + invoice.expiry) * 1000 < Date.now()) {
    throw new ApiError(
      ErrorCode.InvalidParams,
      `bolt11: the invoice expired at ${new Date((invoice.timestamp + invoice.expiry) * 1000).toISOString()}`,
    );
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
  return planSplit(ctx.node, await ctx.info(), {
    destination: invoice.destination,
    amount,
    finalCltv: invoice.min_final_cltv_expiry + 3,
    maxParts: invoice.mpp ? (p.parts ?? DEFAULT_PARTS) : 1,
  });
};

export const pay: Handler<'pay'> = async (ctx, p) => {
  const { invoice, amount } = await invoiceAmount(ctx, p.bolt11, p.msatoshi);
  return runPay(ctx, {
    invoice,
    bolt11: p.bolt11,
    amount,
    // c-lightning's defaults: 0.5% of the amount, or 5 sat whichever is larger.
    maxFeePercent: p.maxfeepercent ?? 0.5,
    exemptFee: p.exemptfee ?? 5000n,
    maxParts: invoice.mpp ? (p.max_parts ?? DEFAULT_PARTS) : 1,
    retryForSeconds: p.retry_for,
  });
};
