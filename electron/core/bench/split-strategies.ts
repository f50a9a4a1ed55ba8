// The strategies the split benchmark (split.bench.ts) compares, all at the model level (no gRPC): LND's own
// splitter (simnet's SendPaymentV2 model), a single cheapest route, and Braid's round loop with a pluggable planner
// ("braid-simple": allocate over our channels + path finding per first channel, the core's planner before the
// min-cost flow; "braid": the min-cost-flow planner of shared/planner/mcf/, see split-mcf.ts).
import { isPermanentRefusal } from '../../../shared/failures';
import { allocate } from '../../../shared/planner/allocate';
import type { Invoice } from '../../../simnet/model/invoices';
import { DEFAULT_FINAL_CLTV_DELTA } from '../../../simnet/model/lnd';
import { findRoute, isNoRoute, localBandwidth } from '../../../simnet/model/pathfind';
import { type Attempt, type Payment, paymentStatus } from '../../../simnet/model/payments';
import { BLOCK_PADDING, startPayment } from '../../../simnet/model/sendpayment';
import type { Sim } from '../../../simnet/model/sim';
import type { Route } from '../../../simnet/model/types';

export interface SplitContext {
  sim: Sim;
  sender: number;
  receiver: number;
  amountMsat: bigint;
  /** Added at the receiver for this run: its hash, payment address and final CLTV delta. */
  invoice: Invoice;
  /** Most fees the payment may cost in all. */
  feeLimitMsat: bigint;
  /** Give up after this long. */
  timeoutSeconds: number;
}

export interface SplitOutcome {
  delivered: boolean;
  /** Planning rounds: see each strategy for what counts as one. */
  rounds: number;
  /** HTLCs sent. */
  htlcs: number;
  /** Fees of the settled HTLCs (0 when not delivered). */
  feeMsat: bigint;
  /** Planning time of each round, ms. */
  plannerMs: number[];
}

export type SplitStrategy = (ctx: SplitContext) => Promise<SplitOutcome>;

/** The invoice's final CLTV delta, plus LND's 3 blocks of padding, as the payer uses it. */
const finalCltv = (invoice: Invoice) => (invoice.cltvExpiry || DEFAULT_FINAL_CLTV_DELTA) + BLOCK_PADDING;
const mppOf = (ctx: SplitContext) => ({ paymentAddr: ctx.invoice.paymentAddr, totalAmtMsat: ctx.amountMsat });
const delivered = (route: Route) => route.hops.at(-1)?.amtToForwardMsat ?? 0n;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fails every HTLC still held at the receiver (an incomplete set), so that a run that gave up ends at once. */
function releaseHeld(ctx: SplitContext): void {
  ctx.sim.lnd(ctx.receiver).invoices.close();
}

// ---- single: the cheapest route only ---------------------------------------------------------------------------

/** One findRoute for the whole amount (LND's path finding, the sender's mission control), one HTLC, no retry. */
export const singleStrategy: SplitStrategy = async (ctx) => {
  const lnd = ctx.sim.lnd(ctx.sender);
  const t = performance.now();
  const found = findRoute(ctx.sim.net, lnd.mission, ctx.sender, {
    target: ctx.receiver,
    amtMsat: ctx.amountMsat,
    finalCltvDelta: finalCltv(ctx.invoice),
    feeLimitMsat: ctx.feeLimitMsat,
    mpp: mppOf(ctx),
  });
  const plannerMs = [performance.now() - t];
  if (isNoRoute(found)) return { delivered: false, rounds: 1, htlcs: 0, feeMsat: 0n, plannerMs };
  const attempt = await lnd.sendToRoute(ctx.invoice.hash, found.route, false);
  const ok = attempt.status === 'SUCCEEDED';
  if (!ok) releaseHeld(ctx);
  return { delivered: ok, rounds: 1, htlcs: 1, feeMsat: ok ? found.route.totalFeesMsat : 0n, plannerMs };
};

// ---- lnd: SendPaymentV2's splitter -----------------------------------------------------------------------------

/**
 * simnet's model of SendPaymentV2 (routing/payment_lifecycle.go) with the receiver's invoice (MPP, 16 parts at most,
 * LND's default), the fee limit and timeout of the context.
 *
 * Rounds: LND has no rounds; it launches a shard whenever it has something left to send and collects results one
 * at a time. A round here is a wave of shards: the first shard opens round 1, and each shard launched after at
 * least one failed shard was collected (since the previous launch) opens a new round, i.e. the number of times the
 * lifecycle had to re-plan after failures, plus one.
 *
 * Planner time: for each launch (and the final "no route" decision), the wall time since the previous write to the
 * payment store, which is the synchronous path finding of requestRoute (halving included) plus a tick of the event
 * loop; summed per round.
 */
