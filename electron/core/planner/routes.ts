// Between the planner's edge paths and the API's routes (c-lightning's hop format, as shared/route.ts fromLndRoute
// makes them from LND's). Loaded by the planner's worker as plain TypeScript: explicit .ts imports, no TS-only syntax.
import type { ChannelGraph } from '../../../shared/planner/mcf/graph.ts';
import { scidIndex } from '../../../shared/planner/mcf/graph.ts';
import { hopAmounts } from '../../../shared/planner/mcf/mcf.ts';
import { normalizeScid } from '../../../shared/scid.ts';
import type { Route, RouteHop } from '../../../shared/types.ts';

/**
 * The route of `path` delivering `amount`: each hop's msatoshi is what arrives at its node (the fees of the hops
 * after it included), each delay the CLTV delta it must receive relative to the current height, the last one
 * `finalCltv`.
 */
export function routeOfPath(g: ChannelGraph, path: readonly number[], amount: bigint, finalCltv: number): Route {
  const amounts = hopAmounts(g, path, amount);
  const delays = new Array<number>(path.length);
  let delay = finalCltv;
  for (let i = path.length - 1; i >= 0; i--) {
    delays[i] = delay;
    // The node before hop i forwards over path[i] under its own policy, so it must receive that much more time.
    delay += g.cltvDelta[path[i] as number] as number;
  }
  return path.map((e, i): RouteHop => {
    const id = g.nodeIds[g.to[e] as number] as string;
    const prev = g.nodeIds[g.from[e] as number] as string;
    return {
      id,
      channel: g.scids[g.channel[e] as number] as string,
      // As fromLndRoute: 0 when the channel is used from the smaller node id to the larger.
      direction: prev.toLowerCase() < id.toLowerCase() ? 0 : 1,
      msatoshi: amounts[i] as bigint,
      delay: delays[i] as number,
    };
  });
}

/** The directed edges a route takes from `ownId`, or undefined when a hop is not in the graph as given. */
export function pathOfRoute(g: ChannelGraph, route: Route, ownId: string): number[] | undefined {
  const index = scidIndex(g);
  const path: number[] = [];
  let from = ownId;
  for (const hop of route) {
    let scid: string;
    try {
      scid = normalizeScid(hop.channel);
    } catch {
      return undefined;
    }
    const ci = index.get(scid);
    if (ci === undefined) return undefined;
    const e0 = g.channelEdges[2 * ci] as number;
    const e1 = g.channelEdges[2 * ci + 1] as number;
    const ids = g.nodeIds;
    if (ids[g.from[e0] as number] === from && ids[g.to[e0] as number] === hop.id) path.push(e0);
    else if (ids[g.from[e1] as number] === from && ids[g.to[e1] as number] === hop.id) path.push(e1);
    else return undefined;
    from = hop.id;
  }
  return path;
}
