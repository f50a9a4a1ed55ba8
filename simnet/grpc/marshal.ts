import { createHash } from 'node:crypto';
import type { Invoice } from '../model/invoices';
import type { Network } from '../model/network';
import { type Attempt, type Payment, paymentStatus, settledFees } from '../model/payments';
import type { Channel, ChannelUpdateRef, Policy, Route, RouteHop, WireFailure } from '../model/types';
import { RpcError } from './errors';
import type { HopMsg, MppRecordMsg, RouteMsg } from './messages';

/** Bitcoin regtest's genesis block hash, as channel updates carry it. */
const REGTEST_CHAIN_HASH = Buffer.from('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f', 'hex');

/** Whole sat of an msat amount, as LND's sat fields (rounded down) carry it. */
export const sat = (msat: bigint) => (msat / 1000n).toString();

/** lnrpc.ChannelPoint of a `txid:index` channel point: funding_txid_bytes in the byte order LND uses (reversed). */
export function channelPointMsg(chanPoint: string) {
  const [txid = '', index = '0'] = chanPoint.split(':');
  return { funding_txid_bytes: Buffer.from(txid, 'hex').reverse(), output_index: Number(index) };
}

/** lnrpc.OutPoint of a `txid:index` channel point. */
export function outpointMsg(chanPoint: string) {
  const [txid = '', index = '0'] = chanPoint.split(':');
  return { txid_bytes: Buffer.from(txid, 'hex').reverse(), txid_str: txid, output_index: Number(index) };
}

/** The features an LND node advertises in its node announcement and invoices (the names LND gives them). */
export const NODE_FEATURES: Record<number, { name: string; is_required: boolean; is_known: boolean }> = {
  0: { name: 'data-loss-protect', is_required: true, is_known: true },
  5: { name: 'upfront-shutdown-script', is_required: false, is_known: true },
  7: { name: 'gossip-queries', is_required: false, is_known: true },
  8: { name: 'tlv-onion', is_required: true, is_known: true },
  11: { name: 'extended-gossip-queries', is_required: false, is_known: true },
  12: { name: 'static-remote-key', is_required: true, is_known: true },
  14: { name: 'payment-addr', is_required: true, is_known: true },
  17: { name: 'multi-path-payments', is_required: false, is_known: true },
  19: { name: 'wumbo-channels', is_required: false, is_known: true },
  23: { name: 'anchors-zero-fee-htlc-tx', is_required: false, is_known: true },
  25: { name: 'route-blinding', is_required: false, is_known: true },
  31: { name: 'amp', is_required: false, is_known: true },
};

/**
 * The p2p address simnet gives a node, as GetInfo's uris, the graph's node addresses and ListPeers show it (nothing
 * listens there: simnet's nodes only speak gRPC).
 */
export function p2pAddress(index: number): string {
  return `127.0.0.1:${9735 + index}`;
}

export function parseUint64(value: string, field: string): bigint {
  if (!/^\d+$/.test(value)) throw new RpcError(2, `invalid ${field}: ${value}`);
  return BigInt(value);
}

/** LND's lnrpc.UnmarshallAmt: sat and msat fields may not both be set, and neither may be negative. */
export function unmarshalAmount(satValue: string, msatValue: string): bigint {
  const s = BigInt(satValue || '0');
  const m = BigInt(msatValue || '0');
  if (s !== 0n && m !== 0n) throw new RpcError(2, 'sat and msat arguments are mutually exclusive');
  if (s < 0n || m < 0n) throw new RpcError(2, 'amount cannot be negative');
  return s !== 0n ? s * 1000n : m;
}

function unmarshalMpp(record: MppRecordMsg | null): RouteHop['mpp'] {
  if (!record) return undefined;
  const total = BigInt(record.total_amt_msat || '0');
  const addr = record.payment_addr ?? Buffer.alloc(0);
  if (total === 0n && addr.length === 0) throw new RpcError(2, 'missing total_msat and payment_addr');
  if (addr.length === 0) throw new RpcError(2, 'missing payment_addr');
  if (total === 0n) throw new RpcError(2, 'missing total_msat');
  if (addr.length !== 32)
    throw new RpcError(2, `unable to parse payment_addr: invalid hash length of ${addr.length}, want 32`);
  return { paymentAddr: Buffer.from(addr), totalAmtMsat: total };
}

/**
 * LND's UnmarshallRoute: the route is used as given. Amounts come from the msat fields, hop fees are derived from
 * consecutive amounts (LND does not carry them), and a missing hop pubkey is read from the graph.
 */
