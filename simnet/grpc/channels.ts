import { activityOf } from '../model/activity';
import { type ClosedChannel, closedChannelsOf, FEE_PER_KW } from '../model/closing';
import type { Channel } from '../model/types';
import type { Handlers, NodeContext, Stream } from './context';
import { channelPointMsg, NODE_FEATURES, p2pAddress, sat } from './marshal';
import type { ListChannelsRequest } from './messages';

/**
 * A node's own channels as LND reports them: ListChannels, PendingChannels, ClosedChannels, ListPeers and
 * SubscribeChannelEvents. Every figure derives from the model, so that duplicated fields agree.
 */

/** Commitment parameters of simnet's anchor channels (lnwallet: anchor commitment weight, weight per HTLC output). */
const COMMIT_WEIGHT = 1124n;
const HTLC_WEIGHT = 172n;
const CSV_DELAY = 144;
const DUST_LIMIT_SAT = 354n;
const MAX_ACCEPTED_HTLCS = 483;
/** LND syncs the graph actively with this many peers (numActiveSyncers) and passively with the rest. */
const ACTIVE_SYNCERS = 3;

/** Bitcoin regtest's genesis block hash as LND prints chain hashes (byte-reversed hex). */
const REGTEST_CHAIN_HASH_HEX = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

interface ClosedChannelsRequest {
  cooperative: boolean;
  local_force: boolean;
  remote_force: boolean;
  breach: boolean;
  funding_canceled: boolean;
  abandoned: boolean;
}

/** The side that opened the channel: node1, in simnet's topologies. */
function initiator(dir: 0 | 1): boolean {
  return dir === 0;
}

