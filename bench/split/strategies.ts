// The strategies the split benchmark compares, each paying one invoice over simnet's model on virtual time:
//  - braid: the shipped payer. `pay` (electron/core/payer/pay.ts) with the core's PartDispatcher, ledger (SQLite in a
//    temporary folder), event bus and PlannerService (in this thread, so that its time can be measured), over the
//    SimnetNode adapter. The planner's own time (CPU time on this core) is added to the virtual clock: a slow plan
//    costs what it would cost a user.
//  - lnd: simnet's model of SendPaymentV2 (LND's own splitter), at most 16 parts, its mission control kept by the
//    sender's daemon.
//  - single: LND's path finding once for the whole amount (the sender's mission control), one HTLC, no retry.
// Every strategy: fee limit 1% of the amount, 60 s to pay (retry_for / timeout_seconds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../electron/core/clock';
import type { CoreContext } from '../../electron/core/commands/context';
import { EventBus } from '../../electron/core/events';
import { Ledger } from '../../electron/core/ledger/ledger';
import type { DecodedPayReq } from '../../electron/core/node/types';
import { PartDispatcher } from '../../electron/core/payer/parts';
import { pay } from '../../electron/core/payer/pay';
import { PayRegistry } from '../../electron/core/payer/registry';
import { RouteGraph } from '../../electron/core/payer/route-check';
import type { PlanReply } from '../../electron/core/planner/messages';
import { type CircularRequest, PlannerService, type PlanRequest } from '../../electron/core/planner/service';
import { ApiError } from '../../shared/api/errors';
import type { Invoice } from '../../simnet/model/invoices';
import { findRoute, isNoRoute } from '../../simnet/model/pathfind';
import { paymentStatus } from '../../simnet/model/payments';
import { BLOCK_PADDING, startPayment } from '../../simnet/model/sendpayment';
import type { Sim } from '../../simnet/model/sim';
import { SimnetNode } from './simnet-node';
import type { VirtualTime } from './virtual-time';

export const FEE_LIMIT_PERCENT = 1;
export const TIMEOUT_SECONDS = 60;
export const MAX_PARTS = 16;

export interface PaymentRun {
  sim: Sim;
  time: VirtualTime;
  sender: number;
  receiver: number;
  amountMsat: bigint;
  /** Added at the receiver for this run. */
  invoice: Invoice;
}

export interface Outcome {
  /** Paid, whenever it was. */
  paid: boolean;
  /** Virtual ms from the start to the payment's completion (or to the payer giving up). */
  timeMs: number;
  htlcs: number;
  failedHtlcs: number;
  /** Fees of the settled HTLCs (0 when not paid). */
  feeMsat: bigint;
  /** Time of each plan (CPU), ms. */
  plannerMs: number[];
}

const feeLimit = (amount: bigint) => (amount * BigInt(FEE_LIMIT_PERCENT * 10_000)) / 1_000_000n;

/**
 * CPU time of this thread in ms: what the planner costs on one core. Wall time on this shared machine (load 10-20 on
 * 2 cores) would count other developers' work as the planner's, and the process's CPU time V8's concurrent GC threads.
 */
export function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.threadCpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** The planner of the core, timed: its time (CPU, see cpuMs) is measured and then waited on the virtual clock. */
class TimedPlanner extends PlannerService {
  samples: number[] = [];

  constructor(
    node: SimnetNode,
    ledger: Ledger,
    events: EventBus,
    private readonly time: VirtualTime,
  ) {
    super(node, ledger, events, { inThread: true, clock: time });
  }

  override plan(req: PlanRequest): Promise<PlanReply> {
    return this.timed(() => super.plan(req));
  }

  /** A rebalance's circular plan (the rebalance command's planner), timed alike. */
  override planCircular(req: CircularRequest): Promise<PlanReply> {
    return this.timed(() => super.planCircular(req));
  }

  private async timed(planning: () => Promise<PlanReply>): Promise<PlanReply> {
    // The graph is loaded when the wallet starts, not on the user's time.
    await this.ensureGraph();
    const t = process.threadCpuUsage();
    const reply = await planning();
    const ms = cpuMs(t);
    this.samples.push(ms);
    await sleep(this.time, ms);
    return reply;
  }
}

