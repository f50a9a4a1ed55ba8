// A plan as the planner's worker answers it: routes, and the probabilities as evaluatePlan computes them (the numbers
// checkplan gives for the same parts). Loaded by the worker as plain TypeScript: explicit .ts imports.
import type { ChannelGraph } from '../../../shared/planner/mcf/graph.ts';
import { evaluatePlan, hopAmounts, type PlanResult } from '../../../shared/planner/mcf/mcf.ts';
import type { UncertaintyNetwork } from '../../../shared/planner/mcf/uncertainty.ts';
import type { PlanReply } from './messages.ts';
import { routeOfPath } from './routes.ts';

export function planReply(g: ChannelGraph, net: UncertaintyNetwork, plan: PlanResult, finalCltv: number): PlanReply {
  if (!plan.ok) return { ok: false, reason: plan.reason, message: plan.message };
  // The numbers shown are evaluatePlan's, as checkplan's for the same parts: computed the same way every time.
  const shown = evaluatePlan(
    g,
    net,
    plan.parts.map((p) => ({ path: p.path, hops: hopAmounts(g, p.path, p.amountMsat).map(Number) })),
  );
  return {
    ok: true,
    parts: plan.parts.map((p, i) => ({
      route: routeOfPath(g, p.path, p.amountMsat, finalCltv),
      msatoshi: p.amountMsat,
      feeMsat: p.feeMsat,
      probability: shown.parts[i] as number,
    })),
    feeMsat: plan.feeMsat,
    probability: shown.probability,
  };
}
