import { type ExitHandler, forwardHtlc } from './forward';
import { terminalReason } from './interpret';
import type { MissionControl } from './mission';
import type { Network } from './network';
import { DEFAULT_CLTV_LIMIT, findRoute, isNoRoute } from './pathfind';
import {
  type Attempt,
  type FailureReason,
  type Payment,
  PaymentError,
  type PaymentStore,
  paymentStatus,
} from './payments';
import type { HtlcOutcome, Route } from './types';

/**
 * LND's SendPaymentV2 (routing/payment_lifecycle.go `resumePayment`, payment_session.go `RequestRoute`,
 * router_backend.go `extractIntentFromSendRequest`): LND's own splitter, kept as the baseline to compare with.
 */

/** routerrpc.DefaultMaxParts. */
export const DEFAULT_MAX_PARTS = 16;
/** routerrpc.MaxPartsUpperLimit, enforced when max_shard_size_msat is set. */
export const MAX_PARTS_UPPER_LIMIT = 1000;
/** DefaultShardMinAmt: no shard below 10,000 sat. */
export const SHARD_MIN_AMT_MSAT = 10_000_000n;
/** routing.BlockPadding, added to the final CLTV delta. */
export const BLOCK_PADDING = 3;

/** What the lifecycle needs of a node's daemon; SimLnd has all of it once its exit handler is readable. */
export interface Payer {
  readonly net: Network;
  readonly node: { readonly index: number };
  readonly payments: PaymentStore;
  readonly mission: MissionControl;
  readonly exit: ExitHandler;
}

export interface SendPaymentRequest {
  dest: number;
  amtMsat: bigint;
  paymentHash: Buffer;
  paymentAddr?: Buffer;
  finalCltvDelta: number;
  /** 0: only routes without fees, as in LND. */
  feeLimitMsat: bigint;
  /** 0: DEFAULT_MAX_PARTS. */
  maxParts: number;
  /** 0: no limit. */
  maxShardSizeMsat: bigint;
  /** 0 or less: no timeout (the gRPC layer insists on one). */
  timeoutSeconds: number;
  outgoingChanIds: bigint[];
  lastHopPubkey?: string;
  /** 0: LND's MaxTotalTimelock, 2016. */
  cltvLimit: number;
  paymentRequest?: string;
  /** The destination supports MPP (its invoice has the feature). */
  mpp: boolean;
  /** time_pref. */
  timePref?: number;
  /** allow_self_payment: the destination may be our own node (a circular payment, e.g. a rebalance). */
  allowSelfPayment?: boolean;
}

export interface StartedPayment {
  payment: Payment;
  /** Resolves when the lifecycle ends: the payment succeeded or failed and no HTLC is left in flight. */
  done: Promise<void>;
}

/** Validates, initialises the payment and runs its lifecycle in the background. */
export function startPayment(payer: Payer, req: SendPaymentRequest): StartedPayment {
  const intent = validate(payer, req);
  const payment = payer.payments.initPayment(req.paymentHash, req.amtMsat, req.paymentRequest ?? '');
  const done = runLifecycle(payer, req, intent).catch(() => {
    // Only an inconsistent payment store gets here; LND's exitWithErr leaves the payment as it is, too.
  });
  return { payment, done };
}

/** SendPaymentV2: resolves when the payment is settled or failed; follow it with `payer.payments.subscribe`. */
export async function sendPayment(payer: Payer, req: SendPaymentRequest): Promise<void> {
  await startPayment(payer, req).done;
}

interface Intent {
  maxParts: number;
  maxShard: bigint | undefined;
  cltvLimit: number;
  lastHop: number | undefined;
}

