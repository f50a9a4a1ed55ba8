// The network model's vocabulary. Amounts are integer millisatoshi (bigint); heights and CLTV deltas are blocks.

export interface Policy {
  disabled: boolean;
  htlcMinMsat: bigint;
  htlcMaxMsat: bigint;
  baseFeeMsat: bigint;
  feePpm: bigint;
  cltvDelta: number;
  /** Unix seconds of the last change, as gossip's channel_update timestamp. */
  lastUpdate: number;
}

/** A channel between node1 and node2. Index 0 of each pair is the node1 side, index 1 the node2 side. */
export interface Channel {
  /** LND's uint64 short channel id: block << 40 | tx << 16 | output. */
  id: bigint;
  node1: number;
  node2: number;
  capacitySat: bigint;
  /** What each side can send, hidden from every other node. */
  balance: [bigint, bigint];
  /** Outgoing HTLCs not yet resolved, reserved from each side's balance. */
  inFlight: [bigint, bigint];
  /** policy[0] governs node1 → node2, policy[1] node2 → node1. */
  policy: [Policy, Policy];
  chanPoint: string;
}

export interface SimNode {
  index: number;
  alias: string;
  pubkey: string;
  privateKey: Uint8Array;
  color: string;
  online: boolean;
  /** Indices into Network.channels. */
  channels: number[];
}

/** BOLT 4 failure codes as LND's lnrpc.Failure.FailureCode names them. */
export type FailureCode =
  | 'INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS'
  | 'INCORRECT_PAYMENT_AMOUNT'
  | 'FINAL_INCORRECT_CLTV_EXPIRY'
  | 'FINAL_INCORRECT_HTLC_AMOUNT'
  | 'FINAL_EXPIRY_TOO_SOON'
  | 'EXPIRY_TOO_SOON'
  | 'AMOUNT_BELOW_MINIMUM'
  | 'FEE_INSUFFICIENT'
  | 'INCORRECT_CLTV_EXPIRY'
  | 'CHANNEL_DISABLED'
  | 'TEMPORARY_CHANNEL_FAILURE'
  | 'UNKNOWN_NEXT_PEER'
  | 'TEMPORARY_NODE_FAILURE'
  | 'PERMANENT_CHANNEL_FAILURE'
  | 'EXPIRY_TOO_FAR'
  | 'MPP_TIMEOUT'
  | 'INVALID_ONION_PAYLOAD'
  | 'INTERNAL_FAILURE';

export interface ChannelUpdateRef {
  chanId: bigint;
  /** 0: node1 → node2, 1: node2 → node1 (the channel_flags direction bit). */
  direction: 0 | 1;
  policy: Policy;
}

/** A failure as the sender learns it from the onion. */
export interface WireFailure {
  code: FailureCode;
  /** 0 is the sender itself; k is the node at route.hops[k-1]. */
  sourceIndex: number;
  channelUpdate?: ChannelUpdateRef;
  htlcMsat?: bigint;
  cltvExpiry?: number;
  flags?: number;
  height?: number;
}

export interface MppRecord {
  paymentAddr: Buffer;
  totalAmtMsat: bigint;
}

export interface RouteHop {
  chanId: bigint;
  pubkey: string;
  amtToForwardMsat: bigint;
  feeMsat: bigint;
  expiry: number;
  mpp?: MppRecord;
}

export interface Route {
  totalTimeLock: number;
  totalAmtMsat: bigint;
  totalFeesMsat: bigint;
  hops: RouteHop[];
}

export type HtlcOutcome = { settled: true; preimage: Buffer } | { settled: false; failure: WireFailure };

/** What a receiving node's invoice registry decides for an arriving HTLC. */
export type ExitOutcome = { settled: true; preimage: Buffer } | { settled: false; code: FailureCode };