export function unmarshalRoute(net: Network, source: number, msg: RouteMsg): Route {
  const totalAmtMsat = BigInt(msg.total_amt_msat || '0');
  let prev = source;
  const hops: RouteHop[] = msg.hops.map((hop: HopMsg) => {
    const chanId = parseUint64(hop.chan_id || '0', 'chan_id');
    let pubkey = hop.pub_key;
    if (!pubkey) {
      const channel = net.channel(chanId);
      if (!channel || (channel.node1 !== prev && channel.node2 !== prev)) {
        throw new RpcError(2, 'channel edge does not match expected node');
      }
      pubkey = net.node(channel.node1 === prev ? channel.node2 : channel.node1).pubkey;
    } else if (!/^(02|03)[0-9a-f]{64}$/.test(pubkey)) {
      throw new RpcError(2, `invalid pubkey: ${pubkey}`);
    }
    prev = net.nodeByPubkey(pubkey)?.index ?? -1;
    const amt = BigInt(hop.amt_to_forward_msat || '0');
    if (amt < 0n) throw new RpcError(2, 'amount cannot be negative');
    return {
      chanId,
      pubkey,
      amtToForwardMsat: amt,
      feeMsat: 0n,
      expiry: hop.expiry,
      mpp: unmarshalMpp(hop.mpp_record),
    };
  });
  let incoming = totalAmtMsat;
  for (const hop of hops) {
    hop.feeMsat = incoming - hop.amtToForwardMsat;
    incoming = hop.amtToForwardMsat;
  }
  const last = hops[hops.length - 1];
  return {
    totalTimeLock: msg.total_time_lock,
    totalAmtMsat,
    totalFeesMsat: last ? totalAmtMsat - last.amtToForwardMsat : 0n,
    hops,
  };
}

export function marshalRoute(net: Network, route: Route) {
  return {
    total_time_lock: route.totalTimeLock,
    total_fees: sat(route.totalFeesMsat),
    total_amt: sat(route.totalAmtMsat),
    total_fees_msat: route.totalFeesMsat.toString(),
    total_amt_msat: route.totalAmtMsat.toString(),
    first_hop_amount_msat: '0',
    hops: route.hops.map((hop) => ({
      chan_id: hop.chanId.toString(),
      chan_capacity: (net.channel(hop.chanId)?.capacitySat ?? 0n).toString(),
      amt_to_forward: sat(hop.amtToForwardMsat),
      fee: sat(hop.feeMsat),
      expiry: hop.expiry,
      amt_to_forward_msat: hop.amtToForwardMsat.toString(),
      fee_msat: hop.feeMsat.toString(),
      pub_key: hop.pubkey,
      tlv_payload: true,
      mpp_record: hop.mpp
        ? { payment_addr: hop.mpp.paymentAddr, total_amt_msat: hop.mpp.totalAmtMsat.toString() }
        : null,
    })),
  };
}

function marshalChannelUpdate(update: ChannelUpdateRef) {
  const p = update.policy;
  // Signed by nobody: clients read the policy fields, and gossip signatures are out of simnet's scope.
  const signature = createHash('sha512').update(`update:${update.chanId}:${update.direction}:${p.lastUpdate}`).digest();
  return {
    signature,
    chain_hash: REGTEST_CHAIN_HASH,
    chan_id: update.chanId.toString(),
    timestamp: p.lastUpdate,
    message_flags: 1,
    channel_flags: update.direction | (p.disabled ? 2 : 0),
    time_lock_delta: p.cltvDelta,
    htlc_minimum_msat: p.htlcMinMsat.toString(),
    base_fee: Number(p.baseFeeMsat),
    fee_rate: Number(p.feePpm),
    htlc_maximum_msat: p.htlcMaxMsat.toString(),
    extra_opaque_data: Buffer.alloc(0),
  };
}

export function marshalFailure(failure: WireFailure) {
  return {
    code: failure.code,
    channel_update: failure.channelUpdate ? marshalChannelUpdate(failure.channelUpdate) : null,
    htlc_msat: (failure.htlcMsat ?? 0n).toString(),
    onion_sha_256: Buffer.alloc(0),
    cltv_expiry: failure.cltvExpiry ?? 0,
    flags: failure.flags ?? 0,
    failure_source_index: failure.sourceIndex,
    height: failure.height ?? 0,
  };
}

export function marshalAttempt(net: Network, attempt: Attempt) {
  return {
    attempt_id: attempt.attemptId.toString(),
    status: attempt.status,
    route: marshalRoute(net, attempt.route),
    attempt_time_ns: attempt.attemptTimeNs.toString(),
    resolve_time_ns: attempt.resolveTimeNs.toString(),
    failure: attempt.failure && attempt.status === 'FAILED' ? marshalFailure(attempt.failure) : null,
    preimage: attempt.preimage ?? Buffer.alloc(0),
  };
}

