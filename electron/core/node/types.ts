import type { LndRoute } from '../../../shared/lnd-route';
import type { NodeConnectionState } from '../../../shared/types';

// The core's view of a Lightning node. Only electron/core/node/ knows lnd-grpc; everything else uses this.

export interface NodeInfo {
  id: string;
  alias: string;
  /** 'regtest', 'mainnet', ... */
  network: string;
  blockheight: number;
  num_active_channels: number;
  version: string;
  simulated: boolean;
}

export interface OwnChannel {
  chan_id: bigint;
  peer_id: string;
  peer_alias: string;
  capacity_msat: bigint;
  local_msat: bigint;
  remote_msat: bigint;
  active: boolean;
}

export interface DecodedPayReq {
  destination: string;
  payment_hash: string;
  payment_secret: string;
  /** 0n for an amountless invoice. */
  amount_msat: bigint;
  description: string;
  description_hash: string;
  timestamp: number;
  expiry: number;
  min_final_cltv_expiry: number;
  mpp: boolean;
  route_hints: { node_id: string; chan_id: bigint; fee_base_msat: number; fee_ppm: number; cltv_delta: number }[];
}

export interface HtlcFailure {
  /** LND's FailureCode name. */
  code: string;
  failure_source_index: number;
}

/** LND's HTLCAttempt. */
export interface HtlcAttempt {
  attempt_id: bigint;
  status: 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';
  route: LndRoute;
  attempt_time_ns: bigint;
  resolve_time_ns: bigint;
  failure?: HtlcFailure;
  preimage?: string;
}

/** LND's Payment, as TrackPaymentV2 / TrackPayments / ListPayments give it. */
export interface NodePayment {
  payment_hash: string;
  status: 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED' | 'INITIATED';
  value_msat: bigint;
  failure_reason: string;
  payment_preimage: string;
  htlcs: HtlcAttempt[];
}

/** LND answered SendToRouteV2 with an error instead of an attempt: no HTLC left. */
export class NodeRefusal extends Error {
  constructor(
    message: string,
    readonly grpcCode: number,
  ) {
    super(message);
  }
}

/** The connection is down: the call may or may not have reached the node. */
export class NodeUnavailable extends Error {}

export interface QueryRoutesArgs {
  destination: string;
  amt_msat: bigint;
  final_cltv_delta: number;
  fee_limit_msat?: bigint;
  ignored_nodes?: string[];
  ignored_pairs?: { from: string; to: string }[];
  /** One direction of a channel each: reverse=false is from the smaller pubkey to the larger (LND's ignored_edges). */
  ignored_channels?: { chan_id: bigint; reverse: boolean }[];
  outgoing_chan_ids?: bigint[];
}

export interface BuildRouteArgs {
  amt_msat: bigint;
  final_cltv_delta: number;
  outgoing_chan_id?: bigint;
  hop_pubkeys: string[];
}

/** A node of the channel graph as it announced itself. */
export interface GraphNode {
  id: string;
  alias: string;
  /** `#rrggbb`, when known. */
  color?: string;
}

export interface GraphEdge {
  chan_id: bigint;
  node1: string;
  node2: string;
  capacity_msat: bigint;
  policy1?: {
    disabled: boolean;
    fee_base_msat: bigint;
    fee_ppm: bigint;
    cltv_delta: number;
    min_htlc_msat: bigint;
    max_htlc_msat: bigint;
  };
  policy2?: GraphEdge['policy1'];
}

export interface LightningNode {
  readonly state: NodeConnectionState;
  /** Called on every change of connection state; returns the unsubscribe function. */
  onState(listener: (state: NodeConnectionState) => void): () => void;
  connect(): Promise<void>;
  disconnect(): Promise<void>;

  getInfo(): Promise<NodeInfo>;
  listChannels(): Promise<OwnChannel[]>;
  describeGraph(): Promise<{ nodes: GraphNode[]; edges: GraphEdge[] }>;
  decodePayReq(bolt11: string): Promise<DecodedPayReq>;
  queryRoutes(args: QueryRoutesArgs): Promise<{ route: LndRoute; probability: number }>;
  buildRoute(args: BuildRouteArgs): Promise<LndRoute>;
  /** Blocks until the HTLC resolves. Throws NodeRefusal when LND refuses before the HTLC leaves,
   * NodeUnavailable when the connection is cut (the HTLC may still be out: follow trackPayments). */
  sendToRoute(paymentHash: string, route: LndRoute, skipTempErr: boolean): Promise<HtlcAttempt>;
  /** Every payment update from now on (TrackPayments), and the in-flight ones first. Re-subscribes after a
   * reconnection. Returns the unsubscribe function. */
  trackPayments(listener: (payment: NodePayment) => void): () => void;
  /** The node's record of one payment, or undefined if it never saw the hash. */
  lookupPayment(paymentHash: string): Promise<NodePayment | undefined>;
  /** Every payment the node has, incomplete ones included. */
  listPayments(): Promise<NodePayment[]>;
}