function validate(payer: Payer, req: SendPaymentRequest): Intent {
  if (req.paymentHash.length !== 32) {
    throw new PaymentError(`invalid hash length of ${req.paymentHash.length}, want 32`);
  }
  if (req.timePref !== undefined && Math.abs(req.timePref) > 1) throw new PaymentError('time preference out of range');
  let lastHop: number | undefined;
  if (req.lastHopPubkey) {
    const node = payer.net.nodeByPubkey(req.lastHopPubkey);
    // An unknown last hop cannot be on any path; -1 matches no node.
    lastHop = node ? node.index : -1;
  }
  if (req.cltvLimit > DEFAULT_CLTV_LIMIT) {
    throw new PaymentError(`total time lock of ${req.cltvLimit} exceeds max allowed ${DEFAULT_CLTV_LIMIT}`);
  }
  const cltvLimit = req.cltvLimit === 0 ? DEFAULT_CLTV_LIMIT : req.cltvLimit;
  let maxParts = req.maxParts === 0 ? DEFAULT_MAX_PARTS : req.maxParts;
  const maxShard = req.maxShardSizeMsat > 0n ? req.maxShardSizeMsat : undefined;
  if (maxShard !== undefined && maxParts > MAX_PARTS_UPPER_LIMIT) {
    throw new PaymentError(
      `requested max_parts (${maxParts}) exceeds the allowed upper limit of ${MAX_PARTS_UPPER_LIMIT}; ` +
        `cannot send payment amount with max_shard_size_msat=${maxShard} mSAT`,
    );
  }
  if (req.amtMsat <= 0n) throw new PaymentError('amount must be specified');
  // An invoice without the MPP feature allows a single shard.
  if (!req.mpp) maxParts = 1;
  if (maxShard !== undefined) {
    const maxPossible = maxShard * BigInt(maxParts);
    if (req.amtMsat > maxPossible) {
      throw new PaymentError(
        `payment amount ${req.amtMsat} mSAT exceeds maximum possible amount ${maxPossible} mSAT with ` +
          `max_parts=${maxParts} and max_shard_size_msat=${maxShard} mSAT`,
      );
    }
  }
  if (cltvLimit <= req.finalCltvDelta + BLOCK_PADDING) {
    throw new PaymentError(`cltv limit ${cltvLimit} should be greater than ${req.finalCltvDelta + BLOCK_PADDING}`);
  }
  if (req.dest === payer.node.index && !req.allowSelfPayment) throw new PaymentError('self-payments not allowed');
  return { maxParts, maxShard, cltvLimit, lastHop };
}

interface Result {
  attempt: Attempt;
  outcome: HtlcOutcome;
}

/** MPPaymentState: what is left to send, the fees of live shards, and the shards in flight. */
function paymentState(payment: Payment) {
  let sent = 0n;
  let fees = 0n;
  let inFlight = 0;
  let hasSettled = false;
  for (const h of payment.htlcs) {
    if (h.status === 'FAILED') continue;
    sent += h.route.hops[h.route.hops.length - 1]?.amtToForwardMsat ?? 0n;
    fees += h.route.totalFeesMsat;
    if (h.status === 'IN_FLIGHT') inFlight++;
    else hasSettled = true;
  }
  return { remaining: payment.valueMsat - sent, fees, inFlight, hasSettled };
}

