import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { DecodedPayReq } from '../node/types';
import type { CoreContext } from './context';
import { asNodeError } from './node-errors';

const cache = new Map<string, DecodedPayReq>();

/** Decodes through the node (its network, its rules), once per invoice. */
export async function decodeInvoice(ctx: CoreContext, bolt11: string): Promise<DecodedPayReq> {
  const known = cache.get(bolt11);
  if (known) return known;
  let decoded: DecodedPayReq;
  try {
    decoded = await ctx.node.decodePayReq(bolt11);
  } catch (error) {
    const nodeError = asNodeError('bolt11', error);
    if (nodeError) throw nodeError;
    throw new ApiError(
      ErrorCode.InvalidParams,
      `bolt11: not a valid invoice for this node (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (cache.size > 1000) cache.clear();
  cache.set(bolt11, decoded);
  return decoded;
}

/** The payment's destination and secret, from the invoice when one is given, checked against the rest. */
export async function invoiceFacts(
  ctx: CoreContext,
  args: { bolt11?: string; paymentHash: string; paymentSecret?: string; destination: string },
): Promise<{ destination: string; paymentSecret?: string; description?: string }> {
  if (!args.bolt11) return { destination: args.destination, paymentSecret: args.paymentSecret };
  const invoice = await decodeInvoice(ctx, args.bolt11);
  if (invoice.payment_hash !== args.paymentHash) {
    throw new ApiError(
      ErrorCode.InvalidParams,
      `payment_hash: ${args.paymentHash} is not the invoice's payment hash ${invoice.payment_hash}`,
    );
  }
  if (args.paymentSecret && invoice.payment_secret && args.paymentSecret !== invoice.payment_secret) {
    throw new ApiError(
      ErrorCode.Mismatch,
      `payment_secret: ${args.paymentSecret} differs from the invoice's ${invoice.payment_secret}`,
    );
  }
  return {
    destination: invoice.destination,
    paymentSecret: args.paymentSecret ?? invoice.payment_secret,
    description: invoice.description || undefined,
  };
}
