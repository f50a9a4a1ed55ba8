import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  type CallOptions,
  type Channel,
  type ClientReadableStream,
  type credentials,
  loadPackageDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { LND_GRPC_PROTO_VERSION, type LndProtos } from './protos';

// LND's gRPC surface as this app calls it: the messages, the services, and the two clients (lnd-grpc's, and the
// fail-fast State client of the first contact). Only electron/core/node/ uses it.

// lnd-grpc is CommonJS without type declarations: this is the surface used here. Messages are decoded with
// keepCase, longs and enums as String, defaults on (protos.ts), so 64-bit values arrive as decimal strings, bytes
// as Buffers, absent sub-messages as null.
// ---------------------------------------------------------------------------------------------------------------

type Unary<Req, Res> = (request: Req, options?: CallOptions) => Promise<Res>;
type ServerStream<Req, Res> = (request: Req, options?: CallOptions) => ClientReadableStream<Res>;

/** lnd-grpc's Service wrapper keeps the grpc-js client in `service` once connected. */
interface WrappedService {
  service: { getChannel(): Channel } | null;
}

interface RpcMppRecord {
  payment_addr: Buffer;
  total_amt_msat: string;
}

interface RpcHop {
  chan_id: string;
  pub_key: string;
  amt_to_forward_msat: string;
  fee_msat: string;
  expiry: number;
  mpp_record: RpcMppRecord | null;
}

export interface RpcRoute {
  total_time_lock: number;
  total_fees_msat: string;
  total_amt_msat: string;
  hops: RpcHop[];
}

/** What is sent: 64-bit values as decimal strings, bytes as Buffers. */
export interface RpcRouteIn {
  total_time_lock: number;
  total_fees_msat: string;
  total_amt_msat: string;
  hops: {
    chan_id: string;
    pub_key: string;
    amt_to_forward_msat: string;
    fee_msat: string;
    expiry: number;
    mpp_record?: RpcMppRecord;
  }[];
}

interface RpcFailure {
  code: string | number;
  failure_source_index: number;
}

export interface RpcHtlcAttempt {
  attempt_id: string;
  status: string | number;
  route: RpcRoute | null;
  attempt_time_ns: string;
  resolve_time_ns: string;
  failure: RpcFailure | null;
  preimage: Buffer;
}

export interface RpcPayment {
  payment_hash: string;
  status: string | number;
  value_msat: string;
  failure_reason: string | number;
  payment_preimage: string;
  htlcs: RpcHtlcAttempt[];
}

interface RpcGetInfo {
  identity_pubkey: string;
  alias: string;
  version: string;
  block_height: number;
  num_active_channels: number;
  testnet: boolean;
  chains: { chain: string; network: string }[];
}

interface RpcChannel {
  active: boolean;
  remote_pubkey: string;
  chan_id: string;
  capacity: string;
  local_balance: string;
  remote_balance: string;
  peer_alias: string;
}

export interface RpcRoutingPolicy {
  time_lock_delta: number;
  min_htlc: string;
  fee_base_msat: string;
  fee_rate_milli_msat: string;
  disabled: boolean;
  max_htlc_msat: string;
}

interface RpcChannelEdge {
  channel_id: string;
  node1_pub: string;
  node2_pub: string;
  capacity: string;
  node1_policy: RpcRoutingPolicy | null;
  node2_policy: RpcRoutingPolicy | null;
}

interface RpcPayReq {
  destination: string;
  payment_hash: string;
  num_msat: string;
  timestamp: string;
  expiry: string;
  description: string;
  description_hash: string;
  cltv_expiry: string;
  route_hints: {
    hop_hints: {
      node_id: string;
      chan_id: string;
      fee_base_msat: number;
      fee_proportional_millionths: number;
      cltv_expiry_delta: number;
    }[];
  }[];
  payment_addr: Buffer;
  features: Record<string, { name: string; is_required: boolean; is_known: boolean }>;
}

