// A rebalance's plan in the planner's worker: the circular flow of shared/planner/circular.ts over the graph and the
// beliefs the worker keeps, as routes from our node back to our node. Loaded by the worker as plain TypeScript:
// explicit .ts imports, no TS-only syntax.
import { planCircular } from '../../../shared/planner/circular.ts';
import type { ChannelGraph } from '../../../shared/planner/mcf/graph.ts';
import type { UncertaintyNetwork } from '../../../shared/planner/mcf/uncertainty.ts';
import type { CircularArgs, PlanReply } from './messages.ts';
import { planReply } from './reply.ts';

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
  return planReply(g, net, plan, args.finalCltv);
}
