// The planner's arithmetic, pure: what the parts add up to, what is left to assign, fee and probability totals,
// whether the plan can be sent, and what is missing once parts have failed.

import type { ChannelInfo } from '../../shared/api/results';
import { routeDelivered, routeFee, routeSent } from '../../shared/route';
import type { PartialPayment, Route } from '../../shared/types';
import { formatMsat } from '../format';

/** One planned (not yet sent) part, as far as the arithmetic is concerned. */
export interface PlannedPart {
  /** Undefined while what was typed is not an amount. */
  amount?: bigint;
  channel?: string;
  route?: Route;
  probability?: number;
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

/** That every part arrives: the product of the parts' probabilities (taken as independent); undefined if one is unknown. */
export function jointProbability(probabilities: readonly (number | undefined)[]): number | undefined {
  let p = 1;
  for (const q of probabilities) {
    if (q === undefined || !Number.isFinite(q)) return undefined;
    p *= q;
  }
  return p;
}

/** What leaves each of our channels for these parts: amount plus fees, by first channel. */
export function channelUse(parts: readonly PlannedPart[]): Map<string, bigint> {
  const use = new Map<string, bigint>();
  for (const p of parts) {
    const channel = p.channel ?? p.route?.[0]?.channel;
    if (!channel) continue;
    const route = currentRoute(p);
    const sent = route ? routeSent(route) : (p.amount ?? 0n);
    use.set(channel, (use.get(channel) ?? 0n) + sent);
  }
  return use;
}

export interface SendCheck {
  ok: boolean;
  /** Why not, in words, one per problem. */
  reasons: string[];
}

/**
 * Whether the planned parts can be sent: at least one; every amount readable and positive; together exactly
 * `target`; each with a current route; and what leaves each channel (amounts and fees) within its local balance.
 */
export function checkSend(
  target: bigint | undefined,
  parts: readonly PlannedPart[],
  channels: readonly ChannelInfo[],
  names: (channel: string) => string = (c) => c,
): SendCheck {
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
  const byChannel = new Map(channels.map((c) => [c.channel, c]));
  for (const [channel, used] of channelUse(parts)) {
    const info = byChannel.get(channel);
    if (!info) reasons.push(`${names(channel)}: not one of our channels.`);
    else if (!info.active) reasons.push(`${names(channel)}: the channel is not active.`);
    else if (used > info.local_msatoshi) {
      reasons.push(
        `${names(channel)}: the parts need ${formatMsat(used)} but the channel has ${formatMsat(info.local_msatoshi)}.`,
      );
    }
  }
  return { ok: reasons.length === 0, reasons };
}

/** What the parts sent so far still leave to pay: the intended amount minus every part that has not failed. */
export function missingAmount(intended: bigint, parts: readonly PartialPayment[]): bigint {
  return parts.reduce((left, p) => (p.status === 'failed' ? left : left - p.msatoshi), intended);
}

/** How long a receiver holds the parts of an incomplete set (LND, and simnet: 120 s from each part's arrival). */
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

/** Something a new route should avoid, for parts of at least `msatoshi` (what failed to pass there). */
export interface Avoid {
  /** getroutes' `BLOCKxTXxOUT/DIR`. */
  exclusion: string;
  msatoshi: bigint;
}

/**
 * What new routes should avoid after these failures: the direction of the channel the failing node could not
 * forward on, for amounts at least as large as the one that failed there (a smaller one may pass). Failures at the
 * receiver (MPP timeout, refusals) avoid nothing.
 */
export function avoidFrom(parts: readonly PartialPayment[], ownId: string | undefined): Avoid[] {
  const out = new Map<string, bigint>();
  for (const p of parts) {
    if (p.status !== 'failed' || !p.failure) continue;
    const k = p.failure.erring_index;
    if (k === undefined || k >= p.route.length) continue;
    const hop = p.route[k];
    const exclusion = hopExclusion(p.route, k, ownId);
    if (!hop || !exclusion) continue;
    const amount = hop.msatoshi;
    const old = out.get(exclusion);
    if (old === undefined || amount < old) out.set(exclusion, amount);
  }
  return [...out].map(([exclusion, msatoshi]) => ({ exclusion, msatoshi }));
}

/** `BLOCKxTXxOUT/DIR` of a route's hop `k` (0 = the hop from our node `ownId`); undefined if its direction is unknown. */
export function hopExclusion(route: Route, k: number, ownId: string | undefined): string | undefined {
  const hop = route[k];
  if (!hop) return undefined;
  const from = k === 0 ? ownId : route[k - 1]?.id;
  const direction = hop.direction ?? (from !== undefined ? (from < hop.id ? 0 : 1) : undefined);
  return direction === undefined ? undefined : `${hop.channel}/${direction}`;
}

/** The last hops (into the receiver) of these routes: where a receiver's inbound liquidity is usually short. */
export function lastHops(routes: readonly Route[], ownId: string | undefined): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    const e = hopExclusion(r, r.length - 1, ownId);
    if (e) out.add(e);
  }
  return [...out];
}

/** The exclusions that apply to a part of `amount`. */
export function exclusionsFor(avoid: readonly Avoid[], amount: bigint): string[] {
  return avoid.filter((a) => a.msatoshi <= amount).map((a) => a.exclusion);
}
