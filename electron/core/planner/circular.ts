// A rebalance's plan in the planner's worker: the circular flow of shared/planner/circular.ts over the graph and the
// beliefs the worker keeps, as routes from our node back to our node. Loaded by the worker as plain TypeScript:
// explicit .ts imports, no TS-only syntax.
import { planCircular } from '../../../shared/planner/circular.ts';
import type { ChannelGraph } from '../../../shared/planner/mcf/graph.ts';
import { evaluatePlan, hopAmounts } from '../../../shared/planner/mcf/mcf.ts';
import type { UncertaintyNetwork } from '../../../shared/planner/mcf/uncertainty.ts';
import type { CircularArgs, PlanReply } from './messages.ts';
import { routeOfPath } from './routes.ts';

/** Plans the circular flow `args` asks for; our channels' balances are already set in `net`. */
export function planCircularReply(
  g: ChannelGraph,
  net: UncertaintyNetwork,
  ownId: string,
  args: CircularArgs,
): PlanReply {
  const own = g.nodeIds.indexOf(ownId);
  if (own < 0) return { ok: false, reason: 'no-route', message: 'our node is not in the channel graph' };
  const known = new Set(g.scids);
  for (const scid of [...args.sources, ...args.targets]) {
    if (!known.has(scid)) return { ok: false, reason: 'no-route', message: `channel ${scid} is not in the graph` };
  }
  const plan = planCircular(g, net, {
    own,
    sources: args.sources,
    targets: args.targets,
    amountMsat: args.amountMsat,
    maxFeeMsat: args.maxFeeMsat,
    maxParts: args.maxParts,
    inboundMsat: new Map(args.inbound.map((i) => [i.scid, i.msat])),
  });
  if (!plan.ok) return { ok: false, reason: plan.reason, message: plan.message };
  // The numbers shown are evaluatePlan's over the whole graph, as checkplan's for the same parts.
  const shown = evaluatePlan(
    g,
    net,
    plan.parts.map((p) => ({ path: p.path, hops: hopAmounts(g, p.path, p.amountMsat).map(Number) })),
  );
  return {
    ok: true,
    parts: plan.parts.map((p, i) => ({
      route: routeOfPath(g, p.path, p.amountMsat, args.finalCltv),
      msatoshi: p.amountMsat,
      feeMsat: p.feeMsat,
      probability: shown.parts[i] as number,
    })),
    feeMsat: plan.feeMsat,
    probability: shown.probability,
  };
}
