// LND's lnrpc.Route as plain data, for route conversion in shared/ (no gRPC here). 64-bit values as bigint.

export interface LndMppRecord {
  payment_addr: string; // hex
  total_amt_msat: bigint;
}

export interface LndHop {
  chan_id: bigint;
  pub_key: string;
  amt_to_forward_msat: bigint;
  fee_msat: bigint;
  /** Absolute CLTV of the HTLC this hop sends on (for the last hop: the final CLTV). */
  expiry: number;
  mpp_record?: LndMppRecord;
}

export interface LndRoute {
  total_time_lock: number;
  total_amt_msat: bigint;
  total_fees_msat: bigint;
  hops: LndHop[];
}
