import { type CallOptions, type ServiceError, status } from '@grpc/grpc-js';
import type { LndRoute } from '../../../shared/lnd-route';
import type { NodeConnectionState } from '../../../shared/types';
import type { LndConfig } from './config';
import { LndConnection, type LndConnectionOptions } from './lnd-connection';
import {
  big,
  fromRpcAttempt,
  fromRpcPayment,
  fromRpcPolicy,
  fromRpcRoute,
  hexBytes,
  msatOfSat,
  paymentHashBytes,
  toRpcRoute,
} from './lnd-convert';
import { type NodeConnectError, toCallError } from './lnd-errors';
import type { RpcPayment, Services } from './lnd-rpc';
import { PaymentSubscriptions } from './lnd-subscriptions';
import {
  type BuildRouteArgs,
  type DecodedPayReq,
  type GraphEdge,
  type GraphNode,
  type HtlcAttempt,
  type LightningNode,
  type NodeInfo,
  type NodeInvoice,
  type NodePayment,
  NodeRefusal,
  NodeUnavailable,
  type OwnChannel,
  type OwnInvoiceState,
  type QueryRoutesArgs,
} from './types';

// LndNode: the LightningNode interface over LND's RPC methods. The parts live beside it: the connection and its
// reconnection (lnd-connection.ts), the trackPayments subscriptions (lnd-subscriptions.ts), error classification
// (lnd-errors.ts), message conversion (lnd-convert.ts) and LND's gRPC surface (lnd-rpc.ts).

export { fromRpcAttempt, fromRpcPayment, fromRpcRoute, toRpcRoute } from './lnd-convert';
export { NodeConnectError, type NodeConnectReason, toConnectError } from './lnd-errors';

export interface LndNodeOptions extends LndConnectionOptions {
  /** True for the embedded simulated network (getInfo reports it). */
  simulated?: boolean;
  /** Deadline of the calls that do not block on the network (default 5 s: LND answers them in milliseconds, and a
   * stalled node must not hold a caller for the keepalive's timeout; QueryRoutes gets 3 times this, describeGraph and
   * ListPayments 5 min). */
  callTimeoutMs?: number;
}

const PAYMENTS_PAGE = 10_000n;

/** Default deadline of a call that LND answers at once (GetInfo, DecodePayReq, AddInvoice, ...). */
const CALL_TIMEOUT_MS = 5_000;

/**
 * An LND node over lnd-grpc (LND's current protos, 64-bit values exact). Keeps its connection: a lost connection
 * is retried with backoff until disconnect(), and trackPayments subscriptions are reopened on the new one.
 */
export class LndNode implements LightningNode {
  private readonly connection: LndConnection;
  private readonly subscriptions: PaymentSubscriptions;

  constructor(
    config: LndConfig,
    private readonly options: LndNodeOptions = {},
  ) {
    // Subscriptions open before 'connected' is announced: whoever hears it may act at once (settle a held HTLC, look
    // payments up), and what happens after that must reach the reopened streams.
    this.connection = new LndConnection(config, options, {
      opened: (session) => this.subscriptions.openAll(session),
      closing: () => this.subscriptions.closeAll(),
    });
    this.subscriptions = new PaymentSubscriptions(this.connection, (hash) => this.lookupPayment(hash));
  }

  get state(): NodeConnectionState {
    return this.connection.state;
  }

  /** Why the last connection attempt failed (cleared once connected). */
  get lastError(): NodeConnectError | undefined {
    return this.connection.lastError;
  }

  onState(listener: (state: NodeConnectionState) => void): () => void {
    return this.connection.onState(listener);
  }

  /**
   * Connects, or throws a NodeConnectError. With a locked wallet it throws (reason 'locked') but keeps watching:
   * the state goes 'locked' → 'connected' once the wallet is unlocked. Other failures end the attempt.
   */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  disconnect(): Promise<void> {
    return this.connection.disconnect();
  }

  // --- calls ---

  private services(): Services {
    const session = this.connection.session;
    if (!session)
      throw new NodeUnavailable(`not connected to LND at ${this.connection.host} (${this.connection.state})`);
    return session.services;
  }

  private deadline(ms = this.options.callTimeoutMs ?? CALL_TIMEOUT_MS): CallOptions {
    return { deadline: Date.now() + ms };
  }

  private callError(error: unknown): Error {
    return toCallError(error, this.connection.host);
  }

  private async call<T>(run: (services: Services) => Promise<T>): Promise<T> {
    const services = this.services();
    try {
      return await run(services);
    } catch (error) {
      throw this.callError(error);
    }
  }

