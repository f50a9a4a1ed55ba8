// The min-cost-flow planner (shared/planner/mcf/) as a Braid round planner for the split benchmark (strategy "braid").
// The planner's graph is built once per Sim from the simnet network (capacities, policies, disabled flags); each
// payment gets a fresh UncertaintyNetwork with the sender's own channels set exactly, learns from its own parts'
// outcomes within its rounds, and forgets afterwards (persistence across payments is out of scope here: payments are
// independent in this benchmark, so a persistent network would also carry knowledge between strategies' runs).
import { buildGraph, type ChannelGraph, edgeOf, type Policy } from '../../../shared/planner/mcf/graph';
import { hopAmounts, planPayment } from '../../../shared/planner/mcf/mcf';
import { type ProbabilityModel, UncertaintyNetwork } from '../../../shared/planner/mcf/uncertainty';
import { DEFAULT_FINAL_CLTV_DELTA } from '../../../simnet/model/lnd';
import type { Network } from '../../../simnet/model/network';
import type { Attempt } from '../../../simnet/model/payments';
import { buildRouteFromPath } from '../../../simnet/model/route';
import { BLOCK_PADDING } from '../../../simnet/model/sendpayment';
import type { Sim } from '../../../simnet/model/sim';
import type { Route, Policy as SimPolicy } from '../../../simnet/model/types';
import type { PlannerSession, SplitContext } from './split-strategies';

const toPolicy = (p: SimPolicy): Policy => ({
  feeBaseMsat: p.baseFeeMsat,
  feePpm: p.feePpm,
  cltvDelta: p.cltvDelta,
  htlcMinMsat: p.htlcMinMsat,
  htlcMaxMsat: p.htlcMaxMsat,
  disabled: p.disabled,
});

const graphs = new WeakMap<Sim, ChannelGraph>();

/** The planner's graph of the simnet network, built once per Sim (the benchmark changes no policy). */
export function plannerGraph(sim: Sim): ChannelGraph {
  let g = graphs.get(sim);
  if (g) return g;
  const net: Network = sim.net;
  g = buildGraph({
    nodes: net.nodes.map((n) => n.pubkey),
    channels: net.channels.map((c) => ({
      scid: c.id,
      node1: c.node1,
      node2: c.node2,
      capacityMsat: c.capacitySat * 1000n,
      policies: [toPolicy(c.policy[0]), toPolicy(c.policy[1])],
    })),
  });
  graphs.set(sim, g);
  return g;
}

/**
 * The sender's own channels: exact balances in `un`. Returned with their gossiped disabled flags, which the caller
 * lifts while planning (our node sends on its channels whatever their gossip says) and puts back after.
 */
export function setOwnChannels(
  net: Network,
  g: ChannelGraph,
  un: UncertaintyNetwork,
  sender: number,
): { edge: number; disabled: number }[] {
  const own: { edge: number; disabled: number }[] = [];
  for (const ci of net.node(sender).channels) {
    const channel = net.channels[ci];
    if (!channel) continue;
    const dir: 0 | 1 = channel.node1 === sender ? 0 : 1;
    const edge = edgeOf(g, ci, dir);
    un.setOwnBalance(edge, Number(net.available(channel, dir)));
    own.push({ edge, disabled: g.disabled[edge] as number });
  }
  return own;
}

export interface McfOptions {
  model?: ProbabilityModel;
}

/**
 * A per-payment session of the MCF planner: plan the missing amount over the uncertainty network (parts in flight
 * reserved), convert each part's edge path to a simnet route with the MPP record, and learn from each outcome.
 */
export function mcfSession(ctx: SplitContext, options: McfOptions = {}): PlannerSession {
  const { sim, sender } = ctx;
  const net = sim.net;
  const g = plannerGraph(sim);
  const un = new UncertaintyNetwork(g, { model: options.model ?? 'uniform' });
  const own = setOwnChannels(net, g, un, sender);
  const inFlight = new Map<Route, { path: number[]; amounts: number[] }>();
  const finalCltv = (ctx.invoice.cltvExpiry || DEFAULT_FINAL_CLTV_DELTA) + BLOCK_PADDING;
  const mpp = { paymentAddr: ctx.invoice.paymentAddr, totalAmtMsat: ctx.amountMsat };

  return {
    plan(req) {
      for (const o of own) g.disabled[o.edge] = 0;
      try {
        const plan = planPayment(g, un, {
          source: sender,
          destination: ctx.receiver,
          amountMsat: req.amountMsat,
          maxFeeMsat: req.feeBudgetMsat,
          maxParts: req.maxParts,
        });
        if (!plan.ok) return undefined;
        const routes: Route[] = [];
        for (const part of plan.parts) {
          const path = part.path.map((e) => ({
            chanId: net.channels[g.channel[e] as number]?.id as bigint,
            to: g.to[e] as number,
          }));
          const route = buildRouteFromPath(net, path, part.amountMsat, finalCltv, mpp);
          // What each hop forwards, fees included: the bounds learned from this part are then exact.
          const amounts = hopAmounts(g, part.path, part.amountMsat).map(Number);
          un.reserve(part.path, amounts);
          inFlight.set(route, { path: part.path, amounts });
          routes.push(route);
        }
        return routes;
      } finally {
        for (const o of own) g.disabled[o.edge] = o.disabled;
      }
    },
    outcome(route: Route, attempt: Attempt) {
      const part = inFlight.get(route);
      if (!part) return;
      inFlight.delete(route);
      // Released first: the part's own amount must not count twice in inFlight + amount below.
      un.release(part.path, part.amounts);
      if (attempt.status === 'SUCCEEDED') un.onSuccess(part.path, part.amounts);
      else if (attempt.failure) {
        // sourceIndex k: the node of hops[k-1] failed to forward over hops[k], i.e. path[k] (k = length: the
        // receiver, so every hop carried the part).
        un.onFailure(part.path, Math.min(attempt.failure.sourceIndex, part.path.length), part.amounts);
      }
    },
  };
}
