import { ApiError, ErrorCode } from '../../../shared/api/errors';
import type { LndRoute } from '../../../shared/lnd-route';
import { toLndRoute } from '../../../shared/route';
import { parseScid } from '../../../shared/scid';
import type { PartFailure, PartialPayment, Payment, Route } from '../../../shared/types';
import type { EventBus } from '../events';
import { StorageHealth, StorageStopped } from '../ledger/health';
import type { BeginPartArgs, BeginSinglePayArgs, Ledger, ResolveResult } from '../ledger/ledger';
import { type HtlcAttempt, type LightningNode, type NodeInfo, type NodePayment, NodeRefusal } from '../node/types';
import { describeHtlcFailure } from './failure';

export type PartRequest = Omit<BeginPartArgs, 'now'>;

export type Outcome = { status: 'complete'; preimage: string } | { status: 'failed'; failure: PartFailure };

/**
 * The same HTLC seen from both sides, by its channels and amounts: a cut-off call never told us its attempt id, and
 * after a restart only our own route is left (the CLTVs depended on the height of the moment).
 */
function lndRouteKey(route: LndRoute): string {
  return `${route.hops.map((h) => h.chan_id).join(',')}|${route.total_amt_msat}|${route.hops.at(-1)?.amt_to_forward_msat}`;
}

function partRouteKey(route: Route): string {
  return `${route.map((h) => parseScid(h.channel)).join(',')}|${route[0]?.msatoshi}|${route.at(-1)?.msatoshi}`;
}

/**
 * Hands parts to the node and records what becomes of them (the payment lifecycle). Every part is written pending
 * before its HTLC leaves; every outcome is written before anyone is told. Outcomes come from the SendToRouteV2
 * answer, or, when that call was cut off, from the node's payment updates.
 */
export class PartDispatcher {
  private stopTracking: (() => void) | undefined;
  /** Once a ledger write fails for the disk's sake, no new send starts. */
  readonly storage = new StorageHealth();
  /** Parts whose SendToRouteV2 call is still open: their answer will come from it, not from reconciliation. */
  private readonly dispatching = new Set<number>();
  private offState: (() => void) | undefined;
  /** Parts handed over whose caller still waits to hear that the node has the HTLC (or refused it). */
  private readonly unconfirmed = new Map<number, () => void>();
  /** Set by stop(): an answer the node gives later (gRPC lets open calls finish) is left for the next start. */
  private stopped = false;