  async getInfo(): Promise<NodeInfo> {
    const info = await this.call((s) => s.Lightning.getInfo({}, this.deadline()));
    return {
      id: info.identity_pubkey,
      alias: info.alias,
      network: info.chains[0]?.network || (info.testnet ? 'testnet' : 'mainnet'),
      blockheight: info.block_height,
      num_active_channels: info.num_active_channels,
      version: info.version,
      simulated: this.options.simulated ?? false,
    };
  }

  async listChannels(): Promise<OwnChannel[]> {
    const { channels } = await this.call((s) => s.Lightning.listChannels({ peer_alias_lookup: true }, this.deadline()));
    return channels.map((c) => ({
      chan_id: big(c.chan_id),
      peer_id: c.remote_pubkey,
      peer_alias: c.peer_alias,
      capacity_msat: msatOfSat(c.capacity),
      local_msat: msatOfSat(c.local_balance),
      remote_msat: msatOfSat(c.remote_balance),
      active: c.active,
    }));
  }

  async describeGraph(): Promise<{ nodes: GraphNode[]; edges: GraphEdge[] }> {
    const graph = await this.call((s) =>
      s.Lightning.describeGraph({ include_unannounced: true }, this.deadline(5 * 60_000)),
    );
    return {
      nodes: graph.nodes.map((n) => ({ id: n.pub_key, alias: n.alias, ...(n.color ? { color: n.color } : {}) })),
      edges: graph.edges.map((e) => {
        const edge: GraphEdge = {
          chan_id: big(e.channel_id),
          node1: e.node1_pub,
          node2: e.node2_pub,
          capacity_msat: msatOfSat(e.capacity),
        };
        const policy1 = fromRpcPolicy(e.node1_policy);
        const policy2 = fromRpcPolicy(e.node2_policy);
        if (policy1) edge.policy1 = policy1;
        if (policy2) edge.policy2 = policy2;
        return edge;
      }),
    };
  }

  async decodePayReq(bolt11: string): Promise<DecodedPayReq> {
    const req = await this.call((s) => s.Lightning.decodePayReq({ pay_req: bolt11 }, this.deadline()));
    const features = Object.keys(req.features ?? {});
    return {
      destination: req.destination,
      payment_hash: req.payment_hash,
      payment_secret: Buffer.from(req.payment_addr ?? []).toString('hex'),
      amount_msat: big(req.num_msat),
      description: req.description,
      description_hash: req.description_hash,
      timestamp: Number(req.timestamp),
      expiry: Number(req.expiry),
      min_final_cltv_expiry: Number(req.cltv_expiry),
      mpp: features.includes('16') || features.includes('17'),
      // Each hint is a chain of hops to the destination; flattened here as the interface has it.
      route_hints: req.route_hints.flatMap((hint) =>
        hint.hop_hints.map((hop) => ({
          node_id: hop.node_id,
          chan_id: big(hop.chan_id),
          fee_base_msat: hop.fee_base_msat,
          fee_ppm: hop.fee_proportional_millionths,
          cltv_delta: hop.cltv_expiry_delta,
        })),
      ),
    };
  }

  async queryRoutes(args: QueryRoutesArgs): Promise<{ route: LndRoute; probability: number }> {
    const response = await this.call((s) =>
      s.Lightning.queryRoutes(
        {
          pub_key: args.destination,
          amt_msat: args.amt_msat.toString(),
          final_cltv_delta: args.final_cltv_delta,
          ...(args.fee_limit_msat !== undefined && { fee_limit: { fixed_msat: args.fee_limit_msat.toString() } }),
          ignored_nodes: (args.ignored_nodes ?? []).map((n) => hexBytes(n, 'ignored_nodes')),
          ignored_pairs: (args.ignored_pairs ?? []).map((p) => ({
            from: hexBytes(p.from, 'ignored_pairs.from'),
            to: hexBytes(p.to, 'ignored_pairs.to'),
          })),
          // Deprecated in LND but served: it becomes ignored pairs (router_backend.go parseIgnored).
          ignored_edges: (args.ignored_channels ?? []).map((c) => ({
            channel_id: c.chan_id.toString(),
            direction_reverse: c.reverse,
          })),
          outgoing_chan_ids: (args.outgoing_chan_ids ?? []).map(String),
          ...(args.last_hop_pubkey !== undefined && {
            last_hop_pubkey: hexBytes(args.last_hop_pubkey, 'last_hop_pubkey'),
          }),
          use_mission_control: true,
        },
        // Path finding on a large graph takes longer than a lookup.
        this.deadline(3 * (this.options.callTimeoutMs ?? CALL_TIMEOUT_MS)),
      ),
    );
    const route = response.routes[0];
    if (!route) throw new NodeRefusal('unable to find a path to destination', status.UNKNOWN);
    return { route: fromRpcRoute(route), probability: response.success_prob };
  }

