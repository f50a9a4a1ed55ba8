import type { LndHop, LndRoute } from '../../../shared/lnd-route';
import type { RpcHtlcAttempt, RpcPayment, RpcRoute, RpcRouteIn, RpcRoutingPolicy } from './lnd-rpc';
import type { GraphEdge, HtlcAttempt, NodePayment } from './types';

// Message conversion between LND's wire form (64-bit values as decimal strings, bytes as Buffers) and ours (bigint,
// hex).

const HASH_HEX = /^[0-9a-f]{64}$/i;

/** A payment hash as LND takes it: 32 bytes. */
export function paymentHashBytes(paymentHash: string): Buffer {
  if (!HASH_HEX.test(paymentHash)) throw new TypeError(`payment hash: not 32 bytes of hex: ${paymentHash}`);
  return Buffer.from(paymentHash, 'hex');
}

export function hexBytes(value: string, what: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw new TypeError(`${what}: not hex: ${JSON.stringify(value)}`);
  return Buffer.from(value, 'hex');
}

export const big = (value: string | undefined): bigint => BigInt(value || '0');

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

export const msatOfSat = (sat: string) => big(sat) * 1000n;

export function fromRpcPolicy(policy: RpcRoutingPolicy | null): GraphEdge['policy1'] {
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

export const isTerminal = (payment: NodePayment) => payment.status === 'SUCCEEDED' || payment.status === 'FAILED';
