import type { PartFailure, PartialPayment, Payment, Route } from '../../../shared/types';

// The ledger's arguments and results (ledger.ts re-exports them).

export interface BeginPartArgs {
  paymentHash: string;
  route: Route;
  intendedMsat: bigint;
  /** The payment's destination: the invoice's payee, or the route's last hop when there is no invoice. */
  destination: string;
  description?: string;
  /** Required for the first part of a payment (from `payment_secret` or the bolt11); later parts may omit it. */
  paymentSecret?: string;
  bolt11?: string;
  /** Unix seconds. */
  now: number;
}

export type BeginPartResult =
  /** A pending part was written; hand its HTLC to the node with `paymentSecret` (the payment's stored secret). */
  | { kind: 'created'; part: PartialPayment; payment: Payment; paymentSecret: string }
  /** The payment is already complete: nothing was written, nothing must be sent. */
  | { kind: 'complete'; payment: Payment };

export interface BeginSinglePayArgs {
  paymentHash: string;
  route: Route;
  /** When given, must equal the amount the route delivers (its last hop's msatoshi). */
  msatoshi?: bigint;
  /** Defaults to the route's last hop. */
  destination?: string;
  description?: string;
  paymentSecret?: string;
  bolt11?: string;
  now: number;
}

export type BeginSinglePayResult =
  | { kind: 'created'; part: PartialPayment; payment: Payment; paymentSecret?: string }
  | { kind: 'complete'; payment: Payment };

export type PartOutcome =
  | { status: 'complete'; preimage: string; attemptId?: bigint }
  | { status: 'failed'; failure: PartFailure; attemptId?: bigint };

export interface ResolveResult {
  part: PartialPayment;
  payment: Payment;
  /** False when the part already had this outcome (or was already complete): nothing was written. */
  changed: boolean;
}

export interface ResolveItem {
  id: number;
  outcome: PartOutcome;
}

export interface PartsFilter {
  id?: number;
  paymentHash?: string;
}
