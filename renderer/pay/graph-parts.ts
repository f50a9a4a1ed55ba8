// The picture's parts (GraphPart) from what the wallet knows: a partial payment, or a part still being planned.

import type { PartialPayment, Payment, Route } from '../../shared/types';
import type { GraphPart, PartState } from './paths-layout';

/** A pending part this long (s) while its payment is short of its amount is taken as held by the receiver. */
export const HELD_AFTER_SECONDS = 2;

/**
 * A sent part's state in the picture. `held`: still pending while the parts in flight and complete fall short of the
 * payment's amount, and out for a while: the receiver holds what reached it (up to its MPP timeout) until the rest
 * comes. The sender's node cannot tell an HTLC held at the receiver from one still travelling, hence the time.
 */
export function sentPartState(
  part: PartialPayment,
  payment: Payment | undefined,
  parts: readonly PartialPayment[],
  nowSeconds: number,
): PartState {
  if (part.status !== 'pending') return part.status;
  if (!payment || payment.status === 'complete') return 'pending';
  const out = parts.reduce((t, p) => (p.status === 'failed' ? t : t + p.msatoshi), 0n);
  const held = out < payment.msatoshi && nowSeconds - part.created_at >= HELD_AFTER_SECONDS;
  return held ? 'held' : 'pending';
}

/** A row of the Pay screen's table or of History's parts, as the picture draws it. */
export function graphPart(row: {
  key: string;
  number: number;
  state: PartState;
  route?: Route;
  amount?: bigint;
  part?: PartialPayment;
  failure?: string;
}): GraphPart | undefined {
  const route = row.route ?? row.part?.route;
  if (!route || route.length === 0) return undefined;
  const f = row.part?.failure;
  return {
    key: row.key,
    number: row.number,
    state: row.state,
    hops: route.map((h) => h.id),
    amount: row.amount ?? row.part?.msatoshi ?? route[route.length - 1]?.msatoshi ?? 0n,
    ...(row.state === 'failed' && f?.erring_index !== undefined ? { failedAt: f.erring_index } : {}),
    ...(row.state === 'failed' ? { failure: row.failure ?? (f ? `${f.message} (${f.code})` : 'failed') } : {}),
  };
}
