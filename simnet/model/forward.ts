import { activityOf, type HtlcLeg, routeNodes } from './activity';
import type { Network } from './network';
import type { ExitOutcome, FailureCode, HtlcOutcome, MppRecord, Route, WireFailure } from './types';

/** The final node's answer to an HTLC that reached it: its invoice registry decides. */
export type ExitHandler = (
  nodeIndex: number,
  htlc: { paymentHash: Buffer; amtMsat: bigint; expiry: number; mpp?: MppRecord; chanId: bigint },
) => Promise<ExitOutcome>;

/** LND refuses to forward an HTLC whose incoming expiry is this close (IncomingBroadcastDelta). */
const INCOMING_BROADCAST_DELTA = 10;
/** LND's MaxOutgoingCltvExpiry. */
const MAX_CLTV_EXPIRY = 2016;

type Reservation = HtlcLeg;

/**
 * Carries one HTLC along `route` from `sender`, hop by hop, as the onion would: each node checks its outgoing
 * channel's policy and liquidity, reserves the amount, and the outcome travels back over the same nodes.
 */
export async function forwardHtlc(
  net: Network,
  sender: number,
  paymentHash: Buffer,
  route: Route,
  exit: ExitHandler,
): Promise<HtlcOutcome> {
  const reservations: Reservation[] = [];
  const crossed: number[] = [];
  let outcome: HtlcOutcome;
  try {
    outcome = await goForward(net, sender, paymentHash, route, exit, reservations, crossed);
  } catch (error) {
    outcome = { settled: false, failure: { code: 'INTERNAL_FAILURE', sourceIndex: 0 } };
    void error;
  }
  // The settle or fail travels back over every node it crossed, in reverse.
  for (let i = crossed.length - 1; i >= 0; i--) await net.cross(crossed[i] as number);
  for (const r of reservations) {
    r.channel.inFlight[r.dir] -= r.amt;
    if (outcome.settled) {
      r.channel.balance[r.dir] -= r.amt;
      r.channel.balance[r.dir === 0 ? 1 : 0] += r.amt;
    }
  }
  activityOf(net).resolved(routeNodes(net, sender, route), reservations, outcome, route);
  return outcome;
}

async function goForward(
  net: Network,
  sender: number,
  paymentHash: Buffer,
  route: Route,
  exit: ExitHandler,
  reservations: Reservation[],
  crossed: number[],
): Promise<HtlcOutcome> {
  const hops = route.hops;
  let from = sender;
  let amtIn = route.totalAmtMsat;
  let expiryIn = route.totalTimeLock;
  const fail = (failure: WireFailure): HtlcOutcome => ({ settled: false, failure });

  for (let k = 0; k < hops.length; k++) {
    const hop = hops[k] as (typeof hops)[number];
    const channel = net.channel(hop.chanId);
    const to = net.nodeByPubkey(hop.pubkey);
    const dir: 0 | 1 = channel?.node1 === from ? 0 : 1;
    const peer = channel ? (dir === 0 ? channel.node2 : channel.node1) : -1;
    if (!channel || (channel.node1 !== from && channel.node2 !== from) || !to || peer !== to.index || !to.online) {
      return fail({ code: 'UNKNOWN_NEXT_PEER', sourceIndex: k });
    }
    const policy = channel.policy[dir];
    const update = { chanId: channel.id, direction: dir, policy: { ...policy } };
    // The sender pays no fee to itself; it sends the route's total over its own channel.
    const amtOut = k === 0 ? route.totalAmtMsat : (hops[k - 1]?.amtToForwardMsat as bigint);
    const expiryOut = k === 0 ? route.totalTimeLock : (hops[k - 1]?.expiry as number);
    if (k > 0) {
      if (amtOut < policy.htlcMinMsat) {
        return fail({ code: 'AMOUNT_BELOW_MINIMUM', sourceIndex: k, channelUpdate: update, htlcMsat: amtOut });
      }
      if (amtOut > policy.htlcMaxMsat) {
        return fail({ code: 'TEMPORARY_CHANNEL_FAILURE', sourceIndex: k, channelUpdate: update });
      }
      const fee = policy.baseFeeMsat + (amtOut * policy.feePpm) / 1_000_000n;
      if (amtIn - amtOut < fee) {
        return fail({ code: 'FEE_INSUFFICIENT', sourceIndex: k, channelUpdate: update, htlcMsat: amtIn });
      }
      if (expiryIn <= net.height + INCOMING_BROADCAST_DELTA) {
        return fail({ code: 'EXPIRY_TOO_SOON', sourceIndex: k, channelUpdate: update });
      }
      if (expiryOut - net.height > MAX_CLTV_EXPIRY) {
        return fail({ code: 'EXPIRY_TOO_FAR', sourceIndex: k });
      }
      if (expiryIn - expiryOut < policy.cltvDelta) {
        return fail({ code: 'INCORRECT_CLTV_EXPIRY', sourceIndex: k, channelUpdate: update, cltvExpiry: expiryIn });
      }
      if (policy.disabled) {
        return fail({ code: 'CHANNEL_DISABLED', sourceIndex: k, channelUpdate: update, flags: dir | 2 });
      }
    }
    if (net.available(channel, dir) < amtOut) {
      return fail({ code: 'TEMPORARY_CHANNEL_FAILURE', sourceIndex: k, channelUpdate: update });
    }
    channel.inFlight[dir] += amtOut;
    const leg = activityOf(net).add(channel, dir, amtOut, expiryOut, paymentHash);
    activityOf(net).forwarded(from, reservations.at(-1), leg);
    reservations.push(leg);
    crossed.push(to.index);
    await net.cross(to.index);
    if (!to.online) return fail({ code: 'TEMPORARY_NODE_FAILURE', sourceIndex: k + 1 });
    from = to.index;
    amtIn = amtOut;
    expiryIn = expiryOut;
  }

  const last = hops[hops.length - 1];
  if (!last) return fail({ code: 'INTERNAL_FAILURE', sourceIndex: 0 });
  const finalIndex = hops.length;
  if (amtIn < last.amtToForwardMsat) {
    return fail({ code: 'FINAL_INCORRECT_HTLC_AMOUNT', sourceIndex: finalIndex, htlcMsat: amtIn });
  }
  if (expiryIn < last.expiry) {
    return fail({ code: 'FINAL_INCORRECT_CLTV_EXPIRY', sourceIndex: finalIndex, cltvExpiry: expiryIn });
  }
  const result = await exit(from, {
    paymentHash,
    amtMsat: amtIn,
    expiry: expiryIn,
    mpp: last.mpp,
    chanId: last.chanId,
  });
  if (result.settled) return result;
  return fail(exitFailure(result.code, finalIndex, amtIn, net.height));
}

function exitFailure(code: FailureCode, sourceIndex: number, htlcMsat: bigint, height: number): WireFailure {
  // LND's FailIncorrectDetails carries the amount and the receiver's height.
  if (code === 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS') return { code, sourceIndex, htlcMsat, height };
  return { code, sourceIndex };
}
