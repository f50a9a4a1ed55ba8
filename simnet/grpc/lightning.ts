import { decodeInvoice } from '../crypto/invoice';
import { isClosed, openChannels } from '../model/closing';
import { paymentStatus } from '../model/payments';
import type { Channel } from '../model/types';
import { addInvoice, INVOICE_FEATURES } from './addinvoice';
import { channelHandlers } from './channels';
import { type Handlers, LND_COMMIT_HASH, LND_VERSION_STRING, type NodeContext, type Stream } from './context';
import { deletePaymentHandlers } from './deletepayments';
import { RpcError } from './errors';
import {
  marshalEdge,
  marshalInvoice,
  marshalNode,
  marshalPayment,
  NODE_FEATURES,
  p2pAddress,
  parseUint64,
  sat,
} from './marshal';
import type {
  ChanInfoRequest,
  InvoiceMsg,
  InvoiceSubscription,
  ListInvoiceRequest,
  ListPaymentsRequest,
  NodeInfoRequest,
  PaymentHashMsg,
  PayReqString,
  QueryRoutesRequest,
} from './messages';
import { queryRoutes } from './queryroutes';
import { routingHandlers } from './routing';
import { walletHandlers } from './wallet';

/** LND 0.20+: max_payments 0 means this many. */
const DEFAULT_MAX_PAYMENTS = 100n;

function blockHash(height: number): string {
  return Buffer.from(`${height.toString(16).padStart(16, '0')}`.repeat(4))
    .toString('hex')
    .slice(0, 64);
}

function parsePubkey(hex: string, field = 'pub_key'): string {
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0)
    throw new RpcError(2, `encoding/hex: invalid byte in ${field}`);
  if (hex.length !== 66) throw new RpcError(2, `invalid ${field} length of ${hex.length / 2}, want 33`);
  return hex.toLowerCase();
}