  async buildRoute(args: BuildRouteArgs): Promise<LndRoute> {
    const response = await this.call((s) =>
      s.Router.buildRoute(
        {
          amt_msat: args.amt_msat.toString(),
          final_cltv_delta: args.final_cltv_delta,
          outgoing_chan_id: (args.outgoing_chan_id ?? 0n).toString(),
          hop_pubkeys: args.hop_pubkeys.map((k) => hexBytes(k, 'hop_pubkeys')),
        },
        this.deadline(),
      ),
    );
    if (!response.route) throw new NodeRefusal('BuildRoute returned no route', status.UNKNOWN);
    return fromRpcRoute(response.route);
  }

  async sendToRoute(paymentHash: string, route: LndRoute, skipTempErr: boolean): Promise<HtlcAttempt> {
    const hash = paymentHashBytes(paymentHash);
    const request = {
      payment_hash: hash,
      route: toRpcRoute(route),
      skip_temp_err: skipTempErr,
    };
    // No deadline: the call returns when the HTLC resolves, however long that takes (LND's SendToRouteV2).
    const attempt = await this.call((s) => s.Router.sendToRouteV2(request));
    return fromRpcAttempt(attempt);
  }

  async lookupPayment(paymentHash: string): Promise<NodePayment | undefined> {
    const hash = paymentHashBytes(paymentHash);
    const services = this.services();
    return new Promise<NodePayment | undefined>((resolve, reject) => {
      let settled = false;
      const stream = services.Router.trackPaymentV2(
        { payment_hash: hash, no_inflight_updates: false },
        this.deadline(),
      );
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        stream.cancel();
        outcome();
      };
      stream.on('data', (payment: RpcPayment) => finish(() => resolve(fromRpcPayment(payment))));
      stream.on('error', (error: ServiceError) =>
        finish(() => (error.code === status.NOT_FOUND ? resolve(undefined) : reject(this.callError(error)))),
      );
      stream.on('end', () => finish(() => resolve(undefined)));
    });
  }

  async listPayments(): Promise<NodePayment[]> {
    const payments: NodePayment[] = [];
    let offset = '0';
    for (;;) {
      const page = await this.call((s) =>
        s.Lightning.listPayments(
          { include_incomplete: true, index_offset: offset, max_payments: PAYMENTS_PAGE.toString() },
          this.deadline(5 * 60_000),
        ),
      );
      payments.push(...page.payments.map(fromRpcPayment));
      if (BigInt(page.payments.length) < PAYMENTS_PAGE || page.last_index_offset === offset) return payments;
      offset = page.last_index_offset;
    }
  }

  trackPayments(listener: (payment: NodePayment) => void): () => void {
    return this.subscriptions.add(listener);
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    const hash = paymentHashBytes(paymentHash);
    await this.call((s) => s.Invoices.cancelInvoice({ payment_hash: hash }, this.deadline()));
  }

  async lookupInvoice(paymentHash: string): Promise<OwnInvoiceState> {
    const hash = paymentHashBytes(paymentHash);
    const invoice = await this.call((s) => s.Lightning.lookupInvoice({ r_hash: hash }, this.deadline()));
    return { state: invoice.state, held_htlcs: invoice.htlcs.filter((h) => h.state === 'ACCEPTED').length };
  }

  async deletePayment(paymentHash: string): Promise<void> {
    const hash = paymentHashBytes(paymentHash);
    await this.call((s) =>
      s.Lightning.deletePayment({ payment_hash: hash, failed_htlcs_only: false }, this.deadline()),
    );
  }

  /** A new invoice of this node (rebalance, the `testinvoice` command, tests). */
  async addInvoice(
    amountMsat: bigint,
    memo: string,
    expirySeconds?: number,
    cltvExpiry?: number,
  ): Promise<NodeInvoice> {
    const invoice = await this.call((s) =>
      s.Lightning.addInvoice(
        {
          value_msat: amountMsat.toString(),
          memo,
          ...(expirySeconds !== undefined && { expiry: String(expirySeconds) }),
          ...(cltvExpiry !== undefined && { cltv_expiry: String(cltvExpiry) }),
        },
        this.deadline(),
      ),
    );
    return {
      bolt11: invoice.payment_request,
      payment_hash: Buffer.from(invoice.r_hash).toString('hex'),
      payment_secret: Buffer.from(invoice.payment_addr).toString('hex'),
    };
  }
}

export type { NodeInvoice };
export { NodeRefusal, NodeUnavailable };