/** Calls into the shipped `pay`, for the benchmark's summary (and its test). */
export const calls = { pay: 0 };

/**
 * A Braid wallet on one simnet node: the core's ledger, events, part dispatcher and planner, kept between payments
 * (what the planner learned stays, as in the core) until closed.
 */
export class BraidWallet {
  readonly node: SimnetNode;
  private readonly dir: string;
  private readonly ledger: Ledger;
  private readonly events = new EventBus();
  private readonly parts: PartDispatcher;
  private readonly planner: TimedPlanner;

  private constructor(
    private readonly sim: Sim,
    sender: number,
    private readonly time: VirtualTime,
  ) {
    this.node = new SimnetNode(sim, sender);
    this.dir = mkdtempSync(join(tmpdir(), 'braid-bench-'));
    this.ledger = Ledger.open(this.dir);
    this.parts = new PartDispatcher(
      this.ledger,
      this.node,
      this.events,
      () => this.node.pubkey,
      undefined,
      () => Math.floor(time.now() / 1000),
    );
    this.planner = new TimedPlanner(this.node, this.ledger, this.events, time);
  }

  static async open(sim: Sim, sender: number, time: VirtualTime): Promise<BraidWallet> {
    const wallet = new BraidWallet(sim, sender, time);
    await wallet.parts.start();
    wallet.planner.start(wallet.node.pubkey);
    await wallet.planner.ensureGraph();
    return wallet;
  }