export function lightningHandlers(ctx: NodeContext): Handlers {
  const { sim, lnd } = ctx;
  const net = sim.net;
  const self = lnd.node;
  const ownChannels = () => [...net.channelsOf(self.index)];

  return {
    ...channelHandlers(ctx),
    ...routingHandlers(ctx),
    ...walletHandlers(ctx),
    ...deletePaymentHandlers(ctx),

    GetInfo: () => {
      const channels = ownChannels();
      const active = channels.filter((c) => net.node(c.peer).online).length;
      return {
        version: `${LND_VERSION_STRING} commit=v${LND_VERSION_STRING}`,
        commit_hash: LND_COMMIT_HASH,
        identity_pubkey: self.pubkey,
        alias: self.alias,
        color: self.color,
        num_pending_channels: 0,
        num_active_channels: active,
        num_inactive_channels: channels.length - active,
        num_peers: new Set(channels.map((c) => c.peer)).size,
        block_height: net.height,
        block_hash: blockHash(net.height),
        best_header_timestamp: Math.floor(Date.now() / 1000).toString(),
        synced_to_chain: true,
        synced_to_graph: true,
        testnet: false,
        chains: [{ chain: 'bitcoin', network: 'regtest' }],
        uris: [`${self.pubkey}@${p2pAddress(self.index)}`],
        features: NODE_FEATURES,
      };
    },

    ChannelBalance: () => {
      let local = 0n;
      let remote = 0n;
      let unsettledLocal = 0n;
      let unsettledRemote = 0n;
      for (const { channel, dir } of ownChannels()) {
        const other = dir === 0 ? 1 : 0;
        local += channel.balance[dir] - channel.inFlight[dir];
        remote += channel.balance[other] - channel.inFlight[other];
        unsettledLocal += channel.inFlight[dir];
        unsettledRemote += channel.inFlight[other];
      }
      const amount = (msat: bigint) => ({ sat: sat(msat), msat: msat.toString() });
      return {
        balance: sat(local),
        pending_open_balance: '0',
        local_balance: amount(local),
        remote_balance: amount(remote),
        unsettled_local_balance: amount(unsettledLocal),
        unsettled_remote_balance: amount(unsettledRemote),
        pending_open_local_balance: amount(0n),
        pending_open_remote_balance: amount(0n),
      };
    },

    DescribeGraph: () => {
      const open = openChannels(net);
      const lastUpdate = lastUpdates(open, net.nodes.length);
      return {
        nodes: net.nodes.map((n) => marshalNode(net, n.index, lastUpdate[n.index] ?? 0)),
        edges: open.map((c) => marshalEdge(net, c)),
      };
    },

    GetNodeInfo: (req: NodeInfoRequest) => {
      const node = net.nodeByPubkey(parsePubkey(req.pub_key));
      if (!node) throw new RpcError(5, 'unable to find node');
      const channels = [...net.channelsOf(node.index)].map((c) => c.channel);
      const capacity = channels.reduce((sum, c) => sum + c.capacitySat, 0n);
      const lastUpdate = Math.max(0, ...channels.map((c) => Math.max(c.policy[0].lastUpdate, c.policy[1].lastUpdate)));
      return {
        node: marshalNode(net, node.index, lastUpdate),
        num_channels: channels.length,
        total_capacity: capacity.toString(),
        channels: req.include_channels ? channels.map((c) => marshalEdge(net, c)) : [],
      };
    },

    GetChanInfo: (req: ChanInfoRequest) => {
      const channel = req.chan_point
        ? net.channels.find((c) => c.chanPoint === req.chan_point)
        : net.channel(parseUint64(req.chan_id || '0', 'chan_id'));
      if (!channel || isClosed(net, channel.id)) throw new RpcError(5, 'edge not found');
      return marshalEdge(net, channel);
    },

    QueryRoutes: (req: QueryRoutesRequest) => queryRoutes(ctx, req),

    DecodePayReq: (req: PayReqString) => {
      let decoded: ReturnType<typeof decodeInvoice>;
      try {
        decoded = decodeInvoice(req.pay_req, 'regtest');
      } catch (error) {
        throw new RpcError(2, error instanceof Error ? error.message : String(error));
      }
      return {
        destination: decoded.destination,
        payment_hash: decoded.paymentHash,
        num_satoshis: sat(decoded.amountMsat),
        timestamp: decoded.timestamp.toString(),
        expiry: decoded.expiry.toString(),
        description: decoded.description,
        description_hash: decoded.descriptionHash,
        fallback_addr: decoded.fallbackAddr,
        cltv_expiry: decoded.cltvExpiry.toString(),
        route_hints: decoded.routeHints.map((hint) => ({
          hop_hints: hint.hopHints.map((h) => ({
            node_id: h.nodeId,
            chan_id: h.chanId,
            fee_base_msat: h.feeBaseMsat,
            fee_proportional_millionths: h.feeProportionalMillionths,
            cltv_expiry_delta: h.cltvExpiryDelta,
          })),
        })),
        payment_addr: Buffer.from(decoded.paymentSecret, 'hex'),
        num_msat: decoded.amountMsat.toString(),
        features: Object.fromEntries(
          Object.entries(decoded.features).map(([bit, f]) => [
            bit,
            { name: f.name, is_required: f.isRequired, is_known: f.isKnown },
          ]),
        ),
      };
    },

    AddInvoice: (req: InvoiceMsg) => {
      if (req.is_amp) throw new RpcError(2, 'AMP invoices are not supported by simnet');
      if (req.r_preimage.length !== 0 && req.r_preimage.length !== 32) {
        throw new RpcError(2, `invalid preimage length of ${req.r_preimage.length}, want 32`);
      }
      const invoice = addInvoice(ctx, req, {
        preimage: req.r_preimage.length === 32 ? Buffer.from(req.r_preimage) : undefined,
      });
      return {
        r_hash: invoice.hash,
        payment_request: invoice.paymentRequest,
        add_index: invoice.addIndex.toString(),
        payment_addr: invoice.paymentAddr,
      };
    },

    LookupInvoice: (req: PaymentHashMsg) => {
      const hash = req.r_hash.length > 0 ? req.r_hash : Buffer.from(req.r_hash_str, 'hex');
      if (hash.length !== 32) throw new RpcError(2, `invalid hash length of ${hash.length}, want 32`);
      const invoice = lnd.invoices.lookup(hash);
      if (!invoice) throw new RpcError(5, 'unable to locate invoice');
      return marshalInvoice(invoice, INVOICE_FEATURES);
    },

    ListInvoices: (req: ListInvoiceRequest) => {
      const offset = BigInt(req.index_offset || '0');
      const max = BigInt(req.num_max_invoices || '0');
      const start = BigInt(req.creation_date_start || '0');
      const end = BigInt(req.creation_date_end || '0');
      let invoices = lnd.invoices.list().filter((inv) => {
        if (req.pending_only && inv.state !== 'OPEN' && inv.state !== 'ACCEPTED') return false;
        if (start > 0n && BigInt(inv.creationDate) < start) return false;
        if (end > 0n && BigInt(inv.creationDate) > end) return false;
        return true;
      });
      invoices = page(invoices, (inv) => inv.addIndex, offset, max, req.reversed);
      return {
        invoices: invoices.map((inv) => marshalInvoice(inv, INVOICE_FEATURES)),
        first_index_offset: (invoices[0]?.addIndex ?? 0n).toString(),
        last_index_offset: (invoices.at(-1)?.addIndex ?? 0n).toString(),
      };
    },

    SubscribeInvoices: {
      stream: (req: InvoiceSubscription, stream: Stream) => {
        const addIndex = BigInt(req.add_index || '0');
        const settleIndex = BigInt(req.settle_index || '0');
        const lastState = new Map<string, string>();
        const send = (inv: ReturnType<typeof lnd.invoices.list>[number]) => {
          const key = inv.hash.toString('hex');
          // LND notifies additions and state changes, not every HTLC that joins an open set.
          if (lastState.get(key) === inv.state) return;
          lastState.set(key, inv.state);
          stream.write(marshalInvoice(inv, INVOICE_FEATURES));
        };
        // Backlog first: what was added after add_index, then what settled after settle_index.
        for (const inv of lnd.invoices.list()) {
          if (addIndex > 0n && inv.addIndex > addIndex) stream.write(marshalInvoice(inv, INVOICE_FEATURES));
          if (settleIndex > 0n && inv.settleIndex > settleIndex) stream.write(marshalInvoice(inv, INVOICE_FEATURES));
          lastState.set(inv.hash.toString('hex'), inv.state);
        }
        const unsubscribe = lnd.invoices.subscribe(send);
        stream.onClose(unsubscribe);
      },
    },

    ListPayments: (req: ListPaymentsRequest) => {
      const offset = BigInt(req.index_offset || '0');
      const requested = BigInt(req.max_payments || '0');
      const max = requested === 0n ? DEFAULT_MAX_PAYMENTS : requested;
      const startNs = BigInt(req.creation_date_start || '0') * 1_000_000_000n;
      const endNs = BigInt(req.creation_date_end || '0') * 1_000_000_000n;
      const all = lnd.payments.list().filter((p) => {
        if (!req.include_incomplete && paymentStatus(p) !== 'SUCCEEDED') return false;
        if (startNs > 0n && p.creationTimeNs < startNs) return false;
        if (endNs > 0n && p.creationTimeNs > endNs + 999_999_999n) return false;
        return true;
      });
      const payments = page(all, (p) => p.paymentIndex, offset, max, req.reversed);
      return {
        payments: payments.map((p) => marshalPayment(net, p, req.omit_hops)),
        first_index_offset: (payments[0]?.paymentIndex ?? 0n).toString(),
        last_index_offset: (payments.at(-1)?.paymentIndex ?? 0n).toString(),
        total_num_payments: req.count_total_payments ? all.length.toString() : '0',
      };
    },
  };
}

/** LND's index-offset paging: exclusive offset, forwards or (reversed) backwards from it, results in index order. */
function page<T>(items: T[], index: (item: T) => bigint, offset: bigint, max: bigint, reversed: boolean): T[] {
  const limit = max === 0n ? items.length : Number(max);
  if (!reversed) return items.filter((item) => index(item) > offset).slice(0, limit);
  const before = items.filter((item) => offset === 0n || index(item) < offset);
  return before.slice(Math.max(0, before.length - limit));
}

function lastUpdates(channels: Channel[], count: number): number[] {
  const result = new Array<number>(count).fill(0);
  for (const c of channels) {
    const t = Math.max(c.policy[0].lastUpdate, c.policy[1].lastUpdate);
    if (t > (result[c.node1] ?? 0)) result[c.node1] = t;
    if (t > (result[c.node2] ?? 0)) result[c.node2] = t;
  }
  return result;
}