export const lndStrategy: SplitStrategy = async (ctx) => {
  const lnd = ctx.sim.lnd(ctx.sender);
  const hash = ctx.invoice.hash;
  let rounds = 0;
  let launched = 0;
  let failed = 0;
  let failedSinceLaunch = false;
  const plannerMs: number[] = [];
  let last = performance.now();
  let released = false;
  const unsubscribe = lnd.payments.subscribe(hash, (payment: Payment) => {
    const now = performance.now();
    const failedNow = payment.htlcs.filter((h) => h.status === 'FAILED').length;
    if (failedNow > failed) {
      failed = failedNow;
      failedSinceLaunch = true;
    }
    const planned = payment.htlcs.length > launched || payment.failureReason !== 'FAILURE_REASON_NONE';
    if (payment.htlcs.length > launched) {
      if (rounds === 0 || failedSinceLaunch) {
        rounds++;
        plannerMs.push(0);
        failedSinceLaunch = false;
      }
      launched = payment.htlcs.length;
    }
    if (planned && !released) {
      if (plannerMs.length === 0) plannerMs.push(0);
      plannerMs[plannerMs.length - 1] = (plannerMs.at(-1) as number) + (now - last);
    }
    // Once the payment has failed, shards held at the receiver can only time out: release them now.
    if (payment.failureReason !== 'FAILURE_REASON_NONE' && !released) {
      released = true;
      setImmediate(() => releaseHeld(ctx));
    }
    last = performance.now();
  });
  last = performance.now();
  const { done } = startPayment(lnd, {
    dest: ctx.receiver,
    amtMsat: ctx.amountMsat,
    paymentHash: hash,
    paymentAddr: ctx.invoice.paymentAddr,
    finalCltvDelta: ctx.invoice.cltvExpiry,
    feeLimitMsat: ctx.feeLimitMsat,
    maxParts: 0,
    maxShardSizeMsat: 0n,
    timeoutSeconds: ctx.timeoutSeconds,
    outgoingChanIds: [],
    cltvLimit: 0,
    mpp: true,
  });
  await done;
  unsubscribe();
  const payment = lnd.payments.get(hash);
  const ok = payment !== undefined && paymentStatus(payment) === 'SUCCEEDED';
  const feeMsat = ok
    ? (payment?.htlcs ?? []).filter((h) => h.status === 'SUCCEEDED').reduce((s, h) => s + h.route.totalFeesMsat, 0n)
    : 0n;
  return { delivered: ok, rounds: Math.max(rounds, 1), htlcs: payment?.htlcs.length ?? 0, feeMsat, plannerMs };
};

// ---- braid: plan, send all parts at once, collect, re-plan the missing amount ---------------------------------------

/** A directed pair that failed to carry `msat`: avoided for parts of at least that amount (as payer/pay.ts). */
export interface AvoidPair {
  from: number;
  to: number;
  msat: bigint;
}

export interface PlanRequest {
  /** What is still to be delivered. */
  amountMsat: bigint;
  /** Parts this round may add. */
  maxParts: number;
  /** Fees this round may add. */
  feeBudgetMsat: bigint;
  avoid: readonly AvoidPair[];
}

/**
 * A planner for one round: the routes to send now (each delivering part of `amountMsat`, together all of it), or
 * undefined when it finds no plan. The MCF planner of shared/planner/mcf/ plugs in here.
 */
export type RoundPlanner = (ctx: SplitContext, req: PlanRequest) => Route[] | undefined;

/**
 * A planner with state for one payment (the MCF planner of split-mcf.ts): `plan` as a RoundPlanner, and `outcome`
 * for every route it planned once that part is back (or was refused before going out).
 */
export interface PlannerSession {
  plan(req: PlanRequest): Route[] | undefined;
  outcome?(route: Route, attempt: Attempt): void;
}

/** As the core's simple planner did: a part that no path carries is halved down to this before its channel is dropped. */
const MIN_SPLIT_MSAT = 10_000_000n;

