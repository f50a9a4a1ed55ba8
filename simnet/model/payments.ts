import type { Route, WireFailure } from './types';

export type AttemptStatus = 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';
export type PaymentStatus = 'INITIATED' | 'IN_FLIGHT' | 'SUCCEEDED' | 'FAILED';
export type FailureReason =
  | 'FAILURE_REASON_NONE'
  | 'FAILURE_REASON_TIMEOUT'
  | 'FAILURE_REASON_NO_ROUTE'
  | 'FAILURE_REASON_ERROR'
  | 'FAILURE_REASON_INCORRECT_PAYMENT_DETAILS'
  | 'FAILURE_REASON_INSUFFICIENT_BALANCE'
  | 'FAILURE_REASON_CANCELED';

export interface Attempt {
  attemptId: bigint;
  status: AttemptStatus;
  route: Route;
  attemptTimeNs: bigint;
  resolveTimeNs: bigint;
  failure?: WireFailure;
  preimage?: Buffer;
}

export interface Payment {
  hash: Buffer;
  valueMsat: bigint;
  creationTimeNs: bigint;
  paymentIndex: bigint;
  failureReason: FailureReason;
  paymentRequest: string;
  htlcs: Attempt[];
}

/** gRPC status codes LND uses for control-tower refusals. */
export const GRPC_ALREADY_EXISTS = 6;
export const GRPC_UNKNOWN = 2;
export const GRPC_NOT_FOUND = 5;

/** A refusal with LND's text (payments/db/errors.go) and the gRPC code its RPC server maps it to. */
export class PaymentError extends Error {
  constructor(
    message: string,
    readonly grpcCode: number = GRPC_UNKNOWN,
  ) {
    super(message);
  }
}

export const errors = {
  alreadyPaid: () => new PaymentError('invoice is already paid', GRPC_ALREADY_EXISTS),
  inFlight: () => new PaymentError('payment is in transition', GRPC_ALREADY_EXISTS),
  exists: () => new PaymentError('payment already exists', GRPC_ALREADY_EXISTS),
  notInitiated: () => new PaymentError("payment isn't initiated", GRPC_NOT_FOUND),
  alreadySucceeded: () => new PaymentError('payment is already succeeded'),
  alreadyFailed: () => new PaymentError('payment has already failed'),
  pendingSettled: () => new PaymentError('payment has settled htlcs'),
  pendingFailed: () => new PaymentError('payment has failure reason'),
  mpPayment: () => new PaymentError('payment has MPP attempts'),
  nonMpPayment: () => new PaymentError('payment has non-MPP attempts'),
  addrMismatch: () => new PaymentError('payment address mismatch'),
  totalMismatch: () => new PaymentError('mp payment total amount mismatch'),
  valueMismatch: () => new PaymentError("attempted value doesn't match payment amount"),
  valueExceeds: (attempted: bigint, amount: bigint) =>
    new PaymentError(
      `attempted value exceeds payment amount: attempted=${attempted} mSAT, payment amount=${amount} mSAT`,
    ),
};

/** LND 0.18+ `decidePaymentStatus`. */
export function paymentStatus(payment: Payment): PaymentStatus {
  if (payment.htlcs.some((h) => h.status === 'IN_FLIGHT')) return 'IN_FLIGHT';
  if (payment.htlcs.some((h) => h.status === 'SUCCEEDED')) return 'SUCCEEDED';
  if (payment.failureReason !== 'FAILURE_REASON_NONE') return 'FAILED';
  if (payment.htlcs.some((h) => h.status === 'FAILED')) return 'IN_FLIGHT';
  return 'INITIATED';
}

export function isTerminal(payment: Payment): boolean {
  const status = paymentStatus(payment);
  return status === 'SUCCEEDED' || status === 'FAILED';
}

/** The sum of route fees over settled HTLCs, as LND reports fee_msat. */
export function settledFees(payment: Payment): bigint {
  return payment.htlcs.reduce((sum, h) => (h.status === 'SUCCEEDED' ? sum + h.route.totalFeesMsat : sum), 0n);
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * A sending node's payment database and control tower (LND's payments/db + routing/control_tower.go): every write
 * is checked by LND's rules and then told to the subscribers, one full Payment per write.
 */
export class PaymentStore {
  private readonly payments = new Map<string, Payment>();
  private readonly subscribers = new Map<string, Set<(payment: Payment) => void>>();
  private readonly allSubscribers = new Set<(payment: Payment) => void>();
  private sequence = 0n;
  private attemptSequence = 0n;

  get(hash: Buffer): Payment | undefined {
    return this.payments.get(hash.toString('hex'));
  }

  /** In creation order (payment_index). */
  list(): Payment[] {
    return [...this.payments.values()].sort((a, b) => (a.paymentIndex < b.paymentIndex ? -1 : 1));
  }

  initPayment(hash: Buffer, valueMsat: bigint, paymentRequest = ''): Payment {
    const existing = this.get(hash);
    if (existing) {
      const status = paymentStatus(existing);
      if (status === 'INITIATED') throw errors.exists();
      if (status === 'IN_FLIGHT') throw errors.inFlight();
      if (status === 'SUCCEEDED') throw errors.alreadyPaid();
    }
    // A FAILED payment is re-initialised: its attempts and failure reason are wiped, and it gets a new index.
    this.sequence += 1n;
    const payment: Payment = {
      hash: Buffer.from(hash),
      valueMsat,
      creationTimeNs: nowNs(),
      paymentIndex: this.sequence,
      failureReason: 'FAILURE_REASON_NONE',
      paymentRequest,
      htlcs: [],
    };
    this.payments.set(hash.toString('hex'), payment);
    this.notify(payment);
    return payment;
  }

