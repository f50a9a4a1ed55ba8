// Circular flows (issue 16: rebalance) over the unchanged min-cost-flow planner. Our node is split in two: an "out"
// side (our node's own index) that keeps only the source channels, usable outwards only, and an "in" side (a new
// node with our id) that keeps only the target channels, usable inwards only. A payment from out to in is then a
// loop from us back to us that leaves over sources and comes back over targets, never the wrong way, and never
// through our node in the middle. Channel indices and directions are kept, so the planner's edges map back one to
// one. Loaded by the planner's worker as plain TypeScript: explicit .ts imports, no TS-only syntax.

import { buildGraph, type ChannelGraph, type ChannelInput, type Policy } from './mcf/graph.ts';
import { type PlanResult, planPayment } from './mcf/mcf.ts';
import { UncertaintyNetwork } from './mcf/uncertainty.ts';

export interface CircularRequest {
  /** Our node's index in the graph. */
  own: number;
  /** Our channels the money leaves by (scids as the graph spells them). */
  sources: readonly string[];
  /** Our channels the money comes back by. */
  targets: readonly string[];
  amountMsat: bigint;
  maxFeeMsat: bigint;
  maxParts: number;
  /** What each target's peer can send us now, msat (the node's remote balance less its reserve), by scid. */
  inboundMsat?: ReadonlyMap<string, number>;
}

export interface CircularGraph {
  graph: ChannelGraph;
  /** The "in" side of our node: the destination. */
  inNode: number;
  /** The edge of the original graph for each edge of this one. */
  original: Uint32Array;
}

function policyOf(g: ChannelGraph, e: number, disabled: boolean): Policy {
  return {
    feeBaseMsat: g.feeBaseMsat[e] as number,
    feePpm: g.feePpm[e] as number,
    cltvDelta: g.cltvDelta[e] as number,
    htlcMinMsat: g.htlcMinMsat[e] as number,
    htlcMaxMsat: g.htlcMaxMsat[e] as number,
    disabled: disabled || g.disabled[e] === 1,
  };
}

/** The graph with our node split into an out side (sources, outwards) and an in side (targets, inwards). */
export function circularGraph(
  g: ChannelGraph,
  own: number,
  sources: readonly string[],
  targets: readonly string[],
): CircularGraph {
  const isSource = new Set(sources);
  const isTarget = new Set(targets);
  const inNode = g.nodeCount;
  const channels: ChannelInput[] = [];
  for (let ci = 0; ci < g.channelCount; ci++) {
    const e0 = g.channelEdges[2 * ci] as number;
    const e1 = g.channelEdges[2 * ci + 1] as number;
    let node1 = g.from[e0] as number;
    let node2 = g.to[e0] as number;
    let off0 = false;
    let off1 = false;
    if (node1 === own || node2 === own) {
      const scid = g.scids[ci] as string;
      const ourEnd = node1 === own ? 1 : 2;
      if (isSource.has(scid)) {
        // Outwards only: the direction into our node is closed.
        if (ourEnd === 1) off1 = true;
        else off0 = true;
      } else if (isTarget.has(scid)) {
        // Inwards only, into the in side.
        if (ourEnd === 1) {
          node1 = inNode;
          off0 = true;
        } else {
          node2 = inNode;
          off1 = true;
        }
      } else {
        off0 = true;
        off1 = true;
      }
    }
    channels.push({
      scid: g.scids[ci] as string,
      node1,
      node2,
      capacityMsat: BigInt(g.capacityMsat[e0] as number),
      policies: [policyOf(g, e0, off0), policyOf(g, e1, off1)],
    });
  }
  const graph = buildGraph({ nodes: [...g.nodeIds, g.nodeIds[own] as string], channels });
  const original = new Uint32Array(graph.edgeCount);
  for (let e = 0; e < graph.edgeCount; e++) {
    original[e] = g.channelEdges[2 * (graph.channel[e] as number) + (graph.direction[e] as number)] as number;
  }
  return { graph, inNode, original };
}

/**
 * Plans a circular flow of `amountMsat` from our sources back to our targets with what `net` believes of every
 * channel (in flight included). The parts' paths are edges of `g`, each from our node back to our node.
 */
export function planCircular(g: ChannelGraph, net: UncertaintyNetwork, req: CircularRequest): PlanResult {
  const both = req.sources.filter((s) => req.targets.includes(s));
  if (both.length > 0) {
    return { ok: false, reason: 'invalid', message: `channel ${both[0]} is both a source and a target` };
  }
  const c = circularGraph(g, req.own, req.sources, req.targets);
  const split = new UncertaintyNetwork(c.graph, { model: net.model });
  for (let e = 0; e < c.graph.edgeCount; e++) {
    const o = c.original[e] as number;
    split.minLiq[e] = net.minLiq[o] as number;
    split.maxLiq[e] = net.maxLiq[o] as number;
    split.inFlight[e] = net.inFlight[o] as number;
    split.exact[e] = net.exact[o] as number;
  }
  for (const [scid, inbound] of req.inboundMsat ?? []) {
    const ci = c.graph.scids.indexOf(scid);
    if (ci < 0) continue;
    for (const e of [c.graph.channelEdges[2 * ci] as number, c.graph.channelEdges[2 * ci + 1] as number]) {
      if (c.graph.to[e] !== c.inNode) continue;
      const held = Math.max(0, inbound + (split.inFlight[e] as number));
      split.minLiq[e] = Math.min(split.minLiq[e] as number, held);
      split.maxLiq[e] = Math.min(split.maxLiq[e] as number, held);
    }
  }
  const plan = planPayment(c.graph, split, {
    source: req.own,
    destination: c.inNode,
    amountMsat: req.amountMsat,
    maxFeeMsat: req.maxFeeMsat,
    maxParts: req.maxParts,
  });
  if (!plan.ok) return plan;
  return {
    ...plan,
    parts: plan.parts.map((p) => ({ ...p, path: p.path.map((e) => c.original[e] as number) })),
  };
}
