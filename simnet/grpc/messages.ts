// The shapes of LND's request messages as @grpc/proto-loader decodes them with PROTO_OPTIONS (snake_case, 64-bit
// integers as decimal strings, enums as names, bytes as Buffers, defaults filled in). Only the fields simnet reads.

export interface MppRecordMsg {
  payment_addr: Buffer;
  total_amt_msat: string;
}

export interface HopMsg {
  chan_id: string;
  expiry: number;
  amt_to_forward: string;
  amt_to_forward_msat: string;
  fee_msat: string;
  pub_key: string;
  mpp_record: MppRecordMsg | null;
}

export interface RouteMsg {
  total_time_lock: number;
  total_amt: string;
  total_amt_msat: string;
  hops: HopMsg[];
}

export interface SendToRouteRequest {
  payment_hash: Buffer;
  route: RouteMsg | null;
  skip_temp_err: boolean;
}

export interface BuildRouteRequest {
  amt_msat: string;
  final_cltv_delta: number;
  outgoing_chan_id: string;
  hop_pubkeys: Buffer[];
  payment_addr: Buffer;
}

export interface TrackPaymentRequest {
  payment_hash: Buffer;
  no_inflight_updates: boolean;
}

export interface TrackPaymentsRequest {
  no_inflight_updates: boolean;
}

export interface FeeLimitMsg {
  fixed?: string;
  fixed_msat?: string;
  percent?: string;
  limit?: 'fixed' | 'fixed_msat' | 'percent';
}

export interface SendPaymentRequest {
  dest: Buffer;
  amt: string;
  amt_msat: string;
  payment_hash: Buffer;
  final_cltv_delta: number;
  payment_request: string;
  timeout_seconds: number;
  fee_limit_sat: string;
  fee_limit_msat: string;
  cltv_limit: number;
  last_hop_pubkey: Buffer;
  max_parts: number;
  no_inflight_updates: boolean;
  outgoing_chan_ids: string[];
  payment_addr: Buffer;
  max_shard_size_msat: string;
  amp: boolean;
  time_pref: number;
  allow_self_payment: boolean;
}

export interface NodePairMsg {
  from: Buffer;
  to: Buffer;
}

export interface QueryRoutesRequest {
  pub_key: string;
  amt: string;
  amt_msat: string;
  final_cltv_delta: number;
  fee_limit: FeeLimitMsg | null;
  ignored_nodes: Buffer[];
  ignored_edges: { channel_id: string; direction_reverse: boolean }[];
  source_pub_key: string;
  use_mission_control: boolean;
  ignored_pairs: NodePairMsg[];
  cltv_limit: number;
  last_hop_pubkey: Buffer;
  time_pref: number;
  outgoing_chan_ids: string[];
}

export interface ListChannelsRequest {
  active_only: boolean;
  inactive_only: boolean;
  public_only: boolean;
  private_only: boolean;
  peer: Buffer;
  peer_alias_lookup: boolean;
}

export interface NodeInfoRequest {
  pub_key: string;
  include_channels: boolean;
}

export interface ChanInfoRequest {
  chan_id: string;
  chan_point: string;
}

export interface PayReqString {
  pay_req: string;
}

export interface InvoiceMsg {
  memo: string;
  r_preimage: Buffer;
  value: string;
  value_msat: string;
  description_hash: Buffer;
  expiry: string;
  cltv_expiry: string;
  private: boolean;
  is_amp: boolean;
}

export interface PaymentHashMsg {
  r_hash_str: string;
  r_hash: Buffer;
}

export interface ListInvoiceRequest {
  pending_only: boolean;
  index_offset: string;
  num_max_invoices: string;
  reversed: boolean;
  creation_date_start: string;
  creation_date_end: string;
}

export interface InvoiceSubscription {
  add_index: string;
  settle_index: string;
}

export interface ListPaymentsRequest {
  include_incomplete: boolean;
  index_offset: string;
  max_payments: string;
  reversed: boolean;
  count_total_payments: boolean;
  creation_date_start: string;
  creation_date_end: string;
  omit_hops: boolean;
}
