import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { PartialPayment, Payment } from '../../../shared/types';
import type { EventBus } from '../events';
import type { Ledger } from '../ledger/ledger';
import type { DecodedPayReq, LightningNode, NodeInfo } from '../node/types';
import type { PartDispatcher } from './parts';
import { planSplit } from './split';

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
/** After the first failure of a round, how long to collect the others before re-planning. */
const COLLECT_MS = 300;

/**
 * The automatic payer: plan, send every part at once, collect outcomes, learn which pairs failed, re-plan only the
 * missing amount, until the payment completes or retry_for runs out.
 */
export async function pay(
  deps: { node: LightningNode; ledger: Ledger; events: EventBus; parts: PartDispatcher; info: () => Promise<NodeInfo> },
  req: PayRequest,
): Promise<Payment> {
  const { ledger, events } = deps;
  const hash = req.invoice.payment_hash;
  const deadline = Date.now() + req.retryForSeconds * 1000;
  const budget = (() => {
    const percent = (req.amount * BigInt(Math.round(req.maxFeePercent * 10_000))) / 1_000_000n;
    return percent > req.exemptFee ? percent : req.exemptFee;
  })();
  const avoid: AvoidPair[] = [];
  /** Failed parts already learned from: every failure is learned once, from the ledger, whenever it came in. */
  const learned = new Set<number>();
  let lastError = 'no attempt made';

  for (;;) {
    const payment = ledger.payment(hash);
    if (payment?.status === 'complete') return payment;
    const parts = ledger.parts({ paymentHash: hash });
    for (const part of parts) {
      if (part.status !== 'failed' || learned.has(part.id)) continue;
      learned.add(part.id);
      learn(part, avoid);
    }
    const terminal = parts.find((p) => p.status === 'failed' && p.failure && TERMINAL.has(p.failure.code));
    if (terminal) {
      throw new ApiError(ErrorCode.PayGaveUp, `pay: the receiver refused: ${terminal.failure?.message}`, payment);
    }
    if (Date.now() >= deadline) {
      throw new ApiError(ErrorCode.PayGaveUp, `pay: gave up after ${req.retryForSeconds} s: ${lastError}`, payment);
    }
    const committed = parts.filter((p) => p.status !== 'failed');
    const remaining = req.amount - committed.reduce((s, p) => s + p.msatoshi, 0n);
    const feesSpent = committed.reduce((s, p) => s + (p.msatoshi_sent - p.msatoshi), 0n);
    if (remaining > 0n) {
      const info = await deps.info();
      try {
        const plan = await planSplit(deps.node, info, {
          destination: req.invoice.destination,
          amount: remaining,
          finalCltv: req.invoice.min_final_cltv_expiry + 3,
          maxParts: Math.max(1, req.maxParts - committed.filter((p) => p.status === 'pending').length),
          avoid,
          maxFee: budget - feesSpent,
        });
        if (feesSpent + plan.fee_msatoshi > budget) {
          lastError = `fees of ${feesSpent + plan.fee_msatoshi} msat would exceed the limit of ${budget} msat`;
        } else {
          for (const part of plan.parts) {
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
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    // Read and subscribe in the same turn (no await between): an outcome that came in while the parts were being
    // handed over is not missed.
    const now = ledger.parts({ paymentHash: hash });
    if (ledger.payment(hash)?.status === 'complete') continue;
    const failedMeanwhile = now.some((p) => p.status === 'failed' && !learned.has(p.id));
    if (!now.some((p) => p.status === 'pending')) {
      if (failedMeanwhile) continue;
      // Nothing out and no plan: wait a moment for the network (or mission control) to change, then try again.
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
      continue;
    }
    await nextFailureOrCompletion(events, hash, deadline, failedMeanwhile);
  }
}

/** A pair that failed to carry `msatoshi`: avoided for parts of at least that amount. */
type AvoidPair = { from: string; to: string; msatoshi: bigint };

/**
 * A failed part at hop k says the pair (route[k-1] → route[k]) could not carry the amount it was to forward
 * (route[k].msatoshi): avoid it for that amount and more. Smaller parts may still pass (as LND's mission control
 * reasons), which is how a split gets through where the whole amount does not.
 */
function learn(part: PartialPayment, avoid: AvoidPair[]): void {
  const k = part.failure?.erring_index;
  if (k === undefined || k >= part.route.length || part.failure?.code === 'MPP_TIMEOUT') return;
  const to = part.route[k]?.id;
  const from = k === 0 ? undefined : part.route[k - 1]?.id;
  const msatoshi = part.route[k]?.msatoshi;
  if (!to || !from || msatoshi === undefined) return;
  const known = avoid.find((a) => a.from === from && a.to === to);
  if (!known) avoid.push({ from, to, msatoshi });
  else if (msatoshi < known.msatoshi) known.msatoshi = msatoshi;
}

/**
 * Resolves with the parts that failed (after a short window to gather the rest) or when the payment completes.
 * `failedAlready`: a part failed before this was called, so the window starts now.
 */
function nextFailureOrCompletion(
  events: EventBus,
  hash: string,
  deadline: number,
  failedAlready = false,
): Promise<PartialPayment[]> {
  return new Promise((resolve) => {
    const failed: PartialPayment[] = [];
    let window: NodeJS.Timeout | undefined = failedAlready ? setTimeout(() => finish(), COLLECT_MS) : undefined;
    const finish = () => {
      offPart();
      offPayment();
      clearTimeout(timer);
      if (window) clearTimeout(window);
      resolve(failed);
    };
    const offPart = events.on('partialpayment', (part) => {
      if (part.payment_hash !== hash || part.status !== 'failed') return;
      failed.push(part);
      window ??= setTimeout(finish, COLLECT_MS);
    });
    const offPayment = events.on('payment', (payment) => {
      if (payment.payment_hash === hash && payment.status === 'complete') finish();
    });
    const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
  });
}
