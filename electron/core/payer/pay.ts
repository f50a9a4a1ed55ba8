import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { PayMode } from '../../../shared/api/schemas';
import { finalCltvFor } from '../../../shared/policy';
import type { Payment, Route } from '../../../shared/types';
import { type Clock, sleep, systemClock } from '../clock';
import type { EventBus } from '../events';
import type { Ledger } from '../ledger/ledger';
import type { DecodedPayReq } from '../node/types';
import type { PlannerService, PlanRequest } from '../planner/service';
import { feeBudget, noPlanMessage } from './budget';
import { decideNextStep, type LoopState, type PaymentView, viewOf } from './decide';
import { checkFirstPlan } from './first-plan';
import type { PartDispatcher } from './parts';
import type { PayRun } from './registry';
import { nextFailureOrCompletion } from './waits';

export interface PayRequest {
  invoice: DecodedPayReq;
  bolt11: string;
  amount: bigint;
  maxFeePercent: number;
  exemptFee: bigint;
  maxParts: number;
  retryForSeconds: number;
  /** The first plan: sent first, in order. */
  plan?: Route[];
  /** auto (default): re-plans what is missing; manual: sends the first plan and nothing else. */
  mode?: PayMode;
}

export interface PayDeps {
  ledger: Ledger;
  events: EventBus;
  parts: PartDispatcher;
  planner: PlannerService;
  clock?: Clock;
}

/**
 * No plan for these reasons may mend within retry_for: our channels' balance comes back as parts in flight fail, and
 * the graph is being loaded.
 */
const WAIT_FOR = new Set(['insufficient-balance', 'no-graph']);
/** Nothing out and no plan: how long to wait before trying again. */
const RETRY_MS = 1000;

/** A run that is never stopped (pay called outside the core's registry, e.g. by a benchmark). */
const UNSTOPPABLE: PayRun = { stopped: false, signal: new AbortController().signal };

/**
 * Checks a first plan against the payment as it stands (-32602 when it would overpay, exceed the fee limit or
 * max_parts, or in manual mode is missing): call before the loop starts, so that a refused plan starts nothing.
 */
export function checkPayRequest(ledger: Ledger, req: PayRequest): void {
  const mode = req.mode ?? 'auto';
  if (mode === 'manual' && !req.plan) {
    throw new ApiError(ErrorCode.InvalidParams, 'plan: required in manual mode (got nothing)');
  }
  if (!req.plan) return;
  const hash = req.invoice.payment_hash;
  if (ledger.payment(hash)?.status === 'complete') return;
  checkFirstPlan(req.plan, viewOf(ledger.payment(hash), ledger.parts({ paymentHash: hash }), req.amount), {
    destination: req.invoice.destination,
    amount: req.amount,
    feeBudget: feeBudget(req.amount, req.maxFeePercent, req.exemptFee),
    maxParts: req.maxParts,
  });
}

/**
 * The payer: sends the first plan (if any), then, in auto mode, plans what is missing, sends every part at once,
 * collects outcomes and re-plans only the missing amount, until the payment completes, the receiver refuses it for
 * good, it is stopped, or retry_for runs out. What the failures teach is the planner's: it learns from every part's
 * outcome and counts the parts in flight, so each new plan goes around what failed. In manual mode it re-plans
 * nothing: once what is out can no longer complete the payment, it gives up (210) and leaves the payment open.
 */