export function marshalPayment(net: Network, payment: Payment, omitHops = false) {
  const fee = settledFees(payment);
  const settled = payment.htlcs.find((h) => h.status === 'SUCCEEDED');
  const status = paymentStatus(payment);
  return {
    payment_hash: payment.hash.toString('hex'),
    value: sat(payment.valueMsat),
    creation_date: (payment.creationTimeNs / 1_000_000_000n).toString(),
    fee: sat(fee),
    payment_preimage: settled?.preimage ? settled.preimage.toString('hex') : '0'.repeat(64),
    value_sat: sat(payment.valueMsat),
    value_msat: payment.valueMsat.toString(),
    payment_request: payment.paymentRequest,
    // INITIATED is shown only with routerrpc.usestatusinitiated, which LND leaves off.
    status: status === 'INITIATED' ? 'IN_FLIGHT' : status,
    fee_sat: sat(fee),
    fee_msat: fee.toString(),
    creation_time_ns: payment.creationTimeNs.toString(),
    htlcs: payment.htlcs.map((h) => {
      const m = marshalAttempt(net, h);
      return omitHops ? { ...m, route: { ...m.route, hops: [] } } : m;
    }),
    payment_index: payment.paymentIndex.toString(),
    failure_reason: payment.failureReason,
  };
}

export function marshalPolicy(p: Policy) {
  return {
    time_lock_delta: p.cltvDelta,
    min_htlc: p.htlcMinMsat.toString(),
    fee_base_msat: p.baseFeeMsat.toString(),
    fee_rate_milli_msat: p.feePpm.toString(),
    disabled: p.disabled,
    max_htlc_msat: p.htlcMaxMsat.toString(),
    last_update: p.lastUpdate,
  };
}

export function marshalEdge(net: Network, channel: Channel) {
  return {
    channel_id: channel.id.toString(),
    chan_point: channel.chanPoint,
    last_update: Math.max(channel.policy[0].lastUpdate, channel.policy[1].lastUpdate),
    node1_pub: net.node(channel.node1).pubkey,
    node2_pub: net.node(channel.node2).pubkey,
    capacity: channel.capacitySat.toString(),
    node1_policy: marshalPolicy(channel.policy[0]),
    node2_policy: marshalPolicy(channel.policy[1]),
  };
}

export function marshalNode(net: Network, index: number, lastUpdate: number) {
  const node = net.node(index);
  return {
    last_update: lastUpdate,
    pub_key: node.pubkey,
    alias: node.alias,
    addresses: [{ network: 'tcp', addr: p2pAddress(index) }],
    color: node.color,
    features: NODE_FEATURES,
  };
}

export function marshalInvoice(invoice: Invoice, features: Record<number, unknown>) {
  return {
    memo: invoice.memo,
    r_preimage: invoice.preimage ?? Buffer.alloc(0),
    r_hash: invoice.hash,
    value: sat(invoice.valueMsat),
    value_msat: invoice.valueMsat.toString(),
    settled: invoice.state === 'SETTLED',
    creation_date: invoice.creationDate.toString(),
    settle_date: invoice.settleDate.toString(),
    payment_request: invoice.paymentRequest,
    description_hash: invoice.descriptionHash,
    expiry: invoice.expiry.toString(),
    fallback_addr: '',
    cltv_expiry: invoice.cltvExpiry.toString(),
    route_hints: [],
    private: false,
    add_index: invoice.addIndex.toString(),
    settle_index: invoice.settleIndex.toString(),
    amt_paid: sat(invoice.amtPaidMsat),
    amt_paid_sat: sat(invoice.amtPaidMsat),
    amt_paid_msat: invoice.amtPaidMsat.toString(),
    state: invoice.state,
    htlcs: invoice.htlcs.map((h) => ({
      chan_id: h.chanId.toString(),
      htlc_index: h.htlcIndex.toString(),
      amt_msat: h.amtMsat.toString(),
      accept_height: h.acceptHeight,
      accept_time: h.acceptTime.toString(),
      resolve_time: h.resolveTime.toString(),
      expiry_height: h.expiryHeight,
      state: h.state,
      mpp_total_amt_msat: h.mppTotalAmtMsat.toString(),
    })),
    features,
    is_keysend: false,
    payment_addr: invoice.paymentAddr,
    is_amp: false,
  };
}
