import { DEFAULT_FINAL_CLTV_DELTA } from '../model/lnd';
import { defaultFeeLimitMsat, findRoute, isNoRoute } from '../model/pathfind';
import type { NodeContext } from './context';
import { RpcError } from './errors';
import { marshalRoute, parseUint64, unmarshalAmount } from './marshal';
import type { FeeLimitMsg, QueryRoutesRequest } from './messages';

/** LND's CalculateFeeLimit: fixed sat, fixed msat, or a percentage of the amount; unset gives the default. */
export function feeLimit(limit: FeeLimitMsg | null, amtMsat: bigint): bigint {
  if (!limit?.limit) return defaultFeeLimitMsat(amtMsat);
  if (limit.limit === 'fixed') return BigInt(limit.fixed ?? '0') * 1000n;
  if (limit.limit === 'fixed_msat') return BigInt(limit.fixed_msat ?? '0');
  const percent = BigInt(limit.percent ?? '0');
  if (percent < 0n) throw new RpcError(2, 'negative fee limit percentage provided');
  return (amtMsat * percent) / 100n;
}

/** lnrpc.QueryRoutes: exactly one route, with LND's path finding and its probability. */
export function queryRoutes(ctx: NodeContext, req: QueryRoutesRequest): object {
  const net = ctx.sim.net;
  if (!/^[0-9a-f]{66}$/i.test(req.pub_key)) throw new RpcError(2, `unable to decode pub_key: ${req.pub_key}`);
  const target = net.nodeByPubkey(req.pub_key.toLowerCase());
  const amtMsat = unmarshalAmount(req.amt, req.amt_msat);
  if (Math.abs(req.time_pref) > 1) throw new RpcError(2, 'time preference out of range');
  let source = ctx.lnd.node.index;
  if (req.source_pub_key) {
    const node = net.nodeByPubkey(req.source_pub_key.toLowerCase());
    if (!node) throw new RpcError(2, 'unable to find a path to destination');
    source = node.index;
  }
  if (!target) throw new RpcError(2, 'unable to find a path to destination');
  const byKey = (key: Buffer) => net.nodeByPubkey(key.toString('hex'))?.index ?? -1;
  const ignoredPairs = req.ignored_pairs.map((p) => ({ from: byKey(p.from), to: byKey(p.to) }));
  for (const edge of req.ignored_edges) {
    const channel = net.channel(parseUint64(edge.channel_id || '0', 'channel_id'));
    if (!channel) continue;
    const [from, to] = edge.direction_reverse ? [channel.node2, channel.node1] : [channel.node1, channel.node2];
    ignoredPairs.push({ from, to });
  }
  const found = findRoute(net, ctx.lnd.mission, source, {
    target: target.index,
    amtMsat,
    finalCltvDelta: req.final_cltv_delta || DEFAULT_FINAL_CLTV_DELTA,
    feeLimitMsat: feeLimit(req.fee_limit, amtMsat),
    cltvLimit: req.cltv_limit,
    ignoredNodes: req.ignored_nodes.map(byKey),
    ignoredPairs,
    outgoingChanIds: req.outgoing_chan_ids.map((id) => parseUint64(id, 'outgoing_chan_ids')),
    lastHop: req.last_hop_pubkey.length > 0 ? byKey(req.last_hop_pubkey) : undefined,
    useMissionControl: req.use_mission_control,
    timePref: req.time_pref,
  });
  if (isNoRoute(found)) throw new RpcError(2, found.error);
  return { routes: [marshalRoute(net, found.route)], success_prob: found.probability };
}
