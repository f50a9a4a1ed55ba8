import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  type CallOptions,
  type Channel,
  type ClientReadableStream,
  connectivityState,
  credentials,
  loadPackageDefinition,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { LndHop, LndRoute } from '../../../shared/lnd-route';
import type { NodeConnectionState } from '../../../shared/types';
import { type LndConfig, type LndCredentials, NodeConfigError, resolveLndCredentials } from './config';
import { LND_GRPC_PROTO_VERSION, type LndProtos, lndProtos } from './protos';
import {
  type BuildRouteArgs,
  type DecodedPayReq,
  type GraphEdge,
  type GraphNode,
  type HtlcAttempt,
  type LightningNode,
  type NodeInfo,
  type NodePayment,
  NodeRefusal,
  NodeUnavailable,
  type OwnChannel,
  type QueryRoutesArgs,
} from './types';

// ---------------------------------------------------------------------------------------------------------------
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

interface RpcRoute {
  total_time_lock: number;
  total_fees_msat: string;
  total_amt_msat: string;
  hops: RpcHop[];
}

/** What is sent: 64-bit values as decimal strings, bytes as Buffers. */
interface RpcRouteIn {
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

interface RpcHtlcAttempt {
  attempt_id: string;
  status: string | number;
  route: RpcRoute | null;
  attempt_time_ns: string;
  resolve_time_ns: string;
  failure: RpcFailure | null;
  preimage: Buffer;
}

interface RpcPayment {
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

interface RpcRoutingPolicy {
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
      use_mission_control: boolean;
    },
    { routes: RpcRoute[]; success_prob: number }
  >;
  listPayments: Unary<
    { include_incomplete: boolean; index_offset: string; max_payments: string },
    { payments: RpcPayment[]; last_index_offset: string }
  >;
  addInvoice: Unary<
    { value_msat: string; memo: string; expiry?: string },
    { r_hash: Buffer; payment_request: string; payment_addr: Buffer }
  >;
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

interface Services {
  Lightning: LightningService;
  Router: RouterService;
  State: StateService;
}

interface LndGrpcClient {
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
  connectionOptions: Record<string, number>;
}

const LndGrpc = createRequire(import.meta.url)('lnd-grpc') as new (options: LndGrpcOptions) => LndGrpcClient;

// The first contact of each attempt goes through a plain grpc-js client of the State service, failing fast (no
// waitForReady), so that an unreachable host or a wrong certificate is told apart in milliseconds; lnd-grpc's own
// connect() waits 15 s in these cases and then returns without saying why.
type StateClientConstructor = new (
  host: string,
  creds: ReturnType<typeof credentials.createSsl>,
  options?: Record<string, number>,
) => {
  getState(
    request: Record<string, never>,
    options: CallOptions,
    callback: (error: ServiceError | null, response?: { state: string }) => void,
  ): void;
  close(): void;
};

const stateClients = new Map<string, StateClientConstructor>();

function stateClientConstructor(protos: LndProtos): StateClientConstructor {
  const known = stateClients.get(protos.protoDir);
  if (known) return known;
  const file = join(protos.protoDir, LND_GRPC_PROTO_VERSION, 'lnrpc', 'stateservice.proto');
  const loaded = loadPackageDefinition(loadSync(file, { ...protos.grpcOptions })) as unknown as {
    lnrpc: { State: StateClientConstructor };
  };
  stateClients.set(protos.protoDir, loaded.lnrpc.State);
  return loaded.lnrpc.State;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

export type NodeConnectReason = 'unreachable' | 'certificate' | 'macaroon' | 'locked' | 'other';

/** Why a connection to LND could not be made, in words for the UI. */
export class NodeConnectError extends Error {
  constructor(
    readonly reason: NodeConnectReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NodeConnectError';
  }
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

const CERTIFICATE_TEXT =
  /certificate|self[- ]signed|altnames|issuer|handshake|\bSSL\b|\bTLS\b|ERR_SSL|wrong version number/i;
const MACAROON_TEXT = /macaroon|verification failed|permission denied|signature mismatch/i;
const LOCKED_TEXT = /wallet locked|unlock it|waiting to start|RPC services not available/i;
const UNREACHABLE_TEXT = /EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|EPIPE|No connection established|socket/i;

/** grpc-js wraps the cause: "No connection established. Last error: Error: <cause>. Resolution note: ". */
function cause(text: string): string {
  const match = /Last error: (?:Error: )?(.*?)\.?(?: Resolution note:.*)?$/s.exec(text);
  return (match?.[1] ?? text).trim();
}

/** Turns whatever a connection attempt threw into a NodeConnectError naming the cause, in words for the UI. */
export function toConnectError(error: unknown, host: string): NodeConnectError {
  if (error instanceof NodeConnectError) return error;
  if (error instanceof NodeConfigError) {
    const reason = error.field === 'cert' ? 'certificate' : error.field === 'macaroon' ? 'macaroon' : 'other';
    return new NodeConnectError(reason, error.message, { cause: error });
  }
  const raw = isServiceError(error)
    ? error.details || error.message
    : error instanceof Error
      ? error.message
      : String(error);
  const text = cause(raw);
  const code = isServiceError(error) ? error.code : undefined;
  const fail = (reason: NodeConnectReason, message: string) => new NodeConnectError(reason, message, { cause: error });
  if (MACAROON_TEXT.test(text) && code !== status.UNAVAILABLE) {
    return fail('macaroon', `LND at ${host} refused the macaroon (${text})`);
  }
  if (LOCKED_TEXT.test(text)) return fail('locked', `the wallet of LND at ${host} is locked (${text})`);
  if (/altnames/i.test(text)) {
    return fail(
      'certificate',
      `the TLS certificate of LND is not valid for ${host}: connect by a name or address it lists, or add this one ` +
        `to LND (tlsextraip / tlsextradomain) and renew its certificate (${text})`,
    );
  }
  if (CERTIFICATE_TEXT.test(text)) {
    return fail('certificate', `TLS handshake with ${host} failed: is this LND's tls.cert? (${text})`);
  }
  if (/ECONNREFUSED/.test(text)) {
    return fail(
      'unreachable',
      `cannot reach LND at ${host}: connection refused (is LND running, is the port its gRPC port?)`,
    );
  }
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed|not accessible/i.test(text)) {
    return fail('unreachable', `cannot reach LND at ${host}: host name not found (${text})`);
  }
  if (code === status.DEADLINE_EXCEEDED || /deadline|timeout|timed out/i.test(text)) {
    return fail('unreachable', `cannot reach LND at ${host}: no answer in time (${text})`);
  }
  if (code === status.UNAVAILABLE || UNREACHABLE_TEXT.test(text)) {
    return fail('unreachable', `cannot reach LND at ${host} (${text})`);
  }
  return fail('other', `cannot connect to LND at ${host} (${text})`);
}

/** A status that says the connection failed rather than LND answered. */
function isTransportFailure(error: ServiceError): boolean {
  switch (error.code) {
    case status.UNAVAILABLE:
    case status.CANCELLED:
    case status.DEADLINE_EXCEEDED:
      return true;
    case status.INTERNAL:
      // grpc-js's own words for a stream cut by the transport; LND's INTERNAL answers are not like these.
      return /RST_STREAM|Protocol error|Connection dropped|connection closed|stream closed|Received HTTP status/i.test(
        error.details,
      );
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------------------------

const HASH_HEX = /^[0-9a-f]{64}$/i;

function hexBytes(value: string, what: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw new TypeError(`${what}: not hex: ${JSON.stringify(value)}`);
  return Buffer.from(value, 'hex');
}

const big = (value: string | undefined): bigint => BigInt(value || '0');

export function toRpcRoute(route: LndRoute): RpcRouteIn {
  return {
    total_time_lock: route.total_time_lock,
    total_fees_msat: route.total_fees_msat.toString(),
    total_amt_msat: route.total_amt_msat.toString(),
    hops: route.hops.map((hop) => ({
      chan_id: hop.chan_id.toString(),
      pub_key: hop.pub_key,
      amt_to_forward_msat: hop.amt_to_forward_msat.toString(),
      fee_msat: hop.fee_msat.toString(),
      expiry: hop.expiry,
      ...(hop.mpp_record && {
        mpp_record: {
          payment_addr: hexBytes(hop.mpp_record.payment_addr, 'mpp_record.payment_addr'),
          total_amt_msat: hop.mpp_record.total_amt_msat.toString(),
        },
      }),
    })),
  };
}

export function fromRpcRoute(route: RpcRoute): LndRoute {
  return {
    total_time_lock: route.total_time_lock,
    total_amt_msat: big(route.total_amt_msat),
    total_fees_msat: big(route.total_fees_msat),
    hops: route.hops.map((hop) => {
      const out: LndHop = {
        chan_id: big(hop.chan_id),
        pub_key: hop.pub_key,
        amt_to_forward_msat: big(hop.amt_to_forward_msat),
        fee_msat: big(hop.fee_msat),
        expiry: hop.expiry,
      };
      const mpp = hop.mpp_record;
      if (mpp && (mpp.payment_addr.length > 0 || big(mpp.total_amt_msat) !== 0n)) {
        out.mpp_record = {
          payment_addr: Buffer.from(mpp.payment_addr).toString('hex'),
          total_amt_msat: big(mpp.total_amt_msat),
        };
      }
      return out;
    }),
  };
}

const HTLC_STATUS = ['IN_FLIGHT', 'SUCCEEDED', 'FAILED'] as const;
const PAYMENT_STATUS: Record<string, NodePayment['status']> = {
  // UNKNOWN (0) is "not initiated" in LND ≤ 0.17 and never sent by 0.18+.
  UNKNOWN: 'INITIATED',
  IN_FLIGHT: 'IN_FLIGHT',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  INITIATED: 'INITIATED',
  '0': 'INITIATED',
  '1': 'IN_FLIGHT',
  '2': 'SUCCEEDED',
  '3': 'FAILED',
  '4': 'INITIATED',
};

function htlcStatus(value: string | number): HtlcAttempt['status'] {
  if (typeof value === 'number') return HTLC_STATUS[value] ?? 'IN_FLIGHT';
  return (HTLC_STATUS as readonly string[]).includes(value) ? (value as HtlcAttempt['status']) : 'IN_FLIGHT';
}

export function fromRpcAttempt(attempt: RpcHtlcAttempt): HtlcAttempt {
  const out: HtlcAttempt = {
    attempt_id: big(attempt.attempt_id),
    status: htlcStatus(attempt.status),
    route: attempt.route
      ? fromRpcRoute(attempt.route)
      : { total_time_lock: 0, total_amt_msat: 0n, total_fees_msat: 0n, hops: [] },
    attempt_time_ns: big(attempt.attempt_time_ns),
    resolve_time_ns: big(attempt.resolve_time_ns),
  };
  if (attempt.failure && out.status === 'FAILED') {
    out.failure = { code: String(attempt.failure.code), failure_source_index: attempt.failure.failure_source_index };
  }
  if (attempt.preimage && attempt.preimage.length > 0) out.preimage = Buffer.from(attempt.preimage).toString('hex');
  return out;
}

export function fromRpcPayment(payment: RpcPayment): NodePayment {
  return {
    payment_hash: payment.payment_hash,
    status: PAYMENT_STATUS[String(payment.status)] ?? 'IN_FLIGHT',
    value_msat: big(payment.value_msat),
    failure_reason: String(payment.failure_reason),
    payment_preimage: payment.payment_preimage,
    htlcs: payment.htlcs.map(fromRpcAttempt),
  };
}

const msatOfSat = (sat: string) => big(sat) * 1000n;

function fromRpcPolicy(policy: RpcRoutingPolicy | null): GraphEdge['policy1'] {
  if (!policy) return undefined;
  return {
    disabled: policy.disabled,
    fee_base_msat: big(policy.fee_base_msat),
    fee_ppm: big(policy.fee_rate_milli_msat),
    cltv_delta: policy.time_lock_delta,
    min_htlc_msat: big(policy.min_htlc),
    max_htlc_msat: big(policy.max_htlc_msat),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The node
// ---------------------------------------------------------------------------------------------------------------

export interface LndNodeOptions {
  /** True for the embedded simulated network (getInfo reports it). */
  simulated?: boolean;
  /** Protos already laid out (Electron: an extra resource); default: laid out once in the temp folder. */
  protoDir?: string;
  /** How long the first contact of a connection attempt may take (default 10 s). */
  connectTimeoutMs?: number;
  /** Deadline of the calls that do not block on the network (default 60 s; describeGraph gets 5 min). */
  callTimeoutMs?: number;
  /** Reconnection backoff: first delay, doubling up to the maximum, jittered (default 250 ms to 10 s). */
  backoff?: { initialMs: number; maxMs: number };
}

/** An invoice of this node, for tests and `testinvoice`. */
export interface NodeInvoice {
  bolt11: string;
  payment_hash: string;
  payment_secret: string;
}

interface Session {
  client: LndGrpcClient;
  services: Services;
  closed: boolean;
  stateStream?: ClientReadableStream<{ state: string }>;
  stateTimer?: NodeJS.Timeout;
}

interface Subscription {
  listener: (payment: NodePayment) => void;
  active: boolean;
  stream?: ClientReadableStream<RpcPayment>;
  timer?: NodeJS.Timeout;
  failures: number;
}

const LOCKED_STATES = new Set(['NON_EXISTING', 'LOCKED']);
const STARTING_STATES = new Set(['UNLOCKED', 'WAITING_TO_START']);
const PAYMENTS_PAGE = 10_000n;

/**
 * An LND node over lnd-grpc (LND's current protos, 64-bit values exact). Keeps its connection: a lost connection
 * is retried with backoff until disconnect(), and trackPayments subscriptions are reopened on the new one.
 */
export class LndNode implements LightningNode {
  private current: NodeConnectionState = 'connecting';
  private readonly stateListeners = new Set<(state: NodeConnectionState) => void>();
  private readonly subscriptions = new Set<Subscription>();
  private session: Session | undefined;
  /** Bumped by connect() and disconnect(): work begun under an older run stops. */
  private run = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Pauses and first-contact clients of connection attempts, ended by disconnect(). */
  private readonly pending = new Set<() => void>();
  private readonly protos: LndProtos;
  private host: string;
  private error: NodeConnectError | undefined;

  constructor(
    private readonly config: LndConfig,
    private readonly options: LndNodeOptions = {},
  ) {
    this.protos = lndProtos({ protoDir: options.protoDir });
    this.host = config.kind === 'lnd' ? config.host : 'lndconnect';
  }

  get state(): NodeConnectionState {
    return this.current;
  }

  /** Why the last connection attempt failed (cleared once connected). */
  get lastError(): NodeConnectError | undefined {
    return this.error;
  }

  onState(listener: (state: NodeConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  private setState(state: NodeConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of [...this.stateListeners]) {
      try {
        listener(state);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  // --- connection ---

  /**
   * Connects, or throws a NodeConnectError. With a locked wallet it throws (reason 'locked') but keeps watching:
   * the state goes 'locked' → 'connected' once the wallet is unlocked. Other failures end the attempt.
   */
  async connect(): Promise<void> {
    const run = ++this.run;
    this.clearReconnect();
    await this.closeSession();
    if (run !== this.run) throw new NodeConnectError('other', 'connect() was superseded');
    this.setState('connecting');
    try {
      await this.attempt(run);
    } catch (error) {
      const failure = toConnectError(error, this.host);
      if (run === this.run) {
        this.error = failure;
        if (failure.reason === 'locked') {
          this.setState('locked');
          this.scheduleReconnect(run, 0);
        } else {
          this.run++;
          this.setState('lost');
        }
      }
      throw failure;
    }
  }

  async disconnect(): Promise<void> {
    this.run++;
    this.clearReconnect();
    await this.closeSession();
    this.setState('lost');
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const end of [...this.pending]) end();
  }

  /** A pause within a connection attempt; cut short (the attempt then sees it was superseded) by disconnect(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.pending.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.pending.add(end);
    });
  }

  private backoff(failures: number): number {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 250, maxMs: 10_000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  private scheduleReconnect(run: number, failures: number): void {
    this.clearReconnect();
    // A locked wallet is polled often: the user is about to unlock it.
    const delay = this.current === 'locked' ? Math.min(this.backoff(failures), 1000) : this.backoff(failures);
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = undefined;
      if (run !== this.run) return;
      try {
        await this.attempt(run);
      } catch (error) {
        if (run !== this.run) return;
        this.error = toConnectError(error, this.host);
        this.setState(this.error.reason === 'locked' ? 'locked' : 'lost');
        this.scheduleReconnect(run, failures + 1);
      }
    }, delay);
  }

  private superseded(): NodeConnectError {
    return new NodeConnectError('other', 'the connection attempt was cancelled');
  }

  /** One connection attempt: first contact, wallet state, then lnd-grpc. */
  private async attempt(run: number): Promise<void> {
    const creds = resolveLndCredentials(this.config);
    this.host = creds.host;
    let walletState = await this.probeState(creds);
    if (run !== this.run) throw this.superseded();
    if (LOCKED_STATES.has(walletState)) {
      this.setState('locked');
      throw new NodeConnectError(
        'locked',
        `the wallet of LND at ${creds.host} is ${walletState === 'LOCKED' ? 'locked: unlock it (lncli unlock)' : 'not created yet (lncli create)'}`,
      );
    }
    if (STARTING_STATES.has(walletState)) {
      this.setState('unlocked');
      const until = Date.now() + 60_000;
      while (STARTING_STATES.has(walletState) && Date.now() < until) {
        await this.pause(400);
        if (run !== this.run) throw this.superseded();
        walletState = await this.probeState(creds);
      }
      if (STARTING_STATES.has(walletState) || LOCKED_STATES.has(walletState)) {
        throw new NodeConnectError('other', `LND at ${creds.host} is still starting (${walletState})`);
      }
    }

    const client = new LndGrpc({
      host: creds.host,
      cert: creds.certPem,
      macaroon: creds.macaroonHex,
      protoDir: this.protos.protoDir,
      grpcOptions: { ...this.protos.grpcOptions, includeDirs: [...this.protos.grpcOptions.includeDirs] },
      connectionOptions: {
        // Detect a dead TCP connection (LND accepts pings every 5 s or more).
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 20_000,
        // A channel never goes idle by itself: leaving READY always means the connection was lost.
        'grpc.client_idle_timeout_ms': 2_147_483_647,
      },
    });
    try {
      await client.connect();
    } catch (error) {
      await client.disconnect().catch(() => {});
      throw error;
    }
    if (run !== this.run) {
      await client.disconnect().catch(() => {});
      throw this.superseded();
    }
    if (client.state !== 'active') {
      await client.disconnect().catch(() => {});
      if (client.state === 'locked')
        throw new NodeConnectError('locked', `the wallet of LND at ${creds.host} is locked`);
      throw new NodeConnectError(
        'unreachable',
        `LND at ${creds.host} did not become active (lnd-grpc: ${client.state})`,
      );
    }
    this.open(client);
  }

  /** State.GetState through a fail-fast client: the wallet state, or the reason LND cannot be reached. */
  private probeState(creds: LndCredentials): Promise<string> {
    const State = stateClientConstructor(this.protos);
    const client = new State(creds.host, credentials.createSsl(creds.certPem ? Buffer.from(creds.certPem) : null));
    const timeout = this.options.connectTimeoutMs ?? 10_000;
    // disconnect() closes it, which ends the call at once.
    const end = () => {
      this.pending.delete(end);
      client.close();
    };
    this.pending.add(end);
    return new Promise<string>((resolve, reject) => {
      client.getState({}, { deadline: Date.now() + timeout }, (error, response) => {
        end();
        if (!error) resolve(response?.state ?? 'SERVER_ACTIVE');
        // An LND older than 0.13 has no State service: lnd-grpc finds out the rest.
        else if (error.code === status.UNIMPLEMENTED) resolve('SERVER_ACTIVE');
        else reject(toConnectError(error, creds.host));
      });
    });
  }

  private open(client: LndGrpcClient): void {
    const session: Session = { client, services: client.services, closed: false };
    this.session = session;
    this.error = undefined;
    this.watchChannel(session);
    this.watchWalletState(session, 0);
    this.setState('connected');
    for (const subscription of this.subscriptions) this.openSubscription(subscription, session);
  }

  /** Leaving READY means the transport went away (LND stopped, network cut, keepalive timed out). */
  private watchChannel(session: Session): void {
    const channel = session.services.Lightning.service?.getChannel();
    if (!channel) return;
    const watch = (from: connectivityState) => {
      channel.watchConnectivityState(from, Number.POSITIVE_INFINITY, () => {
        if (session.closed) return;
        const now = channel.getConnectivityState(false);
        if (now !== connectivityState.READY) this.lose(session);
        else watch(now);
      });
    };
    const now = channel.getConnectivityState(true);
    if (now === connectivityState.READY) watch(now);
    else this.lose(session);
  }

  /**
   * State.SubscribeState: a wallet reported locked means LND restarted and waits for its password. The stream ending
   * (a proxy's timeout, say) is not a loss by itself: it is reopened after a check that LND answers.
   */
  private watchWalletState(session: Session, failures: number): void {
    if (session.closed) return;
    const stream = session.services.State.subscribeState({});
    session.stateStream = stream;
    stream.on('data', ({ state }) => {
      failures = 0;
      if (LOCKED_STATES.has(state) && !session.closed) {
        this.lose(session);
        this.setState('locked');
      }
    });
    const ended = () => {
      if (session.stateStream !== stream || session.closed) return;
      session.stateStream = undefined;
      session.services.State.getState({}, { deadline: Date.now() + 5_000 }).then(
        () => {
          if (session.closed) return;
          session.stateTimer = setTimeout(() => {
            session.stateTimer = undefined;
            this.watchWalletState(session, failures + 1);
          }, this.backoff(failures));
        },
        () => this.lose(session),
      );
    };
    stream.on('error', ended);
    stream.on('end', ended);
  }

  /** The connection is gone: say so, and reconnect with backoff. */
  private lose(session: Session): void {
    if (session.closed || this.session !== session) return;
    void this.closeSession();
    this.setState('lost');
    this.scheduleReconnect(this.run, 0);
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    for (const subscription of this.subscriptions) this.closeSubscriptionStream(subscription);
    if (!session || session.closed) return;
    session.closed = true;
    if (session.stateTimer) clearTimeout(session.stateTimer);
    const stream = session.stateStream;
    session.stateStream = undefined;
    stream?.cancel();
    await session.client.disconnect().catch(() => {});
  }

  // --- calls ---

  private services(): Services {
    if (!this.session) throw new NodeUnavailable(`not connected to LND at ${this.host} (${this.current})`);
    return this.session.services;
  }

  private deadline(ms = this.options.callTimeoutMs ?? 60_000): CallOptions {
    return { deadline: Date.now() + ms };
  }

  /** A gRPC failure as the interface reports it: LND's answer (NodeRefusal) or a cut connection (NodeUnavailable). */
  private callError(error: unknown): Error {
    if (!isServiceError(error)) return error instanceof Error ? error : new Error(String(error));
    if (isTransportFailure(error)) {
      return new NodeUnavailable(`connection to LND at ${this.host} failed: ${error.details || error.message}`);
    }
    return new NodeRefusal(error.details || error.message, error.code);
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
          use_mission_control: true,
        },
        this.deadline(),
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
    if (!HASH_HEX.test(paymentHash)) throw new TypeError(`payment hash: not 32 bytes of hex: ${paymentHash}`);
    const request = {
      payment_hash: Buffer.from(paymentHash, 'hex'),
      route: toRpcRoute(route),
      skip_temp_err: skipTempErr,
    };
    // No deadline: the call returns when the HTLC resolves, however long that takes (lnd-behaviour.md §1).
    const attempt = await this.call((s) => s.Router.sendToRouteV2(request));
    return fromRpcAttempt(attempt);
  }

  async lookupPayment(paymentHash: string): Promise<NodePayment | undefined> {
    if (!HASH_HEX.test(paymentHash)) throw new TypeError(`payment hash: not 32 bytes of hex: ${paymentHash}`);
    const services = this.services();
    return new Promise<NodePayment | undefined>((resolve, reject) => {
      let settled = false;
      const stream = services.Router.trackPaymentV2(
        { payment_hash: Buffer.from(paymentHash, 'hex'), no_inflight_updates: false },
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
    const subscription: Subscription = { listener, active: true, failures: 0 };
    this.subscriptions.add(subscription);
    if (this.session) this.openSubscription(subscription, this.session);
    return () => {
      subscription.active = false;
      this.subscriptions.delete(subscription);
      this.closeSubscriptionStream(subscription);
    };
  }

  private openSubscription(subscription: Subscription, session: Session): void {
    this.closeSubscriptionStream(subscription);
    if (!subscription.active || session.closed) return;
    const stream = session.services.Router.trackPayments({ no_inflight_updates: false });
    subscription.stream = stream;
    stream.on('data', (payment: RpcPayment) => {
      if (subscription.stream !== stream) return;
      subscription.failures = 0;
      try {
        subscription.listener(fromRpcPayment(payment));
      } catch {
        // A listener's failure is its own.
      }
    });
    // TrackPayments never ends by itself: reopen it, with backoff, while the connection holds. A lost connection
    // closes every stream and the next connection reopens them.
    const ended = () => {
      if (subscription.stream !== stream) return;
      subscription.stream = undefined;
      if (!subscription.active || session.closed || this.session !== session) return;
      subscription.timer = setTimeout(
        () => {
          subscription.timer = undefined;
          if (this.session === session) this.openSubscription(subscription, session);
        },
        this.backoff(subscription.failures++),
      );
    };
    stream.on('error', ended);
    stream.on('end', ended);
  }

  private closeSubscriptionStream(subscription: Subscription): void {
    if (subscription.timer) clearTimeout(subscription.timer);
    subscription.timer = undefined;
    const stream = subscription.stream;
    subscription.stream = undefined;
    stream?.cancel();
  }

  // --- beyond the interface ---

  /** A new invoice of this node (the `testinvoice` command; tests). */
  async addInvoice(amountMsat: bigint, memo: string, expirySeconds?: number): Promise<NodeInvoice> {
    const invoice = await this.call((s) =>
      s.Lightning.addInvoice(
        {
          value_msat: amountMsat.toString(),
          memo,
          ...(expirySeconds !== undefined && { expiry: String(expirySeconds) }),
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

export { NodeRefusal, NodeUnavailable };
