import { toFailureCode } from '../../../shared/failures';
import type { PartFailure, PartialPayment, Payment, Route } from '../../../shared/types';
import type { PartRow, PaymentAggRow, PaymentRow } from './statements';

// Rows to objects: payments and parts as the API has them, and routes to and from their stored JSON.

export function toPayment(r: PaymentAggRow): Payment {
  return paymentOf(r, r.sent, {
    pending: Number(r.n_pending),
    complete: Number(r.n_complete),
    failed: Number(r.n_failed),
  });
}

export function paymentOf(r: PaymentRow, sent: bigint, parts: Payment['parts']): Payment {
  return {
    payment_hash: r.payment_hash,
    status: r.status,
    msatoshi: r.msatoshi,
    msatoshi_sent: sent,
    destination: r.destination,
    ...(r.description !== null && { description: r.description }),
    ...(r.bolt11 !== null && { bolt11: r.bolt11 }),
    created_at: Number(r.created_at),
    ...(r.completed_at !== null && { completed_at: Number(r.completed_at) }),
    ...(r.status === 'complete' && r.payment_preimage !== null && { payment_preimage: r.payment_preimage }),
    parts,
  };
}

export function toPart(r: PartRow): PartialPayment {
  return partOf(r, routeFromJson(r.route));
}

/** A part's fields in the API's order; members that do not apply are absent (not undefined). */
export function partOf<R>(r: PartRow, route: R): Omit<PartialPayment, 'route'> & { route: R } {
  const part: Omit<PartialPayment, 'route'> & { route: R } = {
    id: Number(r.id),
    payment_hash: r.payment_hash,
    status: r.status,
    msatoshi: r.msatoshi,
    msatoshi_sent: r.msatoshi_sent,
    destination: r.destination,
    route,
    created_at: Number(r.created_at),
  };
  if (r.completed_at !== null) part.completed_at = Number(r.completed_at);
  if (r.status === 'complete' && r.payment_preimage !== null) part.payment_preimage = r.payment_preimage;
  if (r.status === 'failed') {
    const failure: PartFailure = { code: toFailureCode(r.failure_code), message: r.failure_message ?? '' };
    if (r.erring_index !== null) failure.erring_index = Number(r.erring_index);
    if (r.erring_node !== null) failure.erring_node = r.erring_node;
    if (r.erring_channel !== null) failure.erring_channel = r.erring_channel;
    part.failure = failure;
  }
  return part;
}

/** c-lightning's hop format, amounts as decimal strings so that they survive JSON exactly. */
export function routeToJson(route: Route): string {
  return JSON.stringify(
    route.map((h) => ({
      id: h.id,
      channel: h.channel,
      ...(h.direction !== undefined && { direction: h.direction }),
      msatoshi: h.msatoshi.toString(),
      delay: h.delay,
    })),
  );
}

export function routeFromJson(text: string): Route {
  const hops = JSON.parse(text) as {
    id: string;
    channel: string;
    direction?: 0 | 1;
    msatoshi: string;
    delay: number;
  }[];
  return hops.map((h) => ({
    id: h.id,
    channel: h.channel,
    ...(h.direction !== undefined && { direction: h.direction }),
    msatoshi: BigInt(h.msatoshi),
    delay: h.delay,
  }));
}
