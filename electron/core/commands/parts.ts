import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { PartialPayment, Payment, Route } from '../../../shared/types';
import { waitUntil } from '../wait';
import type { Handler } from './context';
import { decodeInvoice, invoiceFacts } from './invoice';

const notFound = (field: string, value: unknown) =>
  new ApiError(
    ErrorCode.NotFound,
    `${field}: no such ${field === 'id' ? 'partial payment' : 'payment'} ${String(value)}`,
  );

/** What both ways of sending share: the route's last hop, and the invoice's facts when one is given. */
async function paymentFacts(
  ctx: Parameters<Handler<'sendpay'>>[0],
  p: { route: Route; payment_hash: string; payment_secret?: string; bolt11?: string; description?: string },
) {
  const last = p.route[p.route.length - 1];
  if (!last) throw new ApiError(ErrorCode.InvalidParams, 'route: must have at least one hop (got [])');
  const facts = await invoiceFacts(ctx, {
    bolt11: p.bolt11,
    paymentHash: p.payment_hash,
    paymentSecret: p.payment_secret,
    destination: last.id,
  });
  // Before anything is written: the route's channels and nodes as the node's graph has them.
  const hints = p.bolt11 ? (await decodeInvoice(ctx, p.bolt11)).route_hints : [];
  await ctx.routes.check(p.route, (await ctx.info()).blockheight, hints);
  return {
    paymentHash: p.payment_hash,
    route: p.route,
    destination: facts.destination,
    description: p.description ?? facts.description,
    paymentSecret: facts.paymentSecret,
    bolt11: p.bolt11,
  };
}

export const sendpartialpay: Handler<'sendpartialpay'> = async (ctx, p) =>
  ctx.parts.sendPartial({ ...(await paymentFacts(ctx, p)), intendedMsat: p.intended_msatoshi });

export const sendpay: Handler<'sendpay'> = async (ctx, p) =>
  ctx.parts.sendSingle({ ...(await paymentFacts(ctx, p)), msatoshi: p.msatoshi });

export const waitpartialpay: Handler<'waitpartialpay'> = async (ctx, p) => {
  const read = (): PartialPayment => {
    const part = ctx.ledger.part(p.id);
    if (!part) throw notFound('id', p.id);
    return part;
  };
  return waitUntil(ctx.events, 'partialpayment', read, (e) => e.id === p.id, p.timeout, `partial payment ${p.id}`);
};

export const waitsendpay: Handler<'waitsendpay'> = async (ctx, p) => {
  const read = (): Payment => {
    const payment = ctx.ledger.payment(p.payment_hash);
    if (!payment) throw notFound('payment_hash', p.payment_hash);
    return payment;
  };
  return waitUntil(
    ctx.events,
    'payment',
    read,
    (e) => e.payment_hash === p.payment_hash,
    p.timeout,
    `payment ${p.payment_hash}`,
  );
};

export const listpartialpayments: Handler<'listpartialpayments'> = async (ctx, p) => ({
  partialpayments: ctx.ledger.parts({ id: p.id, paymentHash: p.payment_hash }),
});

export const listpayments: Handler<'listpayments'> = async (ctx, p) => ({
  payments: ctx.ledger.payments(p.payment_hash),
});