  constructor(
    private readonly ledger: Ledger,
    private readonly node: LightningNode,
    private readonly events: EventBus,
    private readonly ownId: () => string,
    /** The node's info as the core caches it: routes' delays are relative to its block height. */
    private readonly info: () => Promise<NodeInfo> = () => node.getInfo(),
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** Follows the node's payments, then settles every part left pending by an earlier run. */
  async start(): Promise<void> {
    this.stopTracking = this.node.trackPayments((payment) => this.recording(() => this.onNodePayment(payment)));
    // Payments that ended while the connection was down are not replayed by TrackPayments: ask after each return.
    let wasLost = false;
    this.offState = this.node.onState((state) => {
      if (state === 'lost') wasLost = true;
      if (state === 'connected' && wasLost) {
        wasLost = false;
        void this.recover().catch(() => {});
      }
    });
    await this.recover();
  }

  /**
   * Stops recording: the ledger may be closed next. Parts still out stay pending on disk, and the next start settles
   * them from the node's records, as after a crash.
   */
  stop(): void {
    this.stopped = true;
    this.stopTracking?.();
    this.stopTracking = undefined;
    this.offState?.();
  }

  private async height(): Promise<number> {
    return (await this.info()).blockheight;
  }

  /**
   * sendpartialpay: the proposal's rules in the ledger, then the HTLC. Returns once the node has the HTLC (its
   * attempt is in the node's payment records) or has refused it: the part as it then stands.
   */
  async sendPartial(request: PartRequest): Promise<PartialPayment | Payment> {
    this.storage.assertWritable();
    const height = await this.height();
    const begun = this.storage.write(() => this.ledger.beginPart({ ...request, now: this.now() }));
    if (begun.kind === 'complete') return begun.payment;
    this.announce(begun.part, begun.payment);
    await this.dispatch(begun.part, request.route, height, begun.paymentSecret, request.intendedMsat);
    // What the node said could not be written: the part is pending on disk, and the caller is not told otherwise.
    return this.storage.write(() => this.ledger.part(begun.part.id) ?? begun.part);
  }

  /** sendpay: the whole amount in one part, tracked and recovered like any other. Returns the payment once the
   * node has the HTLC or has refused it. */
  async sendSingle(request: Omit<BeginSinglePayArgs, 'now'> & { destination: string }): Promise<Payment> {
    this.storage.assertWritable();
    const height = await this.height();
    const begun = this.storage.write(() => this.ledger.beginSinglePay({ ...request, now: this.now() }));
    if (begun.kind === 'complete') return begun.payment;
    this.announce(begun.part, begun.payment);
    const secret = begun.paymentSecret;
    if (secret) await this.dispatch(begun.part, request.route, height, secret, begun.payment.msatoshi);
    else await this.dispatchLegacy(begun.part, request.route, height);
    return this.storage.write(() => this.ledger.payment(begun.payment.payment_hash) ?? begun.payment);
  }

  /** Hands one written part to the node; resolves once the node has it or refused it. Its outcome is recorded
   * whenever it comes. */
  dispatch(part: PartialPayment, route: Route, height: number, secret: string, totalMsat: bigint): Promise<void> {
    return this.handOver(part, toLndRoute(route, { height, mpp: { paymentSecret: secret, totalMsat } }), true);
  }

  /** Without a payment secret there is no MPP record, and LND refuses skip_temp_err for such a route. */
  private dispatchLegacy(part: PartialPayment, route: Route, height: number): Promise<void> {
    return this.handOver(part, toLndRoute(route, { height }), false);
  }

  private handOver(part: PartialPayment, lndRoute: LndRoute, skipTempErr: boolean): Promise<void> {
    this.dispatching.add(part.id);
    const confirmed = handOverConfirmation(this, part);
    // Not awaited: SendToRouteV2 blocks until the HTLC resolves, and the parts of a payment must be out together.
    // What is awaited is the node's word that it has the HTLC: its TrackPayments update, a lookup, or this answer.
    void this.node.sendToRoute(part.payment_hash, lndRoute, skipTempErr).then(
      (attempt) => {
        this.dispatching.delete(part.id);
        this.recording(() => this.onAttempt(part, attempt), part.id);
      },
      (error: unknown) => {
        this.dispatching.delete(part.id);
        if (error instanceof NodeRefusal) {
          // The node refused before the HTLC left: nothing is out, so the part failed.
          this.recording(
            () =>
              this.resolve(part.id, { status: 'failed', failure: { code: 'NODE_REFUSED', message: error.message } }),
            part.id,
          );
          return;
        }
        // The connection was cut: the HTLC may be out. The node's records will tell, once it is back.
        if (this.node.state === 'connected') setTimeout(() => void this.recover().catch(() => {}), 200).unref();
      },
    );
    return confirmed;
  }

  /** The caller of a hand-over waits on this; `confirm` ends the wait (the node has the HTLC, or it ended). */
  awaitConfirmation(partId: number, confirm: () => void): void {
    this.unconfirmed.set(partId, confirm);
  }

  forgetConfirmation(partId: number): void {
    this.unconfirmed.delete(partId);
  }

  private confirm(partId: number): void {
    const confirm = this.unconfirmed.get(partId);
    if (!confirm) return;
    this.unconfirmed.delete(partId);
    confirm();
  }

  /** Asks the node for its record of one payment, so that parts it holds are confirmed (a missed stream update). */
  async lookForAttempts(paymentHash: string): Promise<void> {
    const payment = await this.node.lookupPayment(paymentHash);
    if (payment) this.recording(() => this.onNodePayment(payment));
  }

  /**
   * Records what the node said. Should the disk fail, the part stays pending on disk (the node's records settle it
   * after a restart) and new sends are stopped; the caller waiting for the hand-over is told so.
   */
  private recording(record: () => void, partId?: number): void {
    if (this.stopped) {
      if (partId !== undefined) this.confirm(partId);
      return;
    }
    try {
      this.storage.write(record);
    } catch (error) {
      if (!(error instanceof StorageStopped)) throw error;
      if (partId !== undefined) this.confirm(partId);
    }
  }

  private onAttempt(part: PartialPayment, attempt: HtlcAttempt): void {
    this.ledger.setAttemptId(part.id, attempt.attempt_id);
    this.confirm(part.id);
    const outcome = this.outcomeOf(attempt, part.route);
    if (outcome) this.resolve(part.id, outcome);
  }

  private outcomeOf(attempt: HtlcAttempt, route: Route): Outcome | undefined {
    if (attempt.status === 'SUCCEEDED' && attempt.preimage) return { status: 'complete', preimage: attempt.preimage };
    if (attempt.status === 'FAILED') {
      return { status: 'failed', failure: describeHtlcFailure(attempt.failure, route, this.ownId()) };
    }
    return undefined;
  }

  private resolve(partId: number, outcome: Outcome): void {
    const { part, payment, changed } = this.ledger.resolvePart(partId, outcome, this.now());
    if (changed) this.announce(part, payment);
    this.confirm(partId);
  }

  announce(part: PartialPayment, payment: Payment): void {
    this.events.emit('partialpayment', part);
    this.events.emit('payment', payment);
  }

  /** Matches the node's HTLC attempts of one payment to our pending parts of that hash. */
  private onNodePayment(payment: NodePayment): void {
    const pending = this.ledger.parts({ paymentHash: payment.payment_hash }).filter((p) => p.status === 'pending');
    if (pending.length === 0) return;
    for (const { part, attempt } of this.match(pending, payment.htlcs)) {
      const outcome = this.outcomeOf(attempt, part.route);
      if (outcome) this.resolve(part.id, outcome);
    }
  }

  private match(parts: PartialPayment[], htlcs: HtlcAttempt[]) {
    const pairs: { part: PartialPayment; attempt: HtlcAttempt }[] = [];
    // Attempts already told to belong to ended parts of this payment (the same route tried again) are not these.
    const pendingIds = new Set(parts.map((p) => p.id));
    const used = new Set<bigint>();
    for (const other of parts[0] ? this.ledger.parts({ paymentHash: parts[0].payment_hash }) : []) {
      if (pendingIds.has(other.id)) continue;
      const id = this.ledger.attemptId(other.id);
      if (id !== undefined) used.add(id);
    }
    const attemptIds = new Map(parts.map((p) => [p.id, this.ledger.attemptId(p.id)]));
    for (const part of parts) {
      const known = attemptIds.get(part.id);
      const attempt = known !== undefined ? htlcs.find((h) => h.attempt_id === known) : undefined;
      if (attempt) {
        used.add(attempt.attempt_id);
        pairs.push({ part, attempt });
        this.confirm(part.id);
      }
    }
    for (const part of parts) {
      if (attemptIds.get(part.id) !== undefined) continue;
      const key = partRouteKey(part.route);
      const attempt = htlcs.find((h) => !used.has(h.attempt_id) && lndRouteKey(h.route) === key);
      if (!attempt) continue;
      used.add(attempt.attempt_id);
      this.ledger.setAttemptId(part.id, attempt.attempt_id);
      pairs.push({ part, attempt });
      this.confirm(part.id);
    }
    return pairs;
  }

  /**
   * After a restart or a lost connection: each pending part is settled by what the node knows. A part the node never saw never left
   * (it was written, then the wallet stopped before handing it over), so it failed; one still in flight is followed.
   * The node is asked once for all its payments when many hashes are pending, else hash by hash, a few at a time;
   * the outcomes are then written in one transaction, and announced in the order of the parts.
   */
  async recover(): Promise<{ completed: number; failed: number; pending: number }> {
    if (this.stopped) return { completed: 0, failed: 0, pending: 0 };
    const pending = this.ledger.pendingParts().filter((p) => !this.dispatching.has(p.id));
    const byHash = new Map<string, PartialPayment[]>();
    for (const part of pending) {
      const parts = byHash.get(part.payment_hash);
      if (parts) parts.push(part);
      else byHash.set(part.payment_hash, [part]);
    }
    const payments = await this.nodePayments([...byHash.keys()]);
    if (this.stopped) return { completed: 0, failed: 0, pending: pending.length };
    const outcomes: { id: number; outcome: Outcome }[] = [];
    let completed = 0;
    let failed = 0;
    for (const [hash, parts] of byHash) {
      const payment = payments.get(hash);
      const matched = payment ? this.match(parts, payment.htlcs) : [];
      for (const part of parts) {
        const pair = matched.find((m) => m.part.id === part.id);
        if (!pair) {
          outcomes.push({ id: part.id, outcome: NEVER_SENT });
          failed += 1;
          continue;
        }
        const outcome = this.outcomeOf(pair.attempt, part.route);
        if (!outcome) continue;
        outcomes.push({ id: part.id, outcome });
        if (outcome.status === 'complete') completed += 1;
        else failed += 1;
      }
    }
    this.resolveAll(outcomes);
    return { completed, failed, pending: pending.length - completed - failed };
  }

  /**
   * The node's records of these payment hashes (absent: the node never saw the hash). Many hashes: one ListPayments
   * (a round trip per 10,000 payments) beats a TrackPaymentV2 per hash, which over a remote connection is a round
   * trip each; a few: those lookups, RECOVERY_LOOKUPS at a time.
   */
  private async nodePayments(hashes: string[]): Promise<Map<string, NodePayment>> {
    const found = new Map<string, NodePayment>();
    if (hashes.length > RECOVERY_LIST_ABOVE) {
      const wanted = new Set(hashes);
      for (const payment of await this.node.listPayments()) {
        if (wanted.has(payment.payment_hash)) found.set(payment.payment_hash, payment);
      }
      return found;
    }
    let next = 0;
    let failed = false;
    const worker = async () => {
      // After a failed lookup (recover throws it), the others ask nothing more.
      while (next < hashes.length && !failed) {
        const hash = hashes[next++] as string;
        try {
          const payment = await this.node.lookupPayment(hash);
          if (payment) found.set(hash, payment);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RECOVERY_LOOKUPS, hashes.length) }, worker));
    return found;
  }

