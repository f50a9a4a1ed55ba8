import type { ChannelInput, GraphInput, Policy } from '../../../shared/planner/mcf/graph';
import { formatScid } from '../../../shared/scid';
import type { GraphEdge, OwnChannel } from '../node/types';

type NodePolicy = NonNullable<GraphEdge['policy1']>;

const toPolicy = (p: NodePolicy | undefined): Policy | undefined =>
  p && {
    feeBaseMsat: p.fee_base_msat,
    feePpm: p.fee_ppm,
    cltvDelta: p.cltv_delta,
    htlcMinMsat: p.min_htlc_msat,
    // LND reports 0 when the channel announced no maximum.
    htlcMaxMsat: p.max_htlc_msat > 0n ? p.max_htlc_msat : undefined,
    disabled: p.disabled,
  };

/**
 * The planner's graph from the node's (policy1 is node1's, for node1→node2), with our channels the graph does not
 * know yet (too new, or private and left out) added: our own direction needs no policy (we pay ourselves no fee, and
 * our delta is never asked for); the peer's direction stays without one, so unusable.
 */
export function graphInput(
  graph: { nodes: { id: string }[]; edges: GraphEdge[] },
  ownId: string,
  own: readonly OwnChannel[],
): GraphInput {
  const nodes: string[] = [];
  const index = new Map<string, number>();
  const node = (id: string): number => {
    let i = index.get(id);
    if (i === undefined) {
      i = nodes.length;
      nodes.push(id);
      index.set(id, i);
    }
    return i;
  };
  for (const n of graph.nodes) node(n.id);
  node(ownId);
  const channels: ChannelInput[] = [];
  const known = new Set<bigint>();
  for (const e of graph.edges) {
    if (known.has(e.chan_id)) continue;
    known.add(e.chan_id);
    channels.push({
      scid: formatScid(e.chan_id),
      node1: node(e.node1),
      node2: node(e.node2),
      capacityMsat: e.capacity_msat,
      policies: [toPolicy(e.policy1), toPolicy(e.policy2)],
    });
  }
  for (const c of own) {
    if (known.has(c.chan_id)) continue;
    known.add(c.chan_id);
    const ours: Policy = { feeBaseMsat: 0, feePpm: 0, cltvDelta: 0, htlcMinMsat: 0 };
    // LND's node1 is the smaller key.
    const weAreNode1 = ownId.toLowerCase() < c.peer_id.toLowerCase();
    channels.push({
      scid: formatScid(c.chan_id),
      node1: node(weAreNode1 ? ownId : c.peer_id),
      node2: node(weAreNode1 ? c.peer_id : ownId),
      capacityMsat: c.capacity_msat,
      policies: weAreNode1 ? [ours, undefined] : [undefined, ours],
    });
  }
  return { nodes, channels };
}