/**
 * The core's former simple planner (replaced by the min-cost flow), at the model level: allocate the amount over the
 * sender's channels by their known balance (shared/planner/allocate), then LND's path finding (findRoute with the sender's
 * mission control, as QueryRoutes with use_mission_control) restricted to each first channel, with the learned
 * pairs ignored. A part without a path is halved on the same channel; a channel where even that fails is dropped.
 */
export const simplePlanner: RoundPlanner = (ctx, req) => {
  const { net } = ctx.sim;
  const lnd = ctx.sim.lnd(ctx.sender);
  let candidates: { channel: string; sendable: bigint }[] = [];
  for (const { channel, dir } of net.channelsOf(ctx.sender)) {
    const bw = localBandwidth(net, channel, dir);
    if (bw > 0n) candidates.push({ channel: channel.id.toString(), sendable: bw });
  }
  const rounds = candidates.length + 1;
  for (let round = 0; round < rounds; round++) {
    const allocation = allocate(req.amountMsat, candidates, req.maxParts);
    if (!allocation) return undefined;
    const routes: Route[] = [];
    let fees = 0n;
    let failedChannel: string | undefined;
    const queue = [...allocation];
    for (let item = queue.shift(); item; item = queue.shift()) {
      const { channel, amount } = item;
      const found = findRoute(net, lnd.mission, ctx.sender, {
        target: ctx.receiver,
        amtMsat: amount,
        finalCltvDelta: finalCltv(ctx.invoice),
        feeLimitMsat: req.feeBudgetMsat - fees,
        outgoingChanIds: [BigInt(channel)],
        ignoredPairs: req.avoid.filter((a) => a.msat <= amount),
        mpp: mppOf(ctx),
      });
      if (!isNoRoute(found)) {
        routes.push(found.route);
        fees += found.route.totalFeesMsat;
        continue;
      }
      const half = amount / 2n;
      if (half >= MIN_SPLIT_MSAT && routes.length + queue.length + 2 <= req.maxParts) {
        queue.unshift({ channel, amount: amount - half }, { channel, amount: half });
        continue;
      }
      failedChannel = channel;
      break;
    }
    if (!failedChannel) return routes;
    candidates = candidates.filter((c) => c.channel !== failedChannel);
  }
  return undefined;
};

export interface BraidOptions {
  /** A stateless planner, or `session`: a planner made for each payment. */
  planner?: RoundPlanner;
  session?: (ctx: SplitContext) => PlannerSession;
  /** Parts in flight at most (payer default: 16). */
  maxParts?: number;
  /** Rounds at most. */
  maxRounds?: number;
  /** After the first failure of a round, how long to collect the others before re-planning (payer: 300 ms; with a
   * hop delay of 0 every failure is back within a tick, so a few ms suffice). */
  collectMs?: number;
}

/**
 * Braid's payer loop (electron/core/payer/pay.ts) at the model level: plan the missing amount, send every part at
 * once with SendToRouteV2 (skip_temp_err, MPP record), wait until all are back or a failure came in and the collect
 * window passed, learn the failing pairs, re-plan. A round is one plan-and-send; it stops when the invoice is
 * paid, the receiver refuses, no plan is found with nothing in flight, or the rounds or time run out.
 */