  /**
   * Writes the outcomes in one transaction, then announces the parts that changed, in order. Should the ledger refuse
   * one (it would refuse the whole batch), they are written one by one instead, as far as they go, so that those
   * before it are kept and the refusal is thrown as it would have been.
   */
  private resolveAll(outcomes: { id: number; outcome: Outcome }[]): void {
    let results: ResolveResult[];
    try {
      results = this.ledger.resolveParts(outcomes, this.now());
    } catch {
      for (const { id, outcome } of outcomes) this.resolve(id, outcome);
      return;
    }
    for (const { part, payment, changed } of results) {
      if (changed) this.announce(part, payment);
      this.confirm(part.id);
    }
  }
}

/** First look at the node's record of a payment when its stream has not confirmed a hand-over by then (ms);
 * doubled at each look. */
const CONFIRM_LOOK_MS = 150;
/** Gives up waiting for the node's word (the connection is cut): the part stays pending, the caller is told. */
export const CONFIRM_TIMEOUT_MS = 8_000;

/**
 * Resolves once the node has the part's HTLC (or refused it, or it ended): from the TrackPayments stream, the
 * SendToRouteV2 answer, recovery after a reconnection, or, should the stream be slow or reopening, a lookup of the
 * payment. Rejects with a node error (-1) when the node cannot tell within CONFIRM_TIMEOUT_MS.
 */
