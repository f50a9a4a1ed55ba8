// The core's LightningNode over one node of simnet's model, in-process (no gRPC): what the split and rebalance
// benchmarks hand the shipped payer (PartDispatcher, PlannerService, pay, the rebalance and probe commands) so that it
// pays over the simulated mainnet at model speed. Invoices are made and decoded by simnet's own AddInvoice and
// DecodePayReq code (signed BOLT11). Only what paying, rebalancing and probing need is here; the rest says so.

import {
  type DecodedPayReq,
  type GraphEdge,
  type HtlcAttempt,
  type LightningNode,
  type NodeInfo,
  type NodeInvoice,
  type NodePayment,
  NodeRefusal,
  type OwnChannel,
  type OwnInvoiceState,
} from '../../electron/core/node/types';
import type { LndRoute } from '../../shared/lnd-route';
import type { NodeConnectionState } from '../../shared/types';
import { decodeInvoice } from '../../simnet/crypto/invoice';
import { addInvoice } from '../../simnet/grpc/addinvoice';
import type { Network } from '../../simnet/model/network';
import { type Attempt, type Payment, PaymentError, paymentStatus } from '../../simnet/model/payments';
import type { Sim } from '../../simnet/model/sim';
import type { Policy, Route } from '../../simnet/model/types';

type Graph = Awaited<ReturnType<LightningNode['describeGraph']>>;

const graphs = new WeakMap<Network, Graph>();

const policyOf = (p: Policy): NonNullable<GraphEdge['policy1']> => ({
  disabled: p.disabled,
  fee_base_msat: p.baseFeeMsat,
  fee_ppm: p.feePpm,
  cltv_delta: p.cltvDelta,
  min_htlc_msat: p.htlcMinMsat,
  max_htlc_msat: p.htlcMaxMsat,
});

/** DescribeGraph of the whole network, built once per network (the benchmark changes no policy). */
export function describeNetwork(net: Network): Graph {
  let graph = graphs.get(net);
  if (!graph) {
    graph = {
      nodes: net.nodes.map((n) => ({ id: n.pubkey, alias: n.alias })),
      edges: net.channels.map((c) => ({
        chan_id: c.id,
        node1: net.node(c.node1).pubkey,
        node2: net.node(c.node2).pubkey,
        capacity_msat: c.capacitySat * 1000n,
        policy1: policyOf(c.policy[0]),
        policy2: policyOf(c.policy[1]),
      })),
    };
    graphs.set(net, graph);
  }
  return graph;
}

function toModelRoute(route: LndRoute): Route {
  return {
    totalTimeLock: route.total_time_lock,
    totalAmtMsat: route.total_amt_msat,
    totalFeesMsat: route.total_fees_msat,
    hops: route.hops.map((h) => ({
      chanId: h.chan_id,
      pubkey: h.pub_key,
      amtToForwardMsat: h.amt_to_forward_msat,
      feeMsat: h.fee_msat,
      expiry: h.expiry,
      mpp: h.mpp_record && {
        paymentAddr: Buffer.from(h.mpp_record.payment_addr, 'hex'),
        totalAmtMsat: h.mpp_record.total_amt_msat,
      },
    })),
  };
}

function toLndRoute(route: Route): LndRoute {
  return {
    total_time_lock: route.totalTimeLock,
    total_amt_msat: route.totalAmtMsat,
    total_fees_msat: route.totalFeesMsat,
    hops: route.hops.map((h) => ({
      chan_id: h.chanId,
      pub_key: h.pubkey,
      amt_to_forward_msat: h.amtToForwardMsat,
      fee_msat: h.feeMsat,
      expiry: h.expiry,
      ...(h.mpp && {
        mpp_record: { payment_addr: h.mpp.paymentAddr.toString('hex'), total_amt_msat: h.mpp.totalAmtMsat },
      }),
    })),
  };
}

function toHtlcAttempt(attempt: Attempt): HtlcAttempt {
  const out: HtlcAttempt = {
    attempt_id: attempt.attemptId,
    status: attempt.status,
    route: toLndRoute(attempt.route),
    attempt_time_ns: attempt.attemptTimeNs,
    resolve_time_ns: attempt.resolveTimeNs,
  };
  if (attempt.failure) out.failure = { code: attempt.failure.code, failure_source_index: attempt.failure.sourceIndex };
  if (attempt.preimage) out.preimage = attempt.preimage.toString('hex');
  return out;
}

function toNodePayment(payment: Payment): NodePayment {
  const settled = payment.htlcs.find((h) => h.status === 'SUCCEEDED');
  return {
    payment_hash: payment.hash.toString('hex'),
    status: paymentStatus(payment),
    value_msat: payment.valueMsat,
    failure_reason: payment.failureReason,
    payment_preimage: settled?.preimage?.toString('hex') ?? '',
    htlcs: payment.htlcs.map(toHtlcAttempt),
  };
}

const unused = (what: string) => Promise.reject(new Error(`SimnetNode: ${what} is not used by the benchmark`));

export class SimnetNode implements LightningNode {
  readonly state: NodeConnectionState = 'connected';
  /** SendToRouteV2 calls made through this node. */
  sendToRouteCalls = 0;

  constructor(
    private readonly sim: Sim,
    readonly index: number,
  ) {}

  get pubkey(): string {
    return this.sim.net.node(this.index).pubkey;
  }

