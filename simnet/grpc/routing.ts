import * as grpc from '@grpc/grpc-js';
import { activityOf } from '../model/activity';
import { openChannels } from '../model/closing';
import type { Channel, Policy } from '../model/types';
import type { Handlers, NodeContext } from './context';
import { RpcError } from './errors';
import { outpointMsg, parseUint64, sat } from './marshal';

/**
 * A node's part in routing: its fee policies (FeeReport, UpdateChannelPolicy: the network's path finding reads
 * the changed policy at once, as gossip would spread it), what it earned forwarding (ForwardingHistory), and the
 * network as its graph shows it (GetNetworkInfo).
 */

/** routing.MinCLTVDelta and MaxCLTVDelta: the time lock deltas UpdateChannelPolicy accepts. */
const MIN_TIME_LOCK_DELTA = 18;
const MAX_TIME_LOCK_DELTA = 65_535;
/** The smallest non-zero proportional fee the protocol can express, as a fraction. */
const MIN_FEE_RATE = 1e-6;
/** ForwardingHistory's default page. */
const DEFAULT_MAX_EVENTS = 100;

interface ChannelPointMsg {
  funding_txid_bytes?: Buffer;
  funding_txid_str?: string;
  funding_txid?: 'funding_txid_bytes' | 'funding_txid_str';
  output_index: number;
}

interface PolicyUpdateRequest {
  global?: boolean;
  chan_point?: ChannelPointMsg | null;
  scope?: 'global' | 'chan_point';
  base_fee_msat: string;
  fee_rate: number;
  fee_rate_ppm: number;
  time_lock_delta: number;
  max_htlc_msat: string;
  min_htlc_msat: string;
  min_htlc_msat_specified: boolean;
}

interface ForwardingHistoryRequest {
  start_time: string;
  end_time: string;
  index_offset: number;
  num_max_events: number;
  peer_alias_lookup: boolean;
  incoming_chan_ids: string[];
  outgoing_chan_ids: string[];
}

function chanPointString(point: ChannelPointMsg): string {
  const txid =
    point.funding_txid_str ||
    (point.funding_txid_bytes ? Buffer.from(point.funding_txid_bytes).reverse().toString('hex') : '');
  return `${txid}:${point.output_index}`;
}

