// Exact conversion between c-lightning's route format (`Route`) and LND's `Route` (`LndRoute`).
//
// c-lightning: route[i].msatoshi / route[i].delay describe the HTLC *arriving* at route[i].id (delay relative to
// the current block height). LND: hops[i].amt_to_forward_msat / hops[i].expiry describe the HTLC route[i].id
// *sends on* (for the last hop: what the destination receives and the final CLTV); total_amt_msat /
// total_time_lock describe the HTLC we send to hop 0. So, with incoming(i) = i == 0 ? total : hops[i-1]:
//   route[i].msatoshi = incoming amount of hop i        route[i].delay = incoming CLTV of hop i − height
//   hops[i].fee_msat  = incoming(i) − amt_to_forward(i) (0 on the last hop)
//   total_fees_msat   = total_amt_msat − hops[last].amt_to_forward_msat

import type { LndHop, LndRoute } from './lnd-route';
import { formatScid, parseScid } from './scid';
import type { Route, RouteHop } from './types';

const NODE_ID = /^0[23][0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{64}$/;

export interface ToLndRouteOptions {
  /** Current block height: delays are relative to it, LND's expiries are absolute. */
  height: number;
  /** MPP record for the final hop: the invoice's payment secret and the whole payment's amount. */
  mpp?: { paymentSecret: string; totalMsat: bigint };
}

/** c-lightning route → LND route. Throws an Error naming the hop and field if the route is malformed. */
export function toLndRoute(route: Route, opts: ToLndRouteOptions): LndRoute {
  const { height, mpp } = opts;
  if (!Number.isSafeInteger(height) || height < 0)
    throw new Error(`height must be a non-negative integer, got ${height}`);
  checkRoute(route);
  const last = route.length - 1;
  const hops: LndHop[] = route.map((hop, i) => {
    const next = route[i + 1] ?? hop; // the last hop forwards (delivers) what arrives at it
    const hopOut: LndHop = {
      chan_id: parseScidAt(hop.channel, i),
      pub_key: hop.id,
      amt_to_forward_msat: next.msatoshi,
      fee_msat: hop.msatoshi - next.msatoshi,
      expiry: height + next.delay,
    };
    if (i === last && mpp) {
      const secret = mpp.paymentSecret;
      if (typeof secret !== 'string' || !HEX32.test(secret)) {
        throw new Error(`mpp.paymentSecret must be 64 lowercase hex characters, got ${JSON.stringify(secret)}`);
      }
      if (typeof mpp.totalMsat !== 'bigint' || mpp.totalMsat < hop.msatoshi) {
        throw new Error(
          `mpp.totalMsat (${mpp.totalMsat}) must be a bigint at least the part's delivered amount (${hop.msatoshi})`,
        );
      }
      hopOut.mpp_record = { payment_addr: secret, total_amt_msat: mpp.totalMsat };
    }
    return hopOut;
  });
  const first = route[0] as RouteHop;
  const final = route[last] as RouteHop;
  return {
    total_time_lock: height + first.delay,
    total_amt_msat: first.msatoshi,
    total_fees_msat: first.msatoshi - final.msatoshi,
    hops,
  };
}

/**
 * LND route → c-lightning route. `direction` is set where the previous node is known (hop 0's previous node is
 * `ownId`): 0 when the previous node's id sorts below this hop's id (LND's node1 is the smaller key), else 1.
 * Throws if the LND route is empty or not self-consistent (fees, final hop).
 */
export function fromLndRoute(route: LndRoute, height: number, ownId?: string): Route {
  const { hops } = route;
  if (hops.length === 0) throw new Error('LND route has no hops');
  const last = hops.length - 1;
  return hops.map((hop, i) => {
    const prev = i === 0 ? undefined : (hops[i - 1] as LndHop);
    const inAmt = prev ? prev.amt_to_forward_msat : route.total_amt_msat;
    const inCltv = prev ? prev.expiry : route.total_time_lock;
    if (inAmt - hop.amt_to_forward_msat !== hop.fee_msat) {
      throw new Error(
        `LND route hop ${i}: fee_msat ${hop.fee_msat} differs from incoming ${inAmt} − amt_to_forward_msat ${hop.amt_to_forward_msat}`,
      );
    }
    if (i === last) {
      if (hop.amt_to_forward_msat !== inAmt) {
        throw new Error(`LND route final hop: amt_to_forward_msat ${hop.amt_to_forward_msat} differs from ${inAmt}`);
      }
      if (hop.expiry !== inCltv) throw new Error(`LND route final hop: expiry ${hop.expiry} differs from ${inCltv}`);
      if (route.total_amt_msat - hop.amt_to_forward_msat !== route.total_fees_msat) {
        throw new Error(
          `LND route: total_fees_msat ${route.total_fees_msat} differs from ${route.total_amt_msat} − ${hop.amt_to_forward_msat}`,
        );
      }
    }
    const out: RouteHop = {
      id: hop.pub_key,
      channel: formatScid(hop.chan_id),
      msatoshi: inAmt,
      delay: inCltv - height,
    };
    const prevNode = prev ? prev.pub_key : ownId;
    if (prevNode !== undefined) out.direction = prevNode.toLowerCase() < hop.pub_key.toLowerCase() ? 0 : 1;
    return out;
  });
}

/** What leaves the wallet: route[0].msatoshi. */
export function routeSent(route: Route): bigint {
  return nonEmpty(route)[0].msatoshi;
}

/** What the destination receives: route[last].msatoshi. */
export function routeDelivered(route: Route): bigint {
  const r = nonEmpty(route);
  return (r[r.length - 1] as RouteHop).msatoshi;
}

/** The fees of the whole route: sent − delivered. */
export function routeFee(route: Route): bigint {
  return routeSent(route) - routeDelivered(route);
}

/** The CLTV delay of the HTLC we send: route[0].delay. */
export function routeDelay(route: Route): number {
  return nonEmpty(route)[0].delay;
}

/** Throws an Error naming `route[i].field` unless the route is well formed: ids, channels, positive amounts and
 * non-negative integer delays, neither increasing along the route. */
export function checkRoute(route: Route): void {
  if (!Array.isArray(route) || route.length === 0) throw new Error('route must have at least one hop');
  route.forEach((hop, i) => {
    if (typeof hop.id !== 'string' || !NODE_ID.test(hop.id)) {
      throw new Error(`route[${i}].id must be a node id (66 lowercase hex), got ${JSON.stringify(hop.id)}`);
    }
    parseScidAt(hop.channel, i);
    if (typeof hop.msatoshi !== 'bigint' || hop.msatoshi <= 0n) {
      throw new Error(`route[${i}].msatoshi must be a positive bigint, got ${String(hop.msatoshi)}`);
    }
    if (!Number.isSafeInteger(hop.delay) || hop.delay < 0) {
      throw new Error(`route[${i}].delay must be a non-negative integer, got ${hop.delay}`);
    }
    const prev = route[i - 1];
    if (prev) {
      if (hop.msatoshi > prev.msatoshi) {
        throw new Error(
          `route[${i}].msatoshi ${hop.msatoshi} exceeds route[${i - 1}].msatoshi ${prev.msatoshi}: amounts must not increase along a route`,
        );
      }
      if (hop.delay > prev.delay) {
        throw new Error(
          `route[${i}].delay ${hop.delay} exceeds route[${i - 1}].delay ${prev.delay}: delays must not increase along a route`,
        );
      }
    }
  });
}

function parseScidAt(channel: string, i: number): bigint {
  try {
    return parseScid(channel);
  } catch (e) {
    throw new Error(`route[${i}].channel: ${(e as Error).message}`);
  }
}

function nonEmpty(route: Route): [RouteHop, ...RouteHop[]] {
  if (route.length === 0) throw new Error('route has no hops');
  return route as [RouteHop, ...RouteHop[]];
}