async function runLifecycle(payer: Payer, req: SendPaymentRequest, intent: Intent): Promise<void> {
  const { net, payments } = payer;
  const source = payer.node.index;
  const hash = req.paymentHash;
  const deadline = req.timeoutSeconds > 0 ? net.scheduler.now() + req.timeoutSeconds * 1000 : Number.POSITIVE_INFINITY;

  // Results wait here until the lifecycle has nothing else to do, as on LND's resultCollected channel.
  const results: Result[] = [];
  let wake: (() => void) | undefined;
  const nextResult = async (): Promise<Result> => {
    while (results.length === 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    return results.shift() as Result;
  };
  const launch = (attempt: Attempt, route: Route) => {
    void forwardHtlc(net, source, hash, route, payer.exit).then((outcome) => {
      results.push({ attempt, outcome });
      const w = wake;
      wake = undefined;
      w?.();
    });
  };
  const current = (): Payment => {
    const payment = payments.get(hash);
    if (!payment) throw new PaymentError("payment isn't initiated");
    return payment;
  };
  const failPayment = (reason: FailureReason) => {
    // The first reason stays: a later one would only hide why the payment stopped.
    if (current().failureReason === 'FAILURE_REASON_NONE') payments.failPayment(hash, reason);
  };

  for (;;) {
    let payment = current();
    // checkContext: past the timeout, the payment is failed and no new shard goes out.
    if (net.scheduler.now() >= deadline) {
      const status = paymentStatus(payment);
      if (status !== 'SUCCEEDED' && status !== 'FAILED') failPayment('FAILURE_REASON_TIMEOUT');
      payment = current();
    }
    const state = paymentState(payment);
    const status = paymentStatus(payment);

    // decideNextStep: AllowMoreAttempts, else NeedWaitAttempts.
    const registrable =
      (status === 'INITIATED' || status === 'IN_FLIGHT') &&
      !state.hasSettled &&
      payment.failureReason === 'FAILURE_REASON_NONE';
    if (state.remaining <= 0n || !registrable) {
      if (state.inFlight === 0) return;
      handleResult(payer, hash, await nextResult(), failPayment);
      // Let timers (hold timeouts, the clock) run between shards even when forwarding takes no time.
      await new Promise<void>((resolve) => setImmediate(resolve));
      continue;
    }

    // requestRoute with the remaining amount and fee budget.
    const budget = req.feeLimitMsat > state.fees ? req.feeLimitMsat - state.fees : 0n;
    const found = requestRoute(payer, req, intent, state.remaining, budget, state.inFlight);
    if ('reason' in found) {
      failPayment(found.reason);
      continue;
    }
    let attempt: Attempt;
    try {
      attempt = payments.registerAttempt(hash, payments.nextAttemptId(), found.route);
    } catch {
      // The control tower refused the shard; LND would end the lifecycle with that error. Failing the payment
      // instead lets the shards in flight be collected and the followers see an end.
      failPayment('FAILURE_REASON_ERROR');
      continue;
    }
    launch(attempt, found.route);
  }
}

/** paymentSession.RequestRoute: the remaining amount clamped to the shard size, halved while no path is found. */
function requestRoute(
  payer: Payer,
  req: SendPaymentRequest,
  intent: Intent,
  remaining: bigint,
  feeBudget: bigint,
  activeShards: number,
): { route: Route } | { reason: FailureReason } {
  let maxAmt = remaining;
  if (intent.maxShard !== undefined && maxAmt > intent.maxShard) maxAmt = intent.maxShard;
  const mpp = req.paymentAddr ? { paymentAddr: req.paymentAddr, totalAmtMsat: req.amtMsat } : undefined;
  for (;;) {
    const result = findRoute(payer.net, payer.mission, payer.node.index, {
      target: req.dest,
      amtMsat: maxAmt,
      finalCltvDelta: req.finalCltvDelta + BLOCK_PADDING,
      feeLimitMsat: feeBudget,
      cltvLimit: intent.cltvLimit,
      outgoingChanIds: req.outgoingChanIds,
      lastHop: intent.lastHop,
      timePref: req.timePref,
      mpp,
    });
    if (!isNoRoute(result)) return { route: result.route };
    if (result.reason === 'FAILURE_REASON_INSUFFICIENT_BALANCE') return { reason: result.reason };
    // Splitting needs a payment address, an MPP destination and room for another shard.
    if (!req.paymentAddr || !req.mpp || activeShards + 1 >= intent.maxParts) return { reason: result.reason };
    maxAmt /= 2n;
    if (maxAmt < SHARD_MIN_AMT_MSAT) return { reason: result.reason };
  }
}

/** handleAttemptResult / handleSwitchErr: mission control learns, the attempt is settled or failed. */
function handleResult(
  payer: Payer,
  hash: Buffer,
  { attempt, outcome }: Result,
  failPayment: (reason: FailureReason) => void,
): void {
  const source = payer.node.index;
  if (outcome.settled) {
    payer.mission.reportAttempt(source, attempt.route, undefined);
    payer.payments.settleAttempt(hash, attempt, outcome.preimage);
    return;
  }
  const failure = outcome.failure;
  // INTERNAL_FAILURE is no wire failure: mission control doesn't hear of it (reportAttempt skips it too).
  payer.mission.reportAttempt(source, attempt.route, failure);
  const reason = terminalReason(failure, attempt.route.hops.length);
  if (reason) failPayment(reason);
  payer.payments.failAttempt(hash, attempt, failure);
}