export async function pay(deps: PayDeps, req: PayRequest, run: PayRun = UNSTOPPABLE): Promise<Payment> {
  const { ledger } = deps;
  const clock = deps.clock ?? systemClock;
  const hash = req.invoice.payment_hash;
  const budget = feeBudget(req.amount, req.maxFeePercent, req.exemptFee);
  const firstPlan = [...(req.plan ?? [])];
  const state: LoopState = {
    mode: req.mode ?? 'auto',
    maxParts: req.maxParts,
    now: clock.now(),
    deadline: clock.now() + req.retryForSeconds * 1000,
    stopped: run.stopped,
    firstPlanLeft: firstPlan.length,
    planned: false,
    hopeless: false,
    unseenFailures: 0,
  };
  /** Failed parts seen when the round began: a round waits for news, and a failure seen before is none. */
  let seen = new Set<number>();
  let lastError = 'no attempt made';
  const look = (): PaymentView => {
    const parts = ledger.parts({ paymentHash: hash });
    state.now = clock.now();
    state.stopped = run.stopped;
    state.unseenFailures = parts.filter((p) => p.status === 'failed' && !seen.has(p.id)).length;
    return viewOf(ledger.payment(hash), parts, req.amount);
  };
  const newRound = (view: PaymentView) => {
    seen = new Set(view.parts.filter((p) => p.status === 'failed').map((p) => p.id));
    state.planned = false;
  };
  const send = async (route: Route): Promise<void> => {
    // stoppay: nothing leaves after it.
    if (run.stopped) return;
    try {
      await deps.parts.sendPartial({
        paymentHash: hash,
        route,
        intendedMsat: req.amount,
        destination: req.invoice.destination,
        description: req.invoice.description,
        paymentSecret: req.invoice.payment_secret,
        bolt11: req.bolt11,
      });
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  };

  newRound(look());
  for (;;) {
    const view = look();
    const step = decideNextStep(view, state);
    switch (step.kind) {
      case 'complete':
        return step.payment;
      case 'refused':
        throw new ApiError(
          ErrorCode.DestinationRefused,
          `pay: the receiver refused the payment for good (${step.part.failure?.code}): ${step.part.failure?.message}`,
          view.payment,
        );
      case 'stopped':
        throw new ApiError(
          ErrorCode.PayStopped,
          `pay: stopped; ${view.pending} part${view.pending === 1 ? '' : 's'} still in flight resolve as the network decides`,
          view.payment,
        );
      case 'timeout':
        throw new ApiError(
          ErrorCode.PayGaveUp,
          `pay: gave up after ${req.retryForSeconds} s: ${lastError}`,
          view.payment,
        );
      case 'missing':
        throw new ApiError(ErrorCode.PayGaveUp, missingMessage(view, req.amount, lastError), view.payment);
      case 'no-plan':
        throw new ApiError(ErrorCode.PayGaveUp, `pay: no plan: ${lastError}`, view.payment);
      case 'send-first-plan':
        for (const route of firstPlan.splice(0)) await send(route);
        state.firstPlanLeft = 0;
        break;
      case 'plan': {
        state.planned = true;
        const planned = await planMissing(deps, req, view, budget, step.slots);
        if (!planned.ok) {
          lastError = planned.message;
          state.hopeless = planned.hopeless;
        } else {
          state.hopeless = false;
          for (const part of planned.routes) await send(part);
        }
        break;
      }
      case 'next-round':
        newRound(view);
        break;
      case 'wait-for-outcome':
        await nextFailureOrCompletion(deps.events, clock, hash, state.deadline, run.signal, step.windowOpen);
        newRound(look());
        break;
      case 'wait-for-network':
        await sleep(clock, Math.min(RETRY_MS, Math.max(0, state.deadline - state.now)), run.signal);
        newRound(look());
        break;
    }
  }
}

/**
 * Plans what is missing: half the free part slots first, since parts the receiver holds keep their slots until the
 * payment completes, so a round that takes them all leaves the next one nothing to re-route with (bench:split: fewer
 * HTLCs and more payments delivered); all of them when half are not enough. The fee limit counts every part's fees.
 */
async function planMissing(
  deps: PayDeps,
  req: PayRequest,
  view: PaymentView,
  budget: bigint,
  free: number,
): Promise<{ ok: true; routes: Route[] } | { ok: false; message: string; hopeless: boolean }> {
  const plan: PlanRequest = {
    destination: req.invoice.destination,
    amountMsat: view.missing,
    maxFeeMsat: budget - view.feesCommitted,
    maxParts: Math.ceil(free / 2),
    finalCltv: finalCltvFor(req.invoice.min_final_cltv_expiry),
  };
  try {
    let planned = await deps.planner.plan(plan);
    if (!planned.ok && free > plan.maxParts) {
      plan.maxParts = free;
      planned = await deps.planner.plan(plan);
    }
    if (!planned.ok)
      return { ok: false, message: noPlanMessage(plan, planned), hopeless: !WAIT_FOR.has(planned.reason) };
    return { ok: true, routes: planned.parts.map((p) => p.route) };
  } catch (error) {
    // The planner failed (its worker died): the next round asks it again.
    return { ok: false, message: error instanceof Error ? error.message : String(error), hopeless: false };
  }
}

function missingMessage(view: PaymentView, amount: bigint, lastError: string): string {
  const why = view.parts.filter((p) => p.status === 'failed').at(-1)?.failure?.message;
  return (
    `pay: ${view.missing} msat of ${amount} msat is missing` +
    (why ? ` (a part failed: ${why})` : view.missing < amount ? '' : ` (${lastError})`) +
    `; manual mode re-plans nothing. The payment stays open with ${view.pending} part${view.pending === 1 ? '' : 's'} ` +
    'in flight: plan the missing amount (splitpay with missing_msatoshi) and send it (pay with plan and mode manual)'
  );
}
