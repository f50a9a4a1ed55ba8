// The planner's arithmetic on what the user edits, pure: what the parts add up to, what is left to assign, the fee
// total, whether the edit is complete, and what is missing once parts have failed. Probabilities and whether the
// channels can carry a plan are the core's (checkplan); the payer is the core's.

import { routeDelivered, routeFee } from '../../shared/route';
import type { PartialPayment, Route } from '../../shared/types';
import { formatMsat } from '../format';

/** One planned (not yet sent) part, as far as the arithmetic is concerned. */
export interface PlannedPart {
  /** Undefined while what was typed is not an amount. */
  amount?: bigint;
  channel?: string;
  route?: Route;
  /** A route request for this part is in flight. */
  routing?: boolean;
  /** Its number in the parts table (1-based), for messages; its index + 1 when not given. */
  number?: number;
}

export function sumAmounts(parts: readonly PlannedPart[]): bigint {
  return parts.reduce((sum, p) => sum + (p.amount ?? 0n), 0n);
}

/** What the parts still have to cover; negative when they cover too much. */
export function leftToAssign(target: bigint, parts: readonly PlannedPart[]): bigint {
  return target - sumAmounts(parts);
}

/** The part's route, if it is the route for its amount over its channel (not one left from before an edit). */
export function currentRoute(part: PlannedPart): Route | undefined {
  const { route, amount, channel } = part;
  if (!route || route.length === 0 || amount === undefined) return undefined;
  if (routeDelivered(route) !== amount) return undefined;
  if (channel !== undefined && route[0]?.channel !== channel) return undefined;
  return route;
}

export function partFee(part: PlannedPart): bigint | undefined {
  const route = currentRoute(part);
  return route ? routeFee(route) : undefined;
}

/** Sum of the parts' fees; undefined while any part has no current route. */
export function totalFee(parts: readonly PlannedPart[]): bigint | undefined {
  let sum = 0n;
  for (const p of parts) {
    const fee = partFee(p);
    if (fee === undefined) return undefined;
    sum += fee;
  }
  return sum;
}

export interface SendCheck {
  ok: boolean;
  /** Why not, in words, one per problem. */
  reasons: string[];
}

/** The limits the user set on the Pay form. */
export interface PlanLimits {
  /** Total fee limit over all parts, msat; undefined while what was typed is not an amount. */
  feeLimit?: bigint;
  /** Most parts; undefined while what was typed is not a whole number. */
  maxParts?: number;
}

/**
 * Whether the plan as edited can be handed to the core: at least one part; every amount readable and positive;
 * together exactly `target`; each with a current route; the fees within the fee limit and no more parts than the
 * maximum. Whether the channels can carry it is the core's answer (checkplan's `overdrawn`), not ours.
 */
export function checkEdit(target: bigint | undefined, parts: readonly PlannedPart[], limits: PlanLimits): SendCheck {
  const reasons: string[] = [];
  if (target === undefined) reasons.push('The amount to pay is not known yet.');
  if (parts.length === 0) reasons.push('There are no parts to send.');
  parts.forEach((p, i) => {
    const n = p.number ?? i + 1;
    if (p.amount === undefined) reasons.push(`Part ${n}: the amount is not a number of sat.`);
    else if (p.amount <= 0n) reasons.push(`Part ${n}: the amount must be more than 0.`);
    else if (!p.channel) reasons.push(`Part ${n}: choose a channel.`);
    else if (p.routing) reasons.push(`Part ${n}: looking for a route…`);
    else if (!currentRoute(p)) reasons.push(`Part ${n}: no route for this amount yet.`);
  });
  if (target !== undefined) {
    const left = leftToAssign(target, parts);
    if (left > 0n) reasons.push(`${formatMsat(left)} still to assign.`);
    if (left < 0n) reasons.push(`The parts add up to ${formatMsat(-left)} more than the amount.`);
  }
  if (limits.feeLimit === undefined) reasons.push('The fee limit is not an amount in sat.');
  else {
    const fee = totalFee(parts);
    if (fee !== undefined && fee > limits.feeLimit) {
      reasons.push(`The parts' fees, ${formatMsat(fee)}, are over your fee limit of ${formatMsat(limits.feeLimit)}.`);
    }
  }
  if (limits.maxParts === undefined) reasons.push('The maximum number of parts is not a whole number from 1 to 100.');
  else if (parts.length > limits.maxParts) {
    reasons.push(`${parts.length} parts are more than your maximum of ${limits.maxParts}.`);
  }
  return { ok: reasons.length === 0, reasons };
}

/** What the parts sent so far still leave to pay: the intended amount minus every part that has not failed. */
export function missingAmount(intended: bigint, parts: readonly PartialPayment[]): bigint {
  return parts.reduce((left, p) => (p.status === 'failed' ? left : left - p.msatoshi), intended);
}

/** How long a receiver holds the parts of an incomplete set (LND, and simnet: 120 s from each part's arrival); for display. */
export const HOLD_SECONDS = 120;

/** Seconds until the receiver gives up on the held (pending) parts: the earliest one's creation + 120 s. */
export function holdSecondsLeft(parts: readonly PartialPayment[], nowSeconds: number): number | undefined {
  let earliest: number | undefined;
  for (const p of parts) {
    if (p.status !== 'pending') continue;
    if (earliest === undefined || p.created_at < earliest) earliest = p.created_at;
  }
  if (earliest === undefined) return undefined;
  return Math.max(0, earliest + HOLD_SECONDS - nowSeconds);
}