  onState(): () => void {
    return () => {};
  }
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}

  async getInfo(): Promise<NodeInfo> {
    const { net } = this.sim;
    const self = net.node(this.index);
    return {
      id: self.pubkey,
      alias: self.alias,
      network: 'regtest',
      blockheight: net.height,
      num_active_channels: [...net.channelsOf(this.index)].filter((c) => net.node(c.peer).online).length,
      version: 'simnet-model',
      simulated: true,
    };
  }

  async listChannels(): Promise<OwnChannel[]> {
    const { net } = this.sim;
    return [...net.channelsOf(this.index)].map(({ channel, dir, peer }) => {
      const other = dir === 0 ? 1 : 0;
      return {
        chan_id: channel.id,
        peer_id: net.node(peer).pubkey,
        peer_alias: net.node(peer).alias,
        capacity_msat: channel.capacitySat * 1000n,
        local_msat: channel.balance[dir] - channel.inFlight[dir],
        remote_msat: channel.balance[other] - channel.inFlight[other],
        active: net.node(peer).online && net.node(this.index).online,
      };
    });
  }

  async describeGraph(): Promise<Graph> {
    return describeNetwork(this.sim.net);
  }

  /** DecodePayReq of simnet's invoices (regtest, no route hints), as the core's LndNode reports it. */
  async decodePayReq(bolt11: string): Promise<DecodedPayReq> {
    const d = decodeInvoice(bolt11, 'regtest');
    if (d.routeHints.length > 0)
      throw new Error('SimnetNode: invoices with route hints are not used by the benchmarks');
    return {
      destination: d.destination,
      payment_hash: d.paymentHash,
      payment_secret: d.paymentSecret,
      amount_msat: d.amountMsat,
      description: d.description,
      description_hash: d.descriptionHash,
      timestamp: d.timestamp,
      expiry: d.expiry,
      min_final_cltv_expiry: d.cltvExpiry,
      // Bit 16/17: basic MPP, which simnet's invoices (as LND's) carry.
      mpp: 16 in d.features || 17 in d.features,
      // simnet's AddInvoice, which made every invoice of the benchmarks, puts no route hints in.
      route_hints: [],
    };
  }
  queryRoutes(): Promise<{ route: LndRoute; probability: number }> {
    return unused('QueryRoutes');
  }
  buildRoute(): Promise<LndRoute> {
    return unused('BuildRoute');
  }
  /** simnet's AddInvoice on this node (its registry, its clock): a signed BOLT11 invoice. */
  async addInvoice(amountMsat: bigint, memo: string, expirySeconds = 0, cltvExpiry = 0): Promise<NodeInvoice> {
    const invoice = addInvoice(
      { sim: this.sim, lnd: this.sim.lnd(this.index) },
      {
        memo,
        value: '',
        value_msat: amountMsat.toString(),
        description_hash: Buffer.alloc(0),
        expiry: String(expirySeconds),
        cltv_expiry: String(cltvExpiry),
      },
      {},
    );
    return {
      bolt11: invoice.paymentRequest,
      payment_hash: invoice.hash.toString('hex'),
      payment_secret: invoice.paymentAddr.toString('hex'),
    };
  }

  async lookupInvoice(paymentHash: string): Promise<OwnInvoiceState> {
    const invoice = this.sim.lnd(this.index).invoices.lookup(Buffer.from(paymentHash, 'hex'));
    if (!invoice) throw new NodeRefusal('unable to locate invoice', 5);
    return { state: invoice.state, held_htlcs: invoice.htlcs.filter((h) => h.state === 'ACCEPTED').length };
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    this.sim.lnd(this.index).invoices.cancel(Buffer.from(paymentHash, 'hex'));
  }

  async deletePayment(paymentHash: string): Promise<void> {
    try {
      this.sim.lnd(this.index).payments.delete(Buffer.from(paymentHash, 'hex'), false);
    } catch (error) {
      if (error instanceof PaymentError) throw new NodeRefusal(error.message, error.grpcCode);
      throw error;
    }
  }

  async sendToRoute(paymentHash: string, route: LndRoute, skipTempErr: boolean): Promise<HtlcAttempt> {
    this.sendToRouteCalls++;
    const lnd = this.sim.lnd(this.index);
    try {
      return toHtlcAttempt(await lnd.sendToRoute(Buffer.from(paymentHash, 'hex'), toModelRoute(route), skipTempErr));
    } catch (error) {
      if (error instanceof PaymentError) throw new NodeRefusal(error.message, error.grpcCode);
      throw error;
    }
  }

  /**
   * Every update of this node's payments, as TrackPayments gives them: the core confirms by them that the node has a
   * part's HTLC (SendToRouteV2's answer comes only when the HTLC resolves), so that a payment's parts go out together.
   */
  trackPayments(listener: (payment: NodePayment) => void): () => void {
    return this.sim.lnd(this.index).payments.subscribeAll((payment) => listener(toNodePayment(payment)));
  }

  async lookupPayment(paymentHash: string): Promise<NodePayment | undefined> {
    const payment = this.sim.lnd(this.index).payments.get(Buffer.from(paymentHash, 'hex'));
    return payment && toNodePayment(payment);
  }

  async listPayments(): Promise<NodePayment[]> {
    return this.sim.lnd(this.index).payments.list().map(toNodePayment);
  }
}