export function channelHandlers(ctx: NodeContext): Handlers {
  const { sim, lnd } = ctx;
  const net = sim.net;
  const self = lnd.node;
  const activity = activityOf(net);
  const ownChannels = () => [...net.channelsOf(self.index)];

  const constraints = (channel: Channel, dir: 0 | 1) => ({
    csv_delay: CSV_DELAY,
    chan_reserve_sat: (channel.capacitySat / 100n).toString(),
    dust_limit_sat: DUST_LIMIT_SAT.toString(),
    max_pending_amt_msat: (channel.capacitySat * 990n).toString(),
    min_htlc_msat: channel.policy[dir].htlcMinMsat.toString(),
    max_accepted_htlcs: MAX_ACCEPTED_HTLCS,
  });

  const channelMsg = (channel: Channel, dir: 0 | 1, peer: number, aliasLookup: boolean) => {
    const other = dir === 0 ? 1 : 0;
    const live = activity.liveOn(channel.id);
    const counters = activity.countersOf(channel.id);
    const lifetimeMs = Date.now() - activity.startedAt;
    const commitWeight = COMMIT_WEIGHT + HTLC_WEIGHT * BigInt(live.length);
    const local = constraints(channel, dir);
    const remote = constraints(channel, other);
    return {
      active: net.node(peer).online && self.online,
      remote_pubkey: net.node(peer).pubkey,
      channel_point: channel.chanPoint,
      chan_id: channel.id.toString(),
      capacity: channel.capacitySat.toString(),
      local_balance: sat(channel.balance[dir] - channel.inFlight[dir]),
      remote_balance: sat(channel.balance[other] - channel.inFlight[other]),
      commit_fee: ((FEE_PER_KW * commitWeight) / 1000n).toString(),
      commit_weight: commitWeight.toString(),
      fee_per_kw: FEE_PER_KW.toString(),
      unsettled_balance: sat(channel.inFlight[0] + channel.inFlight[1]),
      total_satoshis_sent: sat(counters.settledMsat[dir]),
      total_satoshis_received: sat(counters.settledMsat[other]),
      num_updates: counters.updates.toString(),
      pending_htlcs: live.map((leg) => ({
        incoming: leg.dir !== dir,
        amount: sat(leg.amt),
        hash_lock: leg.paymentHash,
        expiration_height: leg.expiry,
        htlc_index: leg.htlcId.toString(),
        forwarding_channel: '0',
        forwarding_htlc_index: '0',
        locked_in: true,
      })),
      csv_delay: local.csv_delay,
      private: false,
      initiator: initiator(dir),
      chan_status_flags: 'ChanStatusDefault',
      local_chan_reserve_sat: local.chan_reserve_sat,
      remote_chan_reserve_sat: remote.chan_reserve_sat,
      static_remote_key: true,
      commitment_type: 'ANCHORS',
      lifetime: Math.floor(lifetimeMs / 1000).toString(),
      uptime: Math.floor(Math.max(0, lifetimeMs - activity.downtimeMs(peer)) / 1000).toString(),
      close_address: '',
      push_amount_sat: '0',
      thaw_height: 0,
      local_constraints: local,
      remote_constraints: remote,
      alias_scids: [],
      zero_conf: false,
      zero_conf_confirmed_scid: '0',
      peer_alias: aliasLookup ? net.node(peer).alias : '',
      peer_scid_alias: '0',
      memo: '',
      custom_channel_data: Buffer.alloc(0),
    };
  };

  const closeSummary = (closed: ClosedChannel) => {
    const { channel } = closed;
    const side = channel.node1 === self.index ? 0 : 1;
    const peer = side === 0 ? channel.node2 : channel.node1;
    const initiator = (local: boolean) => (local ? 'INITIATOR_LOCAL' : 'INITIATOR_REMOTE');
    return {
      channel_point: channel.chanPoint,
      chan_id: channel.id.toString(),
      chain_hash: REGTEST_CHAIN_HASH_HEX,
      closing_tx_hash: closed.closingTxid,
      remote_pubkey: net.node(peer).pubkey,
      capacity: channel.capacitySat.toString(),
      close_height: closed.closeHeight,
      settled_balance: closed.settledSat[side].toString(),
      time_locked_balance: '0',
      close_type: 'COOPERATIVE_CLOSE',
      open_initiator: initiator(side === 0),
      close_initiator: initiator(closed.closer === side),
      resolutions: [],
      alias_scids: [],
      zero_conf_confirmed_scid: '0',
      custom_channel_data: Buffer.alloc(0),
    };
  };

  return {
    ListChannels: (req: ListChannelsRequest) => {
      const peerFilter = req.peer && req.peer.length > 0 ? req.peer.toString('hex') : undefined;
      const channels = ownChannels()
        .filter(({ peer }) => {
          const active = net.node(peer).online;
          if (req.active_only && !active) return false;
          if (req.inactive_only && active) return false;
          if (req.private_only) return false;
          return !peerFilter || net.node(peer).pubkey === peerFilter;
        })
        .map(({ channel, dir, peer }) => channelMsg(channel, dir, peer, req.peer_alias_lookup));
      return { channels };
    },

    /** simnet opens its channels before it starts and closes none, so nothing is ever pending. */
    PendingChannels: () => ({
      total_limbo_balance: '0',
      pending_open_channels: [],
      pending_closing_channels: [],
      pending_force_closing_channels: [],
      waiting_close_channels: [],
    }),

    /** Cooperative closes only: simnet's one kind (the cooperative filter, or no filter, lists them). */
    ClosedChannels: (req: ClosedChannelsRequest) => {
      const filtered =
        req.cooperative || req.local_force || req.remote_force || req.breach || req.funding_canceled || req.abandoned;
      if (filtered && !req.cooperative) return { channels: [] };
      return { channels: closedChannelsOf(net, self.index).map(closeSummary) };
    },

    /** One peer per channel counterparty that is online, as LND lists its connected peers. */
    ListPeers: () => {
      const byPeer = new Map<number, { channel: Channel; dir: 0 | 1 }[]>();
      for (const { channel, dir, peer } of ownChannels()) {
        if (!net.node(peer).online) continue;
        byPeer.set(peer, [...(byPeer.get(peer) ?? []), { channel, dir }]);
      }
      let rank = 0;
      const peers = [...byPeer].map(([peer, channels]) => {
        let bytesSent = 0n;
        let bytesRecv = 0n;
        let sent = 0n;
        let received = 0n;
        for (const { channel, dir } of channels) {
          const other = dir === 0 ? 1 : 0;
          const c = activity.countersOf(channel.id);
          bytesSent += c.bytesSent[dir];
          bytesRecv += c.bytesSent[other];
          sent += c.settledMsat[dir];
          received += c.settledMsat[other];
        }
        const hop = net.hopDelayMs;
        const pingMs = (hop.min + hop.max) / 2 + (net.extraLatencyMs.get(peer) ?? 0);
        return {
          pub_key: net.node(peer).pubkey,
          address: p2pAddress(peer),
          bytes_sent: bytesSent.toString(),
          bytes_recv: bytesRecv.toString(),
          sat_sent: sat(sent),
          sat_recv: sat(received),
          // We dialed the peers of the channels we opened.
          inbound: !channels.some(({ dir }) => initiator(dir)),
          ping_time: Math.round(pingMs * 1000).toString(),
          sync_type: rank++ < ACTIVE_SYNCERS ? 'ACTIVE_SYNC' : 'PASSIVE_SYNC',
          features: NODE_FEATURES,
          errors: [],
          flap_count: 0,
          last_flap_ns: '0',
          last_ping_payload: Buffer.alloc(0),
        };
      });
      return { peers };
    },

    /** ACTIVE_CHANNEL / INACTIVE_CHANNEL as the peers of this node go offline and come back. */
    SubscribeChannelEvents: {
      stream: (_req: unknown, stream: Stream) => {
        const unsubscribe = activity.onChannelEvent((event) => {
          if (event.node !== self.index) return;
          const point = channelPointMsg(event.channel.chanPoint);
          if (event.type === 'ACTIVE_CHANNEL') stream.write({ type: event.type, active_channel: point });
          if (event.type === 'INACTIVE_CHANNEL') stream.write({ type: event.type, inactive_channel: point });
          if (event.type === 'CLOSED_CHANNEL') {
            const closed = closedChannelsOf(net, self.index).find((c) => c.channel === event.channel);
            if (closed) stream.write({ type: event.type, closed_channel: closeSummary(closed) });
          }
        });
        stream.onClose(unsubscribe);
      },
    },
  };
}
