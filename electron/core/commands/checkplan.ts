import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import { routeFee } from '../payer/first-plan';
import type { Handler } from './context';
import { invoiceAmount } from './pay';

/**
 * checkplan: the core planner's probabilities for exactly these parts (the numbers splitpay gives for the same parts),
 * their fees, and the channels they ask together for more than they can send. Sends nothing.
 */
export const checkplan: Handler<'checkplan'> = async (ctx, p) => {
  const { invoice } = await invoiceAmount(ctx, p.bolt11, p.msatoshi);
  const routes = p.parts.map((part) => part.route);
  for (const [i, route] of routes.entries()) {
    const last = route.at(-1);
    if (last?.id !== invoice.destination) {
      throw invalidParam(`parts[${i}].route`, last?.id, `must end at the invoice's destination ${invoice.destination}`);
    }
  }
  const reply = await ctx.planner.check(routes);
  if (!reply.ok) {
    if (reply.hop === undefined) throw new ApiError(ErrorCode.Internal, `checkplan: ${reply.message}`);
    const hop = routes[reply.part]?.[reply.hop];
    throw invalidParam(`parts[${reply.part}].route[${reply.hop}].channel`, hop?.channel, reply.message);
  }
  const fees = routes.map(routeFee);
  return {
    probability: reply.probability,
    fee_msatoshi: fees.reduce((s, f) => s + f, 0n),
    parts: routes.map((_, i) => ({ probability: reply.parts[i] as number, fee_msatoshi: fees[i] as bigint })),
    overdrawn: reply.overdrawn.map((o) => ({
      channel: o.scid,
      from: o.from,
      asked_msatoshi: o.askedMsat,
      available_msatoshi: o.availableMsat,
    })),
  };
};
