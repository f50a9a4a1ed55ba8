// Braid's domain objects (../shared/reference/api.md "Objects"). Amounts are bigint millisatoshi inside the app;
// they become JSON numbers only at a transport's edge.

import type { FailureCode } from './failures';

export type Status = 'pending' | 'complete' | 'failed';

/** One hop of a route in c-lightning's format. */
export interface RouteHop {
  /** The node this hop reaches (66 hex). */
  id: string;
  /** Short channel id BLOCKxTXxOUTPUT of the channel used to reach it. */
  channel: string;
  direction?: 0 | 1;
  /** What arrives at `id` over `channel`: what `id` forwards plus its fee; on the last hop, what is delivered. */
  msatoshi: bigint;
  /** CLTV expiry of the HTLC arriving at `id`, in blocks above the current height. */
  delay: number;
}

export type Route = RouteHop[];

export interface PartFailure {
  /** LND's FailureCode name, e.g. TEMPORARY_CHANNEL_FAILURE, MPP_TIMEOUT; or NODE_REFUSED when LND answered with
   * an error before the HTLC left; or NEVER_SENT when the wallet stopped before handing it over (shared/failures.ts). */
  code: FailureCode;
  message: string;
  /** 0 = our own node, k = route[k-1].id. */
  erring_index?: number;
  erring_node?: string;
  erring_channel?: string;
}

export interface PartialPayment {
  id: number;
  payment_hash: string;
  status: Status;
  msatoshi: bigint;
  msatoshi_sent: bigint;
  destination: string;
  route: Route;
  created_at: number;
  completed_at?: number;
  payment_preimage?: string;
  failure?: PartFailure;
}

export interface Payment {
  payment_hash: string;
  status: Status;
  msatoshi: bigint;
  msatoshi_sent: bigint;
  destination: string;
  description?: string;
  bolt11?: string;
  created_at: number;
  completed_at?: number;
  payment_preimage?: string;
  parts: { pending: number; complete: number; failed: number };
}

export type NodeConnectionState = 'locked' | 'unlocked' | 'connecting' | 'connected' | 'lost';