function handOverConfirmation(dispatcher: PartDispatcher, part: PartialPayment): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let lookDelay = CONFIRM_LOOK_MS;
    let look: NodeJS.Timeout | undefined;
    const started = Date.now();
    const end = () => {
      clearTimeout(look);
      clearTimeout(timeout);
    };
    const scheduleLook = () => {
      look = setTimeout(() => {
        dispatcher
          .lookForAttempts(part.payment_hash)
          .catch(() => {})
          .finally(() => {
            if (Date.now() - started < CONFIRM_TIMEOUT_MS) scheduleLook();
          });
      }, lookDelay);
      look.unref();
      lookDelay *= 2;
    };
    const timeout = setTimeout(() => {
      end();
      dispatcher.forgetConfirmation(part.id);
      reject(
        new ApiError(
          ErrorCode.Internal,
          `the node did not confirm part ${part.id}'s HTLC within ${CONFIRM_TIMEOUT_MS / 1000} s (connection to the ` +
            `node lost?): the part is recorded pending and will end as the node's records say (waitpartialpay ${part.id})`,
          part,
        ),
      );
    }, CONFIRM_TIMEOUT_MS);
    timeout.unref();
    dispatcher.awaitConfirmation(part.id, () => {
      end();
      resolve();
    });
    scheduleLook();
  });
}

/** Above this many pending payment hashes, recovery asks the node for all its payments at once. */
const RECOVERY_LIST_ABOVE = 20;
/** Lookups under way at once otherwise. */
const RECOVERY_LOOKUPS = 8;

const NEVER_SENT: Outcome = {
  status: 'failed',
  failure: {
    code: 'NEVER_SENT',
    message:
      'The node never received this part: the wallet stopped, or the connection was cut, before it was handed over',
  },
};

export function notFound(what: string, value: unknown): ApiError {
  return new ApiError(ErrorCode.NotFound, `no such ${what}: ${String(value)}`);
}