export function routingHandlers(ctx: NodeContext): Handlers {
  const { sim, lnd } = ctx;
  const net = sim.net;
  const self = lnd.node;
  const activity = activityOf(net);
  const ownChannels = () => [...net.channelsOf(self.index)];
  const feeMsatOf = (r: { amtInMsat: bigint; amtOutMsat: bigint }) => r.amtInMsat - r.amtOutMsat;

  return {
    FeeReport: () => {
      const channel_fees = ownChannels().map(({ channel, dir }) => {
        const policy = channel.policy[dir];
        return {
          chan_id: channel.id.toString(),
          channel_point: channel.chanPoint,
          base_fee_msat: policy.baseFeeMsat.toString(),
          fee_per_mil: policy.feePpm.toString(),
          fee_rate: Number(policy.feePpm) / 1e6,
          inbound_base_fee_msat: 0,
          inbound_fee_per_mil: 0,
        };
      });
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const daysNs = (days: number) => BigInt(days) * 86_400n * 1_000_000_000n;
      const since = (ns: bigint) =>
        activity
          .forwardsOf(self.index)
          .filter((r) => r.timestampNs >= nowNs - ns)
          .reduce((sum, r) => sum + feeMsatOf(r), 0n);
      return {
        channel_fees,
        day_fee_sum: sat(since(daysNs(1))),
        week_fee_sum: sat(since(daysNs(7))),
        month_fee_sum: sat(since(daysNs(30))),
      };
    },

    UpdateChannelPolicy: (req: PolicyUpdateRequest) => {
      if (req.fee_rate !== 0 && req.fee_rate_ppm !== 0) {
        throw new RpcError(grpc.status.INVALID_ARGUMENT, 'cannot set both FeeRate and FeeRatePpm at the same time');
      }
      if (req.fee_rate !== 0 && req.fee_rate < MIN_FEE_RATE) {
        throw new RpcError(2, `fee rate of ${req.fee_rate} is too small, min fee rate is ${MIN_FEE_RATE}`);
      }
      if (req.time_lock_delta < MIN_TIME_LOCK_DELTA) {
        throw new RpcError(
          2,
          `time lock delta of ${req.time_lock_delta} is too small, minimum supported is ${MIN_TIME_LOCK_DELTA}`,
        );
      }
      if (req.time_lock_delta > MAX_TIME_LOCK_DELTA) {
        throw new RpcError(
          2,
          `time lock delta of ${req.time_lock_delta} is too big, maximum supported is ${MAX_TIME_LOCK_DELTA}`,
        );
      }
      const baseFee = BigInt(req.base_fee_msat || '0');
      if (baseFee < 0n) throw new RpcError(2, `base fee of ${baseFee} msat is invalid`);
      const feePpm = req.fee_rate !== 0 ? BigInt(Math.round(req.fee_rate * 1e6)) : BigInt(req.fee_rate_ppm);
      const maxHtlc = parseUint64(req.max_htlc_msat || '0', 'max_htlc_msat');
      const minHtlc = parseUint64(req.min_htlc_msat || '0', 'min_htlc_msat');

      const targets: { channel: Channel; dir: 0 | 1 }[] = [];
      const failed_updates: object[] = [];
      if (req.global) {
        targets.push(...ownChannels());
      } else if (req.chan_point) {
        const point = chanPointString(req.chan_point);
        const own = ownChannels().find(({ channel }) => channel.chanPoint === point);
        if (own) targets.push(own);
        else
          failed_updates.push({
            outpoint: outpointMsg(point),
            reason: 'UPDATE_FAILURE_NOT_FOUND',
            update_error: 'not found',
          });
      } else {
        throw new RpcError(2, 'unknown scope');
      }
      for (const { channel, dir } of targets) {
        const current = channel.policy[dir];
        const maxPending = channel.capacitySat * 990n;
        const change: Partial<Policy> = { baseFeeMsat: baseFee, feePpm, cltvDelta: req.time_lock_delta };
        const newMax = maxHtlc === 0n ? current.htlcMaxMsat : maxHtlc;
        const newMin = req.min_htlc_msat_specified ? minHtlc : current.htlcMinMsat;
        let error: string | undefined;
        if (newMax > maxPending) error = `max htlc(${newMax}) greater than channel capacity/max pending(${maxPending})`;
        else if (newMax < newMin) error = `max htlc(${newMax}) less than min htlc (${newMin})`;
        if (error) {
          failed_updates.push({
            outpoint: outpointMsg(channel.chanPoint),
            reason: 'UPDATE_FAILURE_INVALID_PARAMETER',
            update_error: error,
          });
          continue;
        }
        net.setPolicy(channel.id, dir, { ...change, htlcMaxMsat: newMax, htlcMinMsat: newMin });
      }
      return { failed_updates };
    },

    ForwardingHistory: (req: ForwardingHistoryRequest) => {
      const startNs = BigInt(req.start_time || '0') * 1_000_000_000n;
      const end = BigInt(req.end_time || '0');
      const endNs = end === 0n ? BigInt(Date.now()) * 1_000_000n : end * 1_000_000_000n;
      const max = req.num_max_events || DEFAULT_MAX_EVENTS;
      const ins = new Set(req.incoming_chan_ids.map((id) => parseUint64(id, 'incoming_chan_ids')));
      const outs = new Set(req.outgoing_chan_ids.map((id) => parseUint64(id, 'outgoing_chan_ids')));
      const alias = (chanId: bigint) => {
        if (!req.peer_alias_lookup) return '';
        const channel = net.channel(chanId);
        if (!channel) return '';
        return net.node(channel.node1 === self.index ? channel.node2 : channel.node1).alias;
      };
      // The log's index counts every event in the time range; index_offset skips that many.
      const inRange = activity
        .forwardsOf(self.index)
        .filter((r) => r.timestampNs >= startNs && r.timestampNs <= endNs)
        .filter((r) => (ins.size === 0 || ins.has(r.chanIn)) && (outs.size === 0 || outs.has(r.chanOut)));
      const events = inRange.slice(req.index_offset, req.index_offset + max);
      return {
        forwarding_events: events.map((r) => ({
          timestamp: (r.timestampNs / 1_000_000_000n).toString(),
          chan_id_in: r.chanIn.toString(),
          chan_id_out: r.chanOut.toString(),
          amt_in: sat(r.amtInMsat),
          amt_out: sat(r.amtOutMsat),
          fee: sat(feeMsatOf(r)),
          fee_msat: feeMsatOf(r).toString(),
          amt_in_msat: r.amtInMsat.toString(),
          amt_out_msat: r.amtOutMsat.toString(),
          timestamp_ns: r.timestampNs.toString(),
          peer_alias_in: alias(r.chanIn),
          peer_alias_out: alias(r.chanOut),
          incoming_htlc_id: r.incomingHtlcId.toString(),
          outgoing_htlc_id: r.outgoingHtlcId.toString(),
        })),
        last_offset_index: req.index_offset + events.length,
      };
    },

    /** lnrpc.GetNetworkInfo over the whole graph. */
    GetNetworkInfo: () => {
      const open = openChannels(net);
      const sizes = open.map((c) => c.capacitySat).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const total = sizes.reduce((sum, s) => sum + s, 0n);
      const degrees = net.nodes.map((n) => n.channels.length);
      const withChannels = degrees.filter((d) => d > 0);
      const median = sizes.length === 0 ? 0n : (sizes[Math.floor((sizes.length - 1) / 2)] as bigint);
      return {
        graph_diameter: diameter(net),
        avg_out_degree: withChannels.length === 0 ? 0 : withChannels.reduce((a, b) => a + b, 0) / withChannels.length,
        max_out_degree: Math.max(0, ...degrees),
        num_nodes: net.nodes.length,
        num_channels: open.length,
        total_network_capacity: total.toString(),
        avg_channel_size: sizes.length === 0 ? 0 : Number(total) / sizes.length,
        min_channel_size: (sizes[0] ?? 0n).toString(),
        max_channel_size: (sizes.at(-1) ?? 0n).toString(),
        median_channel_size_sat: median.toString(),
        num_zombie_chans: '0',
      };
    },
  };
}

/**
 * The graph's diameter in hops, by a double sweep (a BFS from the best-connected node, then one from the farthest
 * node it found): exact on trees and in practice on small graphs, a lower bound otherwise. LND also estimates it
 * (a radial cutoff) rather than running a BFS from every node.
 */
function diameter(net: NodeContext['sim']['net']): number {
  const bfs = (start: number): { far: number; depth: number } => {
    const dist = new Int32Array(net.nodes.length).fill(-1);
    dist[start] = 0;
    const queue = [start];
    let far = start;
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as number;
      for (const { peer } of net.channelsOf(node)) {
        if (dist[peer] !== -1) continue;
        dist[peer] = (dist[node] as number) + 1;
        if ((dist[peer] as number) > (dist[far] as number)) far = peer;
        queue.push(peer);
      }
    }
    return { far, depth: dist[far] as number };
  };
  if (net.nodes.length === 0) return 0;
  let hub = 0;
  for (const node of net.nodes) if (node.channels.length > (net.nodes[hub]?.channels.length ?? 0)) hub = node.index;
  return bfs(bfs(hub).far).depth;
}
