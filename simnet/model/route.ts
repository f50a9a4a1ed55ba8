import type { Network } from './network';
import type { MppRecord, Policy, Route, RouteHop } from './types';

export function forwardingFee(policy: Policy, amtToForward: bigint): bigint {
  return policy.baseFeeMsat + (amtToForward * policy.feePpm) / 1_000_000n;
}

/** The policy a node applies when it forwards over a channel. */
export function policyFrom(net: Network, chanId: bigint, fromNode: number): Policy {
  const channel = net.channel(chanId);
  if (!channel) throw new Error(`no channel ${chanId}`);
  return channel.policy[channel.node1 === fromNode ? 0 : 1];
}

/**
 * LND's newRoute. hops[i].amtToForward is what node hops[i] sends on (for the last hop: what it receives), its
 * fee is priced by its policy on the next channel, and expiry is the CLTV of the HTLC it sends on.
 * Walks backwards from the receiver so that each node is paid for what it forwards.
 */
export function buildRouteFromPath(
  net: Network,
  path: { chanId: bigint; to: number }[],
  receiverAmtMsat: bigint,
  finalCltvDelta: number,
  mpp?: MppRecord,
): Route {
  const hops: RouteHop[] = new Array(path.length);
  let nextIn = receiverAmtMsat; // what the next node receives
  let nextExpiry = net.height + finalCltvDelta;
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i] as { chanId: bigint; to: number };
    const next = path[i + 1];
    const policy = next ? policyFrom(net, next.chanId, step.to) : undefined;
    const fee = policy ? forwardingFee(policy, nextIn) : 0n;
    hops[i] = {
      chanId: step.chanId,
      pubkey: net.node(step.to).pubkey,
      amtToForwardMsat: nextIn,
      feeMsat: fee,
      expiry: nextExpiry,
      mpp: next ? undefined : mpp,
    };
    nextIn += fee;
    nextExpiry += policy?.cltvDelta ?? 0;
  }
  return { totalTimeLock: nextExpiry, totalAmtMsat: nextIn, totalFeesMsat: nextIn - receiverAmtMsat, hops };
}
