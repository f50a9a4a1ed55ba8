// Result types of the commands (docs/commands.md). Amounts are bigint (JSON numbers on the wire).

import type { PartialPayment, Payment, Route } from '../types';
import type { EventName } from './events';

export interface ListPartialPaymentsResult {
  /** Ascending `id`. */
  partialpayments: PartialPayment[];
}

export interface ListPaymentsResult {
  /** Oldest first. */
  payments: Payment[];
}

export interface GetInfoResult {
  id: string;
  alias: string;
  network: string;
  blockheight: number;
  num_active_channels: number;
  /** True on the embedded simulated network. */
  simulated: boolean;
  /** The node's version. */
  version: string;
}

export interface ChannelInfo {
  /** Short channel id BLOCKxTXxOUTPUT. */
  channel: string;
  peer_id: string;
  peer_alias?: string;
  capacity_msatoshi: bigint;
  local_msatoshi: bigint;
  remote_msatoshi: bigint;
  active: boolean;
}

export interface ListChannelsResult {
  channels: ChannelInfo[];
}

/** One hop of an invoice's route hint (BOLT11 `r` field), c-lightning's names. */
export interface RouteHintHop {
  pubkey: string;
  short_channel_id: string;
  fee_base_msat: number;
  fee_proportional_millionths: number;
  cltv_expiry_delta: number;
}

export interface DecodePayResult {
  payment_hash: string;
  payment_secret?: string;
  /** Absent for an amountless invoice. */
  msatoshi?: bigint;
  destination: string;
  description?: string;
  description_hash?: string;
  created_at: number;
  /** Seconds after created_at. */
  expiry: number;
  min_final_cltv_expiry: number;
  features: { mpp: boolean };
  route_hints: RouteHintHop[][];
}

export interface RouteCandidate {
  route: Route;
  fee_msatoshi: bigint;
  /** route[0].delay: CLTV blocks of the HTLC we send. */
  delay: number;
  /** Estimated probability of success, 0 to 1. */
  probability: number;
}

export interface GetRoutesResult {
  routes: RouteCandidate[];
}

export interface BuildRouteResult {
  route: Route;
}

export interface SplitPart {
  route: Route;
  /** Delivered by this part. */
  msatoshi: bigint;
  fee_msatoshi: bigint;
  probability: number;
}

export interface SplitPayResult {
  parts: SplitPart[];
  fee_msatoshi: bigint;
  /** Estimated probability that all parts succeed. */
  probability: number;
}

export interface ExportPaymentsResult {
  /** The file written. */
  path: string;
  /** How many payments and partial payments were written. */
  payments: number;
  partialpayments: number;
}

export interface TestInvoiceResult {
  bolt11: string;
  merchant: string;
}

export interface SubscriptionResult {
  /** The events now subscribed to, after the call. */
  events: EventName[];
}

export interface StopPayResult {
  payment_hash: string;
  /** False when no pay loop was running for that hash. */
  stopped: boolean;
  /** Parts of the payment still in flight: they resolve as the network decides. */
  pending_parts: number;
}

export interface NodeAlias {
  id: string;
  /** The node's alias from the graph; empty when it announced none. */
  alias: string;
  /** `#rrggbb`; empty when unknown. */
  color: string;
}

export interface ListNodesResult {
  nodes: NodeAlias[];
}

export interface CheckedPart {
  /** The planner's probability of this part alone. */
  probability: number;
  fee_msatoshi: bigint;
}

/** A channel asked (by all the parts together) for more than it can send. */
export interface OverdrawnChannel {
  /** Short channel id BLOCKxTXxOUTPUT. */
  channel: string;
  /** The node that sends over it. */
  from: string;
  asked_msatoshi: bigint;
  /** Our channels: the balance we can send now; others: the most the planner believes they hold. */
  available_msatoshi: bigint;
}

export interface CheckPlanResult {
  /** Probability that all the parts succeed, parts sharing a channel counted together. */
  probability: number;
  fee_msatoshi: bigint;
  /** In the order given. */
  parts: CheckedPart[];
  overdrawn: OverdrawnChannel[];
}

/** One parameter of a command, as `help <command>` describes it. */
export interface HelpParam {
  name: string;
  /** 0-based place when params are given by position. */
  position: number;
  type: string;
  required: boolean;
  /** What applies when it is left out, if anything. */
  default?: string;
  description: string;
}

/** One command in `help`'s answer; `help <command>` adds its parameters, result and errors. */
export interface HelpEntry {
  /** The usage line, c-lightning style: `pay bolt11 [msatoshi] …`. */
  command: string;
  summary: string;
  description?: string;
  params?: HelpParam[];
  result?: string;
  errors?: { code: number; when: string }[];
}

export interface HelpResult {
  help: HelpEntry[];
}

/** Where an export named by its `job` stands. `unknown`: no such export (or it ended long ago). */
export interface ExportProgressResult {
  job: string;
  state: 'running' | 'done' | 'cancelled' | 'failed' | 'unknown';
  /** Payments looked at, of `total` (those the status and dates let through); `payments` of them written. */
  scanned: number;
  total: number;
  payments: number;
}

export interface CancelExportResult {
  job: string;
  /** False when no export of that name was running. */
  cancelled: boolean;
}