export function braidStrategy(options: BraidOptions): SplitStrategy {
  const maxParts = options.maxParts ?? 16;
  const maxRounds = options.maxRounds ?? 20;
  const collectMs = options.collectMs ?? 5;
  const planner = options.planner;
  const makeSession =
    options.session ??
    ((ctx: SplitContext): PlannerSession => {
      if (!planner) throw new Error('braidStrategy: a planner or a session is needed');
      return { plan: (req) => planner(ctx, req) };
    });
  return async (ctx) => {
    const lnd = ctx.sim.lnd(ctx.sender);
    const session = makeSession(ctx);
    const hash = ctx.invoice.hash;
    const deadline = Date.now() + ctx.timeoutSeconds * 1000;
    const avoid: AvoidPair[] = [];
    const plannerMs: number[] = [];
    const parts: { route: Route; attempt?: Attempt; done: Promise<void> }[] = [];
    let rounds = 0;
    let refused = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const settled = () => parts.some((p) => p.attempt?.status === 'SUCCEEDED');
    const pending = () => parts.filter((p) => p.attempt === undefined);

    while (!settled() && !refused && rounds < maxRounds && Date.now() < deadline) {
      const committed = parts.filter((p) => p.attempt?.status !== 'FAILED');
      const remaining = ctx.amountMsat - committed.reduce((s, p) => s + delivered(p.route), 0n);
      const feesSpent = committed.reduce((s, p) => s + p.route.totalFeesMsat, 0n);
      let sent = 0;
      if (remaining > 0n) {
        rounds++;
        const t = performance.now();
        // As the core's payer: half the free part slots first, so that parts held at the receiver leave room for
        // the rounds after; all of them only when half are not enough.
        const free = Math.max(1, maxParts - pending().length);
        const ask = (slots: number) =>
          session.plan({ amountMsat: remaining, maxParts: slots, feeBudgetMsat: ctx.feeLimitMsat - feesSpent, avoid });
        const plan = ask(Math.ceil(free / 2)) ?? (free > 1 ? ask(free) : undefined);
        plannerMs.push(performance.now() - t);
        const fees = plan?.reduce((s, r) => s + r.totalFeesMsat, 0n) ?? 0n;
        if (plan && feesSpent + fees <= ctx.feeLimitMsat) {
          for (const route of plan) {
            const part: (typeof parts)[number] = { route, done: Promise.resolve() };
            part.done = lnd.sendToRoute(hash, route, true).then(
              (attempt) => {
                part.attempt = attempt;
                const failure = attempt.failure;
                if (failure && isPermanentRefusal(failure.code)) refused = true;
                if (failure) learn(route, failure.sourceIndex, failure.code, avoid, ctx);
                session.outcome?.(route, attempt);
                notify();
              },
              () => {
                // A refused registration (e.g. a set already settled): the part never went out.
                part.attempt = { status: 'FAILED' } as Attempt;
                session.outcome?.(route, part.attempt);
                notify();
              },
            );
            parts.push(part);
            sent++;
          }
        } else if (plan) {
          // Over the fee limit: nothing goes out; the session gets its parts back.
          for (const route of plan) session.outcome?.(route, { status: 'FAILED' } as Attempt);
        }
      }
      // No plan for what is missing: give up, as LND fails a payment with NO_ROUTE. With no hop delay every part's
      // outcome is back within the collect window, so what is still pending is held at the receiver and cannot
      // change anything; waiting for it would only wait out the deadline.
      if (remaining > 0n && sent === 0) break;
      if (pending().length === 0) continue;
      await waitRound(
        () => pending().length === 0 || settled(),
        collectMs,
        deadline,
        (w) => {
          wake = w;
        },
      );
    }
    const ok = settled();
    if (!ok) releaseHeld(ctx);
    await Promise.all(parts.map((p) => p.done));
    const feeMsat = ok
      ? parts.filter((p) => p.attempt?.status === 'SUCCEEDED').reduce((s, p) => s + p.route.totalFeesMsat, 0n)
      : 0n;
    return { delivered: ok, rounds, htlcs: parts.length, feeMsat, plannerMs };
  };
}

/** Resolves when `finished()` or `collectMs` after the first outcome of the round, or at the deadline. */
async function waitRound(
  finished: () => boolean,
  collectMs: number,
  deadline: number,
  setWake: (wake: () => void) => void,
): Promise<void> {
  let windowEnd = Number.POSITIVE_INFINITY;
  while (!finished()) {
    const now = Date.now();
    if (now >= deadline || now >= windowEnd) return;
    const timeout = Math.min(deadline, windowEnd) - now;
    const woke = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.min(timeout, 1_000));
      setWake(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (woke && windowEnd === Number.POSITIVE_INFINITY) windowEnd = Date.now() + collectMs;
  }
  await tick();
}

/**
 * A failure reported by node k (k = 0: the sender, k: the node of hops[k-1]) at an intermediate hop says the pair
 * hops[k-1] → hops[k] could not carry what it was to forward: avoid it for that amount and more.
 */
function learn(route: Route, k: number, code: string, avoid: AvoidPair[], ctx: SplitContext): void {
  if (k < 1 || k >= route.hops.length || code === 'MPP_TIMEOUT') return;
  const { net } = ctx.sim;
  const from = net.nodeByPubkey(route.hops[k - 1]?.pubkey ?? '')?.index;
  const to = net.nodeByPubkey(route.hops[k]?.pubkey ?? '')?.index;
  const msat = route.hops[k - 1]?.amtToForwardMsat;
  if (from === undefined || to === undefined || msat === undefined) return;
  const known = avoid.find((a) => a.from === from && a.to === to);
  if (!known) avoid.push({ from, to, msat });
  else if (msat < known.msat) known.msat = msat;
}