  async pay(run: PaymentRun): Promise<Outcome> {
    const { invoice, amountMsat, time } = run;
    const hash = invoice.hash.toString('hex');
    const decoded: DecodedPayReq = {
      destination: this.sim.net.node(run.receiver).pubkey,
      payment_hash: hash,
      payment_secret: invoice.paymentAddr.toString('hex'),
      amount_msat: amountMsat,
      description: invoice.memo,
      description_hash: '',
      timestamp: Math.floor(time.now() / 1000),
      expiry: invoice.expiry,
      min_final_cltv_expiry: invoice.cltvExpiry,
      mpp: true,
      route_hints: [],
    };
    const plannedBefore = this.planner.samples.length;
    const start = time.now();
    calls.pay++;
    const paying = pay(
      { ledger: this.ledger, events: this.events, parts: this.parts, planner: this.planner, clock: time },
      {
        invoice: decoded,
        bolt11: '',
        amount: amountMsat,
        maxFeePercent: FEE_LIMIT_PERCENT,
        exemptFee: 0n,
        maxParts: MAX_PARTS,
        retryForSeconds: TIMEOUT_SECONDS,
      },
    );
    let paid = false;
    try {
      paid = (await time.run(paying)).status === 'complete';
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    const timeMs = time.now() - start;
    // The parts still out come back (or time out at the receiver) before the next payment.
    await time.run(this.allResolved(hash));
    const parts = this.ledger.parts({ paymentHash: hash });
    const payment = this.ledger.payment(hash);
    return {
      paid,
      timeMs,
      htlcs: parts.length,
      failedHtlcs: parts.filter((p) => p.status === 'failed').length,
      feeMsat: paid && payment ? payment.msatoshi_sent - payment.msatoshi : 0n,
      plannerMs: this.planner.samples.slice(plannedBefore),
    };
  }

  /**
   * What the core's command handlers run on (as Core builds it), over this wallet's node, ledger, parts and timed
   * planner on the virtual clock: the rebalance benchmark calls the shipped `rebalance`, `probe` and `pay` handlers
   * with it.
   */
  context(): CoreContext {
    const node = this.node;
    return {
      node,
      ledger: this.ledger,
      events: this.events,
      parts: this.parts,
      planner: this.planner,
      payers: new PayRegistry(this.events),
      info: () => node.getInfo(),
      clock: this.time,
      simulated: true,
      merchants: {},
      dataDir: this.dir,
      routes: new RouteGraph(node, () => node.pubkey),
    };
  }

  /** Time of each plan so far (CPU ms). */
  plannerSamples(): readonly number[] {
    return this.planner.samples;
  }

  /** Waits (on the virtual clock) until no part of this payment is pending in the ledger. */
  settled(hash: string): Promise<void> {
    return this.time.run(this.allResolved(hash));
  }

  /** The ledger's parts of one payment. */
  partsOf(hash: string) {
    return this.ledger.parts({ paymentHash: hash });
  }

  /** Parts written to the ledger so far (every HTLC the wallet sent). */
  ledgerParts(): number {
    return this.ledger.parts({}).length;
  }

  private allResolved(hash: string): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.ledger.parts({ paymentHash: hash }).some((p) => p.status === 'pending')) return;
        off();
        resolve();
      };
      const off = this.events.on('partialpayment', check);
      check();
    });
  }

  async close(): Promise<void> {
    await this.planner.stop();
    this.parts.stop();
    this.ledger.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** simnet's SendPaymentV2 with the receiver's invoice (MPP, LND's 16 parts), on the virtual clock. */
export async function payLnd(run: PaymentRun): Promise<Outcome> {
  const { sim, time, invoice } = run;
  const lnd = sim.lnd(run.sender);
  const start = time.now();
  let paidAt: number | undefined;
  const off = lnd.payments.subscribe(invoice.hash, (payment) => {
    if (paidAt === undefined && paymentStatus(payment) === 'SUCCEEDED') paidAt = time.now();
  });
  const { done } = startPayment(lnd, {
    dest: run.receiver,
    amtMsat: run.amountMsat,
    paymentHash: invoice.hash,
    paymentAddr: invoice.paymentAddr,
    finalCltvDelta: invoice.cltvExpiry,
    feeLimitMsat: feeLimit(run.amountMsat),
    maxParts: MAX_PARTS,
    maxShardSizeMsat: 0n,
    timeoutSeconds: TIMEOUT_SECONDS,
    outgoingChanIds: [],
    cltvLimit: 0,
    mpp: true,
  });
  await time.run(done);
  off();
  const payment = lnd.payments.get(invoice.hash);
  const htlcs = payment?.htlcs ?? [];
  const paid = paidAt !== undefined;
  return {
    paid,
    timeMs: (paidAt ?? time.now()) - start,
    htlcs: htlcs.length,
    failedHtlcs: htlcs.filter((h) => h.status === 'FAILED').length,
    feeMsat: paid ? htlcs.filter((h) => h.status === 'SUCCEEDED').reduce((s, h) => s + h.route.totalFeesMsat, 0n) : 0n,
    plannerMs: [],
  };
}

/** One findRoute for the whole amount (its real time waited on the virtual clock), one HTLC, no retry. */
export async function paySingle(run: PaymentRun): Promise<Outcome> {
  const { sim, time, invoice } = run;
  const lnd = sim.lnd(run.sender);
  const start = time.now();
  const t = process.threadCpuUsage();
  const found = findRoute(sim.net, lnd.mission, run.sender, {
    target: run.receiver,
    amtMsat: run.amountMsat,
    finalCltvDelta: invoice.cltvExpiry + BLOCK_PADDING,
    feeLimitMsat: feeLimit(run.amountMsat),
    mpp: { paymentAddr: invoice.paymentAddr, totalAmtMsat: run.amountMsat },
  });
  const plannerMs = [cpuMs(t)];
  await time.run(sleep(time, plannerMs[0] as number));
  if (isNoRoute(found))
    return { paid: false, timeMs: time.now() - start, htlcs: 0, failedHtlcs: 0, feeMsat: 0n, plannerMs };
  const attempt = await time.run(lnd.sendToRoute(invoice.hash, found.route, false));
  const paid = attempt.status === 'SUCCEEDED';
  return {
    paid,
    timeMs: time.now() - start,
    htlcs: 1,
    failedHtlcs: paid ? 0 : 1,
    feeMsat: paid ? found.route.totalFeesMsat : 0n,
    plannerMs,
  };
}