interface LightningService extends WrappedService {
  getInfo: Unary<Record<string, never>, RpcGetInfo>;
  listChannels: Unary<{ peer_alias_lookup: boolean }, { channels: RpcChannel[] }>;
  describeGraph: Unary<
    { include_unannounced: boolean },
    { nodes: { pub_key: string; alias: string; color?: string }[]; edges: RpcChannelEdge[] }
  >;
  decodePayReq: Unary<{ pay_req: string }, RpcPayReq>;
  queryRoutes: Unary<
    {
      pub_key: string;
      amt_msat: string;
      final_cltv_delta: number;
      fee_limit?: { fixed_msat: string };
      ignored_nodes: Buffer[];
      ignored_pairs: { from: Buffer; to: Buffer }[];
      ignored_edges: { channel_id: string; direction_reverse: boolean }[];
      outgoing_chan_ids: string[];
      last_hop_pubkey?: Buffer;
      use_mission_control: boolean;
    },
    { routes: RpcRoute[]; success_prob: number }
  >;
  listPayments: Unary<
    { include_incomplete: boolean; index_offset: string; max_payments: string },
    { payments: RpcPayment[]; last_index_offset: string }
  >;
  addInvoice: Unary<
    { value_msat: string; memo: string; expiry?: string; cltv_expiry?: string },
    { r_hash: Buffer; payment_request: string; payment_addr: Buffer }
  >;
  deletePayment: Unary<{ payment_hash: Buffer; failed_htlcs_only: boolean }, Record<string, never>>;
  lookupInvoice: Unary<{ r_hash: Buffer }, { state: string; htlcs: { state: string }[] }>;
}

interface InvoicesService extends WrappedService {
  cancelInvoice: Unary<{ payment_hash: Buffer }, Record<string, never>>;
}

interface RouterService extends WrappedService {
  sendToRouteV2: Unary<{ payment_hash: Buffer; route: RpcRouteIn; skip_temp_err: boolean }, RpcHtlcAttempt>;
  buildRoute: Unary<
    { amt_msat: string; final_cltv_delta: number; outgoing_chan_id: string; hop_pubkeys: Buffer[] },
    { route: RpcRoute | null }
  >;
  trackPaymentV2: ServerStream<{ payment_hash: Buffer; no_inflight_updates: boolean }, RpcPayment>;
  trackPayments: ServerStream<{ no_inflight_updates: boolean }, RpcPayment>;
}

interface StateService extends WrappedService {
  getState: Unary<Record<string, never>, { state: string }>;
  subscribeState: ServerStream<Record<string, never>, { state: string }>;
}

export interface Services {
  Lightning: LightningService;
  Router: RouterService;
  Invoices: InvoicesService;
  State: StateService;
}

export interface LndGrpcClient {
  /** 'ready' | 'locked' | 'active' */
  readonly state: string;
  readonly services: Services;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

interface LndGrpcOptions {
  host: string;
  cert?: string;
  macaroon: string;
  protoDir: string;
  grpcOptions: LndProtos['grpcOptions'];
  connectionOptions: Record<string, number | string>;
}

export const LndGrpc = createRequire(import.meta.url)('lnd-grpc') as new (options: LndGrpcOptions) => LndGrpcClient;

// The first contact of each attempt goes through a plain grpc-js client of the State service, failing fast (no
// waitForReady), so that an unreachable host or a wrong certificate is told apart in milliseconds; lnd-grpc's own
// connect() waits 15 s in these cases and then returns without saying why.
type StateClientConstructor = new (
  host: string,
  creds: ReturnType<typeof credentials.createSsl>,
  options?: Record<string, number | string>,
) => {
  getState(
    request: Record<string, never>,
    options: CallOptions,
    callback: (error: ServiceError | null, response?: { state: string }) => void,
  ): void;
  close(): void;
};

const stateClients = new Map<string, StateClientConstructor>();

export function stateClientConstructor(protos: LndProtos): StateClientConstructor {
  const known = stateClients.get(protos.protoDir);
  if (known) return known;
  const file = join(protos.protoDir, LND_GRPC_PROTO_VERSION, 'lnrpc', 'stateservice.proto');
  const loaded = loadPackageDefinition(loadSync(file, { ...protos.grpcOptions })) as unknown as {
    lnrpc: { State: StateClientConstructor };
  };
  stateClients.set(protos.protoDir, loaded.lnrpc.State);
  return loaded.lnrpc.State;
}
