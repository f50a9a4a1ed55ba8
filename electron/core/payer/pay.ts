import { ApiError, ErrorCode } from '../../../shared/api/errors';
import { finalCltvFor } from '../../../shared/policy';
import type { PartialPayment, Payment } from '../../../shared/types';
import { type Clock, sleep, systemClock } from '../clock';
import type { EventBus } from '../events';
import { StorageStopped } from '../ledger/health';
import type { Ledger } from '../ledger/ledger';
import type { DecodedPayReq } from '../node/types';
import type { PlannerService, PlanRequest } from '../planner/service';
import { feeBudget, noPlanMessage } from './budget';
import type { PartDispatcher } from './parts';

export interface PayRequest {
  invoice: DecodedPayReq;
  bolt11: string;
  amount: bigint;
  maxFeePercent: number;
  exemptFee: bigint;
  maxParts: number;
  retryForSeconds: number;
}

/** Failures at the receiver that no other route will change. */
const TERMINAL = new Set(['INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS', 'INCORRECT_PAYMENT_AMOUNT', 'FINAL_EXPIRY_TOO_SOON']);
/**
 * No plan for these reasons may mend within retry_for: our channels' balance comes back as parts in flight fail, and
 * the graph is being loaded.
 */
const WAIT_FOR = new Set(['insufficient-balance', 'no-graph']);
/** After the first failure of a round, how long to collect the others before re-planning. */
const COLLECT_MS = 300;

/**
 * The automatic payer: plan, send every part at once, collect outcomes, re-plan only the missing amount, until the
 * payment completes or retry_for runs out. What the failures teach is the planner's: it learns from every part's
 * outcome and counts the parts in flight, so each new plan goes around what failed.
 */
export async function pay(
  deps: { ledger: Ledger; events: EventBus; parts: PartDispatcher; planner: PlannerService; clock?: Clock },
  req: PayRequest,
): Promise<Payment> {
  const { ledger, events } = deps;
  const clock = deps.clock ?? systemClock;
  const hash = req.invoice.payment_hash;
  const deadline = clock.now() + req.retryForSeconds * 1000;
  const budget = feeBudget(req.amount, req.maxFeePercent, req.exemptFee);
  /** Failed parts already seen: a round waits for news, and a failure seen before is none. */
  const seen = new Set<number>();
  let lastError = 'no attempt made';
  /** The last plan found none, for a reason that waiting would not mend. */
  let hopeless = false;

  for (;;) {
    const payment = ledger.payment(hash);
    if (payment?.status === 'complete') return payment;
    const parts = ledger.parts({ paymentHash: hash });
    for (const part of parts) if (part.status === 'failed') seen.add(part.id);
    const terminal = parts.find((p) => p.status === 'failed' && p.failure && TERMINAL.has(p.failure.code));
    if (terminal) {
      throw new ApiError(ErrorCode.PayGaveUp, `pay: the receiver refused: ${terminal.failure?.message}`, payment);
    }
    if (clock.now() >= deadline) {
      throw new ApiError(ErrorCode.PayGaveUp, `pay: gave up after ${req.retryForSeconds} s: ${lastError}`, payment);
    }
    const committed = parts.filter((p) => p.status !== 'failed');
    const inFlight = committed.filter((p) => p.status === 'pending').length;
    const remaining = req.amount - committed.reduce((s, p) => s + p.msatoshi, 0n);
    const feesSpent = committed.reduce((s, p) => s + (p.msatoshi_sent - p.msatoshi), 0n);
    if (remaining > 0n && inFlight < req.maxParts) {
      const free = req.maxParts - inFlight;
      const plan: PlanRequest = {
        destination: req.invoice.destination,
        amountMsat: remaining,
        maxFeeMsat: budget - feesSpent,
        // Half the free part slots first: parts the receiver holds keep their slots until the payment completes, so
        // a round that takes them all leaves the next one nothing to re-route with (bench:split: fewer HTLCs and
        // more payments delivered). All of them when half are not enough.
        maxParts: Math.ceil(free / 2),
        finalCltv: finalCltvFor(req.invoice.min_final_cltv_expiry),
      };
      try {
        let planned = await deps.planner.plan(plan);
        if (!planned.ok && free > plan.maxParts) {
          plan.maxParts = free;
          planned = await deps.planner.plan(plan);
        }
        if (!planned.ok) {
          lastError = noPlanMessage(plan, planned);
          hopeless = !WAIT_FOR.has(planned.reason);
        } else {
          hopeless = false;
          for (const part of planned.parts) {
            await deps.parts.sendPartial({
              paymentHash: hash,
              route: part.route,
              intendedMsat: req.amount,
              destination: req.invoice.destination,
              description: req.invoice.description,
              paymentSecret: req.invoice.payment_secret,
              bolt11: req.bolt11,
            });
          }
        }
      } catch (error) {
        // The disk failed: stop at once rather than retrying for retry_for.
        if (error instanceof StorageStopped) throw error;
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    // Read and subscribe in the same turn (no await between): an outcome that came in while the parts were being
    // handed over is not missed.
    const now = ledger.parts({ paymentHash: hash });
    if (ledger.payment(hash)?.status === 'complete') continue;
    const failedMeanwhile = now.some((p) => p.status === 'failed' && !seen.has(p.id));
    if (!now.some((p) => p.status === 'pending')) {
      if (failedMeanwhile) continue;
      // Nothing out, and the network as we know it cannot carry the rest: only time would change that (knowledge
      // fades over an hour), so waiting out retry_for would only keep the user waiting.
      if (hopeless) throw new ApiError(ErrorCode.PayGaveUp, `pay: no plan: ${lastError}`, ledger.payment(hash));
      // Nothing out and no plan: wait a moment for the network (or what we know of it) to change, then try again.
      await sleep(clock, Math.min(1000, Math.max(0, deadline - clock.now())));
      continue;
    }
    await nextFailureOrCompletion(events, clock, hash, deadline, failedMeanwhile);
  }
}

/**
 * Resolves with the parts that failed (after a short window to gather the rest) or when the payment completes.
 * `failedAlready`: a part failed before this was called, so the window starts now.
 */
function nextFailureOrCompletion(
  events: EventBus,
  clock: Clock,
  hash: string,
  deadline: number,
  failedAlready = false,
): Promise<PartialPayment[]> {
  return new Promise((resolve) => {
    const failed: PartialPayment[] = [];
    let window: unknown = failedAlready ? clock.setTimeout(() => finish(), COLLECT_MS) : undefined;
    const finish = () => {
      offPart();
      offPayment();
      clock.clearTimeout(timer);
      if (window !== undefined) clock.clearTimeout(window);
      resolve(failed);
    };
    const offPart = events.on('partialpayment', (part) => {
      if (part.payment_hash !== hash || part.status !== 'failed') return;
      failed.push(part);
      window ??= clock.setTimeout(finish, COLLECT_MS);
    });
    const offPayment = events.on('payment', (payment) => {
      if (payment.payment_hash === hash && payment.status === 'complete') finish();
    });
    const timer = clock.setTimeout(finish, Math.max(0, deadline - clock.now()));
  });
}