  nextAttemptId(): bigint {
    this.attemptSequence += 1n;
    return this.attemptSequence;
  }

  registerAttempt(hash: Buffer, attemptId: bigint, route: Route): Attempt {
    const payment = this.get(hash);
    if (!payment) throw errors.notInitiated();
    const status = paymentStatus(payment);
    if (status === 'SUCCEEDED') throw errors.alreadySucceeded();
    if (status === 'FAILED') throw errors.alreadyFailed();
    if (payment.htlcs.some((h) => h.status === 'SUCCEEDED')) throw errors.pendingSettled();
    if (payment.failureReason !== 'FAILURE_REASON_NONE') throw errors.pendingFailed();

    const mpp = route.hops[route.hops.length - 1]?.mpp;
    const receiverAmt = route.hops[route.hops.length - 1]?.amtToForwardMsat ?? 0n;
    for (const h of payment.htlcs) {
      if (h.status !== 'IN_FLIGHT') continue;
      const hMpp = h.route.hops[h.route.hops.length - 1]?.mpp;
      if (!mpp && hMpp) throw errors.mpPayment();
      if (mpp && !hMpp) throw errors.nonMpPayment();
      if (mpp && hMpp) {
        if (!mpp.paymentAddr.equals(hMpp.paymentAddr)) throw errors.addrMismatch();
        if (mpp.totalAmtMsat !== hMpp.totalAmtMsat) throw errors.totalMismatch();
      }
    }
    if (!mpp && receiverAmt !== payment.valueMsat) throw errors.valueMismatch();
    const sent = payment.htlcs.reduce(
      (sum, h) => (h.status === 'FAILED' ? sum : sum + (h.route.hops[h.route.hops.length - 1]?.amtToForwardMsat ?? 0n)),
      0n,
    );
    if (sent + receiverAmt > payment.valueMsat) throw errors.valueExceeds(sent + receiverAmt, payment.valueMsat);

    const attempt: Attempt = { attemptId, status: 'IN_FLIGHT', route, attemptTimeNs: nowNs(), resolveTimeNs: 0n };
    payment.htlcs.push(attempt);
    this.notify(payment);
    return attempt;
  }

  settleAttempt(hash: Buffer, attempt: Attempt, preimage: Buffer): void {
    const payment = this.mustGet(hash);
    attempt.status = 'SUCCEEDED';
    attempt.preimage = preimage;
    attempt.resolveTimeNs = nowNs();
    this.notify(payment);
  }

  failAttempt(hash: Buffer, attempt: Attempt, failure: WireFailure | undefined): void {
    const payment = this.mustGet(hash);
    attempt.status = 'FAILED';
    attempt.failure = failure;
    attempt.resolveTimeNs = nowNs();
    this.notify(payment);
  }

  failPayment(hash: Buffer, reason: FailureReason): void {
    const payment = this.mustGet(hash);
    payment.failureReason = reason;
    this.notify(payment);
  }

  /**
   * lnrpc.DeletePayment: a payment with HTLCs in flight stays (LND's `removable`); otherwise the payment goes, or
   * with `failedHtlcsOnly` only its failed attempts.
   */
  delete(hash: Buffer, failedHtlcsOnly: boolean): void {
    const payment = this.mustGet(hash);
    if (paymentStatus(payment) === 'IN_FLIGHT') {
      throw new PaymentError(
        `payment '${hash.toString('hex')}' has inflight HTLCsand therefore cannot be deleted: payment is in transition`,
      );
    }
    if (failedHtlcsOnly) payment.htlcs = payment.htlcs.filter((h) => h.status !== 'FAILED');
    else this.payments.delete(hash.toString('hex'));
  }

  /** lnrpc.DeleteAllPayments: every removable payment (only FAILED ones with `failedOnly`); the number deleted. */
  deleteAll(failedOnly: boolean, failedHtlcsOnly: boolean): number {
    let deleted = 0;
    for (const payment of this.list()) {
      const status = paymentStatus(payment);
      if (status === 'IN_FLIGHT') continue;
      if (failedOnly && status !== 'FAILED') continue;
      this.delete(payment.hash, failedHtlcsOnly);
      deleted++;
    }
    return deleted;
  }

  /** Follows one payment; the caller reads the current state itself first. */
  subscribe(hash: Buffer, listener: (payment: Payment) => void): () => void {
    const key = hash.toString('hex');
    const set = this.subscribers.get(key) ?? new Set();
    set.add(listener);
    this.subscribers.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.subscribers.delete(key);
    };
  }

  subscribeAll(listener: (payment: Payment) => void): () => void {
    this.allSubscribers.add(listener);
    return () => this.allSubscribers.delete(listener);
  }

  private mustGet(hash: Buffer): Payment {
    const payment = this.get(hash);
    if (!payment) throw errors.notInitiated();
    return payment;
  }

  private notify(payment: Payment): void {
    for (const listener of this.subscribers.get(payment.hash.toString('hex')) ?? []) listener(payment);
    for (const listener of this.allSubscribers) listener(payment);
  }
}
