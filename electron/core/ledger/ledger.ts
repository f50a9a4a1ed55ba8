import { createHash } from 'node:crypto';
import type { Transaction } from 'better-sqlite3';
import { ApiError, ErrorCode, invalidParam } from '../../../shared/api/errors';
import { isFailureCode, toFailureCode } from '../../../shared/failures';
import type { PartFailure, PartialPayment, Payment, Route, RouteHop, Status } from '../../../shared/types';
import { type BeliefStore, beliefStore } from './beliefs';
import { csvCell } from './csv';
import { closeDatabase, type Db, type OpenOptions, openDatabase } from './db';

// The ledger: the two tables of the proposal (payments, partial_payments) and the rules that change them
// (../../../shared/reference/api.md, "The seed's commands"). It never talks to the node. The core calls beginPart
// before it hands an HTLC to the node, resolvePart when the node reports the outcome, then tells the listeners.
// Every change of state is one BEGIN IMMEDIATE transaction, so its checks and its writes cannot interleave with
// another writer's; an error rolls back everything, so an error changes nothing.

/** 21 million bitcoin in millisatoshi: no amount is larger. */
export const MAX_MSAT = 2_100_000_000_000_000_000n;
const MAX_I64 = (1n << 63n) - 1n;
const STATUSES: readonly Status[] = ['pending', 'complete', 'failed'];

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

export interface ExportFilter {
  /** Payments created at or after this Unix time. */
  since?: number;
  /** Payments created before this Unix time (exclusive). */
  until?: number;
  status?: Status;
}

export interface ExportRow {
  payment: Payment;
  /** Ascending id. */
  parts: PartialPayment[];
}

/**
 * A part as the export writes it: a PartialPayment whose `route` is already text, as the export writes it. `json`:
 * the route's JSON, amounts as JSON numbers (exact: digits, never a float), exactly what `toJson(part.route)` writes;
 * `csv`: that JSON as one CSV field, exactly what `csvCell` makes of it.
 */
export type ExportPart = Omit<PartialPayment, 'route'> & { route: string };

/** `json`: as the JSON export writes it; `csv`: that JSON as one CSV field; `stored`: the stored text as it is. */
export type ExportRouteForm = 'json' | 'csv' | 'stored';

export interface ExportRecord {
  payment: Payment;
  /** Ascending id. */
  parts: ExportPart[];
}

interface PaymentRow {
  id: bigint;
  payment_hash: string;
  status: Status;
  msatoshi: bigint;
  destination: string;
  description: string | null;
  bolt11: string | null;
  payment_secret: string | null;
  created_at: bigint;
  completed_at: bigint | null;
  payment_preimage: string | null;
}

interface PaymentAggRow extends PaymentRow {
  sent: bigint;
  n_pending: bigint;
  n_complete: bigint;
  n_failed: bigint;
}

interface PartRow {
  id: bigint;
  payment_hash: string;
  status: Status;
  msatoshi: bigint;
  msatoshi_sent: bigint;
  destination: string;
  route: string;
  created_at: bigint;
  completed_at: bigint | null;
  payment_preimage: string | null;
  failure_code: string | null;
  failure_message: string | null;
  erring_index: bigint | null;
  erring_node: string | null;
  erring_channel: string | null;
  attempt_id: bigint | null;
}

// A payment with what is derived from its parts: msatoshi_sent (parts not failed, fees included) and the counts.
const PAYMENT_SELECT = `
  SELECT p.*,
    COALESCE(SUM(q.msatoshi_sent) FILTER (WHERE q.status <> 'failed'), 0) AS sent,
    COUNT(q.id) FILTER (WHERE q.status = 'pending') AS n_pending,
    COUNT(q.id) FILTER (WHERE q.status = 'complete') AS n_complete,
    COUNT(q.id) FILTER (WHERE q.status = 'failed') AS n_failed
  FROM payments p LEFT JOIN partial_payments q ON q.payment_hash = p.payment_hash`;

const EXPORT_FILTER = `(@since IS NULL OR p.created_at >= @since)
  AND (@until IS NULL OR p.created_at < @until)
  AND (@status IS NULL OR p.status = @status)`;

function prepareStatements(db: Db) {
  return {
    paymentRow: db.prepare<[string], PaymentRow>('SELECT * FROM payments WHERE payment_hash = ?'),
    payment: db.prepare<[string], PaymentAggRow>(`${PAYMENT_SELECT} WHERE p.payment_hash = ? GROUP BY p.id`),
    payments: db.prepare<[], PaymentAggRow>(`${PAYMENT_SELECT} GROUP BY p.id ORDER BY p.id`),
    // Export, one batch: the next `limit` payments after id `after`, then the parts of exactly those (the same
    // conditions on the id range up to the batch's last id), in payment order then part id, so that each payment's
    // parts follow one another. Each part is read once; msatoshi_sent and the counts are summed from them in JS.
    exportPayments: db.prepare<[Record<string, unknown>], PaymentRow>(
      `SELECT p.* FROM payments p WHERE p.id > @after AND ${EXPORT_FILTER} ORDER BY p.id LIMIT @limit`,
    ),
    exportCount: db.prepare<[Record<string, unknown>], { n: bigint }>(
      `SELECT COUNT(*) AS n FROM payments p WHERE ${EXPORT_FILTER}`,
    ),
    exportParts: db.prepare<[Record<string, unknown>], PartRow>(
      `SELECT q.* FROM payments p JOIN partial_payments q ON q.payment_hash = p.payment_hash
       WHERE p.id > @after AND p.id <= @last AND ${EXPORT_FILTER}
       ORDER BY p.id, q.id`,
    ),
    part: db.prepare<[number], PartRow>('SELECT * FROM partial_payments WHERE id = ?'),
    allParts: db.prepare<[], PartRow>('SELECT * FROM partial_payments ORDER BY id'),
    partsByHash: db.prepare<[string], PartRow>('SELECT * FROM partial_payments WHERE payment_hash = ? ORDER BY id'),
    partByIdAndHash: db.prepare<[number, string], PartRow>(
      'SELECT * FROM partial_payments WHERE id = ? AND payment_hash = ?',
    ),
    pendingParts: db.prepare<[], PartRow>("SELECT * FROM partial_payments WHERE status = 'pending' ORDER BY id"),
    partsByAttempt: db.prepare<[string, bigint], PartRow>(
      'SELECT * FROM partial_payments WHERE payment_hash = ? AND attempt_id = ? ORDER BY id',
    ),
    // What counts against intended_msatoshi: what the parts pending or complete deliver.
    inFlight: db
      .prepare<[string], bigint>(
        "SELECT COALESCE(SUM(msatoshi), 0) FROM partial_payments WHERE payment_hash = ? AND status IN ('pending', 'complete')",
      )
      .pluck(),
    insertPayment: db.prepare(
      `INSERT INTO payments (payment_hash, status, msatoshi, destination, description, bolt11, payment_secret, created_at)
       VALUES (@hash, 'pending', @msatoshi, @destination, @description, @bolt11, @secret, @now)`,
    ),
    // A failed payment becomes pending again (and a pending one stays so); what was not known is filled in.
    reopenPayment: db.prepare(
      `UPDATE payments SET status = 'pending', completed_at = NULL,
         payment_secret = COALESCE(payment_secret, @secret),
         description = COALESCE(description, @description),
         bolt11 = COALESCE(bolt11, @bolt11)
       WHERE payment_hash = @hash AND status <> 'complete'`,
    ),
    insertPart: db.prepare(
      `INSERT INTO partial_payments (payment_hash, status, msatoshi, msatoshi_sent, destination, route, created_at)
       VALUES (@hash, 'pending', @msatoshi, @sent, @destination, @route, @now)`,
    ),
    completePart: db.prepare(
      `UPDATE partial_payments SET status = 'complete', payment_preimage = @preimage, completed_at = @now,
         attempt_id = COALESCE(attempt_id, @attemptId)
       WHERE id = @id AND status <> 'complete'`,
    ),
    failPart: db.prepare(
      `UPDATE partial_payments SET status = 'failed', completed_at = @now, failure_code = @code,
         failure_message = @message, erring_index = @erringIndex, erring_node = @erringNode,
         erring_channel = @erringChannel, attempt_id = COALESCE(attempt_id, @attemptId)
       WHERE id = @id AND status = 'pending'`,
    ),
    completePayment: db.prepare(
      `UPDATE payments SET status = 'complete', payment_preimage = @preimage, completed_at = @now
       WHERE payment_hash = @hash AND status <> 'complete'`,
    ),
    // Only when no other part is pending or complete: all the parts of this hash failed.
    failPayment: db.prepare(
      `UPDATE payments SET status = 'failed', completed_at = @now
       WHERE payment_hash = @hash AND status = 'pending'
         AND NOT EXISTS (SELECT 1 FROM partial_payments
                         WHERE payment_hash = @hash AND status IN ('pending', 'complete'))`,
    ),
    setAttemptId: db.prepare<[bigint, number]>('UPDATE partial_payments SET attempt_id = ? WHERE id = ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export class Ledger {
  private readonly s: Statements;
  private readonly beginPartTx: Transaction<(args: BeginPartArgs, route: CheckedRoute) => BeginPartResult>;
  private readonly beginSinglePayTx: Transaction<
    (args: BeginSinglePayArgs, route: CheckedRoute, destination: string) => BeginSinglePayResult
  >;
  private readonly resolvePartTx: Transaction<(id: number, outcome: PartOutcome, now: number) => ResolveResult>;
  private readonly resolvePartsTx: Transaction<(items: readonly ResolveItem[], now: number) => ResolveResult[]>;
  private readonly setAttemptIdTx: Transaction<(partId: number, attemptId: bigint) => void>;
  private readonly exportBatchTx: Transaction<(params: Record<string, unknown>) => ExportBatch>;

  private constructor(
    private readonly db: Db,
    /** The data directory (as given to `open`). */
    readonly dataDir: string,
  ) {
    this.s = prepareStatements(db);
    this.beginPartTx = db.transaction((args: BeginPartArgs, route: CheckedRoute) => this.beginPartIn(args, route));
    this.beginSinglePayTx = db.transaction((args: BeginSinglePayArgs, route: CheckedRoute, destination: string) =>
      this.beginSinglePayIn(args, route, destination),
    );
    this.resolvePartTx = db.transaction((id: number, outcome: PartOutcome, now: number) =>
      this.resolvePartIn(id, outcome, now),
    );
    this.resolvePartsTx = db.transaction((items: readonly ResolveItem[], now: number) =>
      items.map(({ id, outcome }) => this.resolvePartIn(id, outcome, now)),
    );
    this.setAttemptIdTx = db.transaction((partId: number, attemptId: bigint) => {
      const row = this.partRowOrThrow(partId);
      if (row.attempt_id !== attemptId) this.s.setAttemptId.run(attemptId, partId);
    });
    this.exportBatchTx = db.transaction((params: Record<string, unknown>): ExportBatch => {
      const payments = this.s.exportPayments.all(params);
      const last = payments.at(-1)?.id;
      if (last === undefined) return { payments, parts: [] };
      return { payments, parts: this.s.exportParts.all({ ...params, last }) };
    });
  }

  /**
   * Opens the ledger in `dataDir` (created if missing), migrating its schema. Throws `LedgerLockedError` when another
   * process (or another Ledger in this one) has it open. `options.exclusive: false` is for tests and tools only.
   */
  static open(dataDir: string, options?: OpenOptions): Ledger {
    return new Ledger(openDatabase(dataDir, options), dataDir);
  }

  /** Closes the file and releases the lock. Idempotent. */
  close(): void {
    closeDatabase(this.db, this.dataDir);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  private beliefStore: BeliefStore | undefined;

  /** The planner's learned beliefs about other channels, in this file (see beliefs.ts). */
  get beliefs(): BeliefStore {
    this.beliefStore ??= beliefStore(this.db);
    return this.beliefStore;
  }

  // ---- Changes of state ------------------------------------------------------------------------------------------

  /**
   * `sendpartialpay`'s rules, before the part's HTLC is handed to the node. From the proposal: no payment → create it
   * with msatoshi = intended; intended differs from the payment's → -32602, nothing changes; payment complete →
   * `{ kind: 'complete' }`, nothing changes; payment failed → pending again. Then, for money safety: the route's last
   * hop must be the payment's destination (201); a payment secret is required for the first part (-32602) and must
   * not differ from the payment's (201); the part plus the parts pending or complete must not deliver more than
   * intended (200). Then the part is written, pending.
   */
  beginPart(args: BeginPartArgs): BeginPartResult {
    checkHex64('payment_hash', args.paymentHash);
    checkMsat('intended_msatoshi', args.intendedMsat);
    const route = checkRoute(args.route);
    checkNodeId('destination', args.destination);
    if (args.paymentSecret !== undefined) checkHex64('payment_secret', args.paymentSecret);
    checkOptionalText('description', args.description);
    checkOptionalText('bolt11', args.bolt11);
    checkNow(args.now);
    return this.beginPartTx.immediate(args, route);
  }

  private beginPartIn(args: BeginPartArgs, route: CheckedRoute): BeginPartResult {
    const hash = args.paymentHash;
    const existing = this.s.paymentRow.get(hash);
    if (existing) {
      if (existing.msatoshi !== args.intendedMsat) {
        throw invalidParam(
          'intended_msatoshi',
          args.intendedMsat,
          `differs from the msatoshi ${existing.msatoshi} of payment ${hash}`,
        );
      }
      if (existing.status === 'complete') return { kind: 'complete', payment: this.paymentOrThrow(hash) };
    }
    const destination = existing?.destination ?? args.destination;
    checkDestination(destination, args.destination, route);
    const secret = existing?.payment_secret ?? args.paymentSecret;
    if (secret === undefined) {
      throw invalidParam(
        'payment_secret',
        args.paymentSecret,
        `is required for the first part of payment ${hash} (give payment_secret or bolt11)`,
      );
    }
    if (args.paymentSecret !== undefined && args.paymentSecret !== secret) {
      throw new ApiError(
        ErrorCode.Mismatch,
        `payment_secret: ${args.paymentSecret} differs from the payment secret of payment ${hash}`,
      );
    }
    const inFlight = existing ? (this.s.inFlight.get(hash) as bigint) : 0n;
    if (inFlight + route.delivered > args.intendedMsat) {
      throw new ApiError(
        ErrorCode.InProgress,
        `route: this part's ${route.delivered} msatoshi plus the ${inFlight} msatoshi of the parts pending or complete ` +
          `would exceed intended_msatoshi ${args.intendedMsat} of payment ${hash}`,
      );
    }
    const fields = {
      hash,
      secret,
      description: args.description ?? null,
      bolt11: args.bolt11 ?? null,
    };
    if (existing) this.s.reopenPayment.run(fields);
    else this.s.insertPayment.run({ ...fields, msatoshi: args.intendedMsat, destination, now: args.now });
    const part = this.insertPart(hash, route, destination, args.now);
    return { kind: 'created', part, payment: this.paymentOrThrow(hash), paymentSecret: secret };
  }

  /**
   * `sendpay`'s rules: the whole amount in one part. Payment pending → 200, nothing changes; complete →
   * `{ kind: 'complete' }`, nothing sent; failed → pending again. `msatoshi`, when given, must equal what the route
   * delivers, and a payment that exists must have that msatoshi (-32602). Destination and payment secret as for
   * `beginPart` (201), except that the secret is optional.
   */
  beginSinglePay(args: BeginSinglePayArgs): BeginSinglePayResult {
    checkHex64('payment_hash', args.paymentHash);
    const route = checkRoute(args.route);
    if (args.msatoshi !== undefined) {
      checkMsat('msatoshi', args.msatoshi);
      if (args.msatoshi !== route.delivered) {
        throw invalidParam('msatoshi', args.msatoshi, `must equal what the route delivers, ${route.delivered}`);
      }
    }
    const destination = args.destination ?? route.last.id;
    checkNodeId('destination', destination);
    if (args.paymentSecret !== undefined) checkHex64('payment_secret', args.paymentSecret);
    checkOptionalText('description', args.description);
    checkOptionalText('bolt11', args.bolt11);
    checkNow(args.now);
    return this.beginSinglePayTx.immediate(args, route, destination);
  }

  private beginSinglePayIn(args: BeginSinglePayArgs, route: CheckedRoute, given: string): BeginSinglePayResult {
    const hash = args.paymentHash;
    const existing = this.s.paymentRow.get(hash);
    if (existing) {
      if (existing.status === 'pending') {
        throw new ApiError(
          ErrorCode.InProgress,
          `payment_hash: payment ${hash} is still pending; wait for it with waitsendpay`,
        );
      }
      if (existing.status === 'complete') return { kind: 'complete', payment: this.paymentOrThrow(hash) };
      if (existing.msatoshi !== route.delivered) {
        throw invalidParam(
          'msatoshi',
          route.delivered,
          `the route delivers a different amount than the msatoshi ${existing.msatoshi} of payment ${hash}`,
        );
      }
    }
    const destination = existing?.destination ?? given;
    // A destination not named by the caller (the route's end) is only checked as the route's end.
    checkDestination(destination, args.destination ?? destination, route);
    const stored = existing?.payment_secret ?? undefined;
    if (stored !== undefined && args.paymentSecret !== undefined && args.paymentSecret !== stored) {
      throw new ApiError(
        ErrorCode.Mismatch,
        `payment_secret: ${args.paymentSecret} differs from the payment secret of payment ${hash}`,
      );
    }
    const secret = stored ?? args.paymentSecret;
    // The payment is new or failed, so nothing is in flight; checked anyway, it is the rule that keeps money safe.
    const inFlight = existing ? (this.s.inFlight.get(hash) as bigint) : 0n;
    const msatoshi = existing?.msatoshi ?? route.delivered;
    if (inFlight + route.delivered > msatoshi) {
      throw new ApiError(
        ErrorCode.InProgress,
        `route: ${route.delivered} msatoshi plus the ${inFlight} msatoshi pending or complete would exceed ${msatoshi}`,
      );
    }
    const fields = { hash, secret: secret ?? null, description: args.description ?? null, bolt11: args.bolt11 ?? null };
    if (existing) this.s.reopenPayment.run(fields);
    else this.s.insertPayment.run({ ...fields, msatoshi, destination, now: args.now });
    const part = this.insertPart(hash, route, destination, args.now);
    const payment = this.paymentOrThrow(hash);
    return secret === undefined
      ? { kind: 'created', part, payment }
      : { kind: 'created', part, payment, paymentSecret: secret };
  }

  /**
   * Records the outcome of a part, and from the proposal: a completed part completes the payment (preimage,
   * completed_at); a failed part fails the payment only when every other part of the hash failed too; otherwise the
   * payment keeps its status. Idempotent: a part that already has this outcome is left alone (`changed: false`).
   * `complete` is final: a failure reported for a completed part changes nothing. A failed part that the node later
   * reports fulfilled becomes complete (the preimage proves the payment), and so does its payment.
   * The preimage must hash to the payment hash. Unknown id: 208.
   */
  resolvePart(id: number, outcome: PartOutcome, now: number): ResolveResult {
    checkResolve(id, outcome, now);
    return this.resolvePartTx.immediate(id, outcome, now);
  }

  /**
   * `resolvePart` for each item, in order, in one transaction (one fsync for them all, where separate calls take one
   * each): the same rules, the same results, in the same order. All or nothing: an item that `resolvePart` would
   * refuse makes the whole call throw, and nothing is written.
   */
  resolveParts(items: readonly ResolveItem[], now: number): ResolveResult[] {
    checkNow(now);
    for (const { id, outcome } of items) checkResolve(id, outcome, now);
    if (items.length === 0) return [];
    return this.resolvePartsTx.immediate(items, now);
  }

  private resolvePartIn(id: number, outcome: PartOutcome, now: number): ResolveResult {
    const row = this.partRowOrThrow(id);
    const hash = row.payment_hash;
    if (outcome.status === 'complete') {
      const digest = createHash('sha256').update(Buffer.from(outcome.preimage, 'hex')).digest('hex');
      if (digest !== hash) {
        throw new ApiError(
          ErrorCode.Internal,
          `payment_preimage: ${outcome.preimage} of partial payment ${id} does not hash to its payment_hash ${hash}`,
        );
      }
    }
    if (row.status === outcome.status || row.status === 'complete') {
      return { part: toPart(row), payment: this.paymentOrThrow(hash), changed: false };
    }
    const attemptId = outcome.attemptId ?? null;
    if (outcome.status === 'complete') {
      this.s.completePart.run({ id, preimage: outcome.preimage, now, attemptId });
      this.s.completePayment.run({ hash, preimage: outcome.preimage, now });
    } else {
      const f = outcome.failure;
      this.s.failPart.run({
        id,
        now,
        attemptId,
        code: f.code,
        message: f.message,
        erringIndex: f.erring_index ?? null,
        erringNode: f.erring_node ?? null,
        erringChannel: f.erring_channel ?? null,
      });
      this.s.failPayment.run({ hash, now });
    }
    return { part: this.partOrThrow(id), payment: this.paymentOrThrow(hash), changed: true };
  }

  /**
   * Records LND's attempt id for a part (for matching the node's HTLCs to parts after a restart). The last call wins:
   * the id from SendToRouteV2's own answer is authoritative and may replace one guessed earlier by matching routes.
   * Setting the same id again writes nothing. It is not a change of the part's state (no event needed). Unknown
   * part: 208.
   */
  setAttemptId(partId: number, attemptId: bigint): void {
    checkPartId(partId);
    checkAttemptId(attemptId);
    this.setAttemptIdTx.immediate(partId, attemptId);
  }

  // ---- Reads -----------------------------------------------------------------------------------------------------

  part(id: number): PartialPayment | undefined {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = this.s.part.get(id);
    return row && toPart(row);
  }

  /** Ascending id: all of them, the one `id`, those of one `paymentHash`, or both conditions. */
  parts(filter: PartsFilter = {}): PartialPayment[] {
    const { id, paymentHash } = filter;
    if (id !== undefined && !Number.isSafeInteger(id)) return [];
    let rows: PartRow[];
    if (id !== undefined && paymentHash !== undefined) {
      const row = this.s.partByIdAndHash.get(id, paymentHash);
      rows = row ? [row] : [];
    } else if (id !== undefined) {
      const row = this.s.part.get(id);
      rows = row ? [row] : [];
    } else if (paymentHash !== undefined) {
      rows = this.s.partsByHash.all(paymentHash);
    } else {
      rows = this.s.allParts.all();
    }
    return rows.map(toPart);
  }

  payment(hash: string): Payment | undefined {
    const row = this.s.payment.get(hash);
    return row && toPayment(row);
  }

  /** Oldest first (creation order); or the one payment of `hash`. */
  payments(hash?: string): Payment[] {
    if (hash !== undefined) {
      const payment = this.payment(hash);
      return payment ? [payment] : [];
    }
    return this.s.payments.all().map(toPayment);
  }

  /** Parts still pending, ascending id: what recovery must reconcile with the node after a restart. */
  pendingParts(): PartialPayment[] {
    return this.s.pendingParts.all().map(toPart);
  }

  /** LND's attempt id recorded for a part, if any. */
  attemptId(partId: number): bigint | undefined {
    if (!Number.isSafeInteger(partId)) return undefined;
    return this.s.part.get(partId)?.attempt_id ?? undefined;
  }

  /** The part(s) of `paymentHash` recorded with LND's `attemptId` (normally one). */
  partsByAttempt(paymentHash: string, attemptId: bigint): PartialPayment[] {
    if (attemptId < 0n || attemptId > MAX_I64) return [];
    return this.s.partsByAttempt.all(paymentHash, attemptId).map(toPart);
  }

  /**
   * Payments (oldest first) with their parts, for export. Streams in batches of `batchSize` payments: each batch is
   * read in one read transaction (consistent within itself), and no cursor stays open between yields, so the ledger
   * keeps working (parts resolving) while a slow consumer writes a file. Filter on the payment's created_at and
   * status.
   */
  exportRows(filter: ExportFilter = {}, batchSize = 500): Generator<ExportRow, void, undefined> {
    return this.exportBatches(exportParams(filter, batchSize), toPart);
  }

  /**
   * `exportRows` as the export writes it: each part's route is turned from its stored text straight into the text the
   * export writes (see `ExportPart`), instead of being parsed into hops that the export would only write back.
   */
  exportRecords(
    filter: ExportFilter = {},
    routeForm: ExportRouteForm = 'json',
    // Smaller batches than exportRows': what a batch holds is still live at each young-generation collection.
    batchSize = 200,
  ): Generator<ExportRecord, void, undefined> {
    const params = exportParams(filter, batchSize);
    const convert =
      routeForm === 'csv' ? toCsvExportPart : routeForm === 'stored' ? toStoredExportPart : toJsonExportPart;
    return this.exportBatches(params, convert);
  }

  /** How many payments pass `filter`: what an export of it will go through. */
  exportCount(filter: ExportFilter = {}): number {
    const { since, until, status } = exportParams(filter, 1);
    return Number(this.s.exportCount.get({ since, until, status })?.n ?? 0n);
  }

  private *exportBatches<P extends { status: Status; msatoshi_sent: bigint }>(
    params: ExportParams,
    convert: (row: PartRow) => P,
  ): Generator<{ payment: Payment; parts: P[] }, void, undefined> {
    let after = 0n;
    for (;;) {
      const batch = this.exportBatchTx.deferred({ ...params, after });
      const { payments, parts: partRows } = batch;
      // The parts come in payment order, each payment's together: walk both lists side by side.
      let j = 0;
      for (const row of payments) {
        const parts: P[] = [];
        let sent = 0n;
        const counts = { pending: 0, complete: 0, failed: 0 };
        for (let r = partRows[j]; r !== undefined && r.payment_hash === row.payment_hash; r = partRows[++j]) {
          const part = convert(r);
          parts.push(part);
          counts[part.status] += 1;
          if (part.status !== 'failed') sent += part.msatoshi_sent;
        }
        yield { payment: paymentOf(row, sent, counts), parts };
      }
      if (payments.length < params.limit) return;
      after = (payments[payments.length - 1] as PaymentRow).id;
    }
  }

  /** Every row of both tables and of sqlite_sequence, as stored: for tests and diagnostics. */
  dumpTables(): Record<'payments' | 'partial_payments' | 'sqlite_sequence', unknown[]> {
    return {
      payments: this.db.prepare('SELECT * FROM payments ORDER BY id').all(),
      partial_payments: this.db.prepare('SELECT * FROM partial_payments ORDER BY id').all(),
      sqlite_sequence: this.db.prepare('SELECT * FROM sqlite_sequence ORDER BY name').all(),
    };
  }

  // ---- Internals -------------------------------------------------------------------------------------------------

  private insertPart(hash: string, route: CheckedRoute, destination: string, now: number): PartialPayment {
    const { lastInsertRowid } = this.s.insertPart.run({
      hash,
      msatoshi: route.delivered,
      sent: route.sent,
      destination,
      route: routeToJson(route.hops),
      now,
    });
    return this.partOrThrow(Number(lastInsertRowid));
  }

  private partRowOrThrow(id: number): PartRow {
    const row = this.s.part.get(id);
    if (!row) throw new ApiError(ErrorCode.NotFound, `id: no partial payment ${id}`);
    return row;
  }

  private partOrThrow(id: number): PartialPayment {
    return toPart(this.partRowOrThrow(id));
  }

  private paymentOrThrow(hash: string): Payment {
    const row = this.s.payment.get(hash);
    if (!row) throw new ApiError(ErrorCode.NotFound, `payment_hash: no payment ${hash}`);
    return toPayment(row);
  }
}

// ---- Rows to objects ---------------------------------------------------------------------------------------------

function toPayment(r: PaymentAggRow): Payment {
  return paymentOf(r, r.sent, {
    pending: Number(r.n_pending),
    complete: Number(r.n_complete),
    failed: Number(r.n_failed),
  });
}

function paymentOf(r: PaymentRow, sent: bigint, parts: Payment['parts']): Payment {
  return {
    payment_hash: r.payment_hash,
    status: r.status,
    msatoshi: r.msatoshi,
    msatoshi_sent: sent,
    destination: r.destination,
    ...(r.description !== null && { description: r.description }),
    ...(r.bolt11 !== null && { bolt11: r.bolt11 }),
    created_at: Number(r.created_at),
    ...(r.completed_at !== null && { completed_at: Number(r.completed_at) }),
    ...(r.status === 'complete' && r.payment_preimage !== null && { payment_preimage: r.payment_preimage }),
    parts,
  };
}

function toPart(r: PartRow): PartialPayment {
  return partOf(r, routeFromJson(r.route));
}

function toJsonExportPart(r: PartRow): ExportPart {
  return partOf(r, routeJsonForExport(r.route));
}

function toStoredExportPart(r: PartRow): ExportPart {
  return partOf(r, r.route);
}

function toCsvExportPart(r: PartRow): ExportPart {
  return partOf(r, routeCsvForExport(r.route));
}

/** A part's fields in the API's order; members that do not apply are absent (not undefined). */
function partOf<R>(r: PartRow, route: R): Omit<PartialPayment, 'route'> & { route: R } {
  const part: Omit<PartialPayment, 'route'> & { route: R } = {
    id: Number(r.id),
    payment_hash: r.payment_hash,
    status: r.status,
    msatoshi: r.msatoshi,
    msatoshi_sent: r.msatoshi_sent,
    destination: r.destination,
    route,
    created_at: Number(r.created_at),
  };
  if (r.completed_at !== null) part.completed_at = Number(r.completed_at);
  if (r.status === 'complete' && r.payment_preimage !== null) part.payment_preimage = r.payment_preimage;
  if (r.status === 'failed') {
    const failure: PartFailure = { code: toFailureCode(r.failure_code), message: r.failure_message ?? '' };
    if (r.erring_index !== null) failure.erring_index = Number(r.erring_index);
    if (r.erring_node !== null) failure.erring_node = r.erring_node;
    if (r.erring_channel !== null) failure.erring_channel = r.erring_channel;
    part.failure = failure;
  }
  return part;
}

/** c-lightning's hop format, amounts as decimal strings so that they survive JSON exactly. */
function routeToJson(route: Route): string {
  return JSON.stringify(
    route.map((h) => ({
      id: h.id,
      channel: h.channel,
      ...(h.direction !== undefined && { direction: h.direction }),
      msatoshi: h.msatoshi.toString(),
      delay: h.delay,
    })),
  );
}

/**
 * The stored route (routeToJson) as the export writes it: the same JSON with each hop's msatoshi a JSON number
 * rather than a decimal string, exactly what toJson(routeFromJson(text)) writes, without parsing the route and
 * writing it again. One replace is exact: the stored text is only ever written by routeToJson, whose hop ids and
 * channels are checked hex and digits (checkRoute), so `"msatoshi":"` occurs nowhere but at the hops' amounts.
 */
function routeJsonForExport(text: string): string {
  return text.replace(QUOTED_MSATOSHI, '"msatoshi":$1');
}
const QUOTED_MSATOSHI = /"msatoshi":"(\d+)"/g;

/**
 * `csvCell(routeJsonForExport(text))`, the route as one CSV field, in one pass when the stored route has the usual
 * shape (every hop with a direction, as routeToJson writes it): each hop is rewritten whole, its quotes doubled and
 * its amount unquoted, by one native regular expression replace (a replace for each of some 30 quotes costs several
 * times as much, in time and garbage). Other shapes take the general way. The shape test makes this exact: such a
 * route starts with `[` (not a formula) and holds quotes (so csvCell quotes it), and every quote in it is inside a
 * hop, where the replacement doubles it, bar the amount's two, which routeJsonForExport drops.
 */
function routeCsvForExport(text: string): string {
  if (!STORED_ROUTE.test(text)) return csvCell(routeJsonForExport(text));
  return `"${text.replace(STORED_HOP, CSV_HOP)}"`;
}
const STORED_HOP_SOURCE = '\\{"id":"(\\w+)","channel":"(\\w+)","direction":(\\d),"msatoshi":"(\\d+)","delay":(\\d+)\\}';
const STORED_HOP = new RegExp(STORED_HOP_SOURCE, 'g');
const STORED_ROUTE = new RegExp(`^\\[${STORED_HOP_SOURCE}(?:,${STORED_HOP_SOURCE})*\\]$`);
const CSV_HOP = '{""id"":""$1"",""channel"":""$2"",""direction"":$3,""msatoshi"":$4,""delay"":$5}';

function routeFromJson(text: string): Route {
  const hops = JSON.parse(text) as {
    id: string;
    channel: string;
    direction?: 0 | 1;
    msatoshi: string;
    delay: number;
  }[];
  return hops.map((h) => ({
    id: h.id,
    channel: h.channel,
    ...(h.direction !== undefined && { direction: h.direction }),
    msatoshi: BigInt(h.msatoshi),
    delay: h.delay,
  }));
}

interface ExportParams {
  since: number | null;
  until: number | null;
  status: Status | null;
  limit: number;
}

interface ExportBatch {
  payments: PaymentRow[];
  parts: PartRow[];
}

/** Checked at once, not at the generator's first next(): a bad filter fails before an export file is started. */
function exportParams(filter: ExportFilter, batchSize: number): ExportParams {
  const { since, until, status } = filter;
  if (since !== undefined && !Number.isSafeInteger(since)) throw invalidParam('since', since, 'must be Unix seconds');
  if (until !== undefined && !Number.isSafeInteger(until)) throw invalidParam('until', until, 'must be Unix seconds');
  if (status !== undefined && !STATUSES.includes(status)) {
    throw invalidParam('status', status, "must be 'pending', 'complete' or 'failed'");
  }
  return { since: since ?? null, until: until ?? null, status: status ?? null, limit: Math.max(1, batchSize | 0) };
}

// ---- Checks (-32602 unless said otherwise) -----------------------------------------------------------------------

interface CheckedRoute {
  hops: Route;
  last: RouteHop;
  /** What the part delivers: the last hop's msatoshi. */
  delivered: bigint;
  /** What leaves the wallet, fees included: the first hop's msatoshi. */
  sent: bigint;
}

const HEX64 = /^[0-9a-f]{64}$/;
const NODE_ID = /^0[23][0-9a-f]{64}$/;
const SCID = /^\d+x\d+x\d+$/;

function checkHex64(field: string, value: unknown): void {
  if (typeof value !== 'string' || !HEX64.test(value)) {
    throw invalidParam(field, value, 'must be 64 lowercase hex characters');
  }
}

function checkNodeId(field: string, value: unknown): void {
  if (typeof value !== 'string' || !NODE_ID.test(value)) {
    throw invalidParam(field, value, 'must be a node id (66 lowercase hex characters, compressed key)');
  }
}

function checkMsat(field: string, value: unknown): void {
  if (typeof value !== 'bigint' || value < 1n || value > MAX_MSAT) {
    throw invalidParam(field, value, `must be a whole number of millisatoshi from 1 to ${MAX_MSAT}`);
  }
}

function checkOptionalText(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') throw invalidParam(field, value, 'must be a string');
}

function checkNow(now: unknown): void {
  if (typeof now !== 'number' || !Number.isSafeInteger(now) || now < 0) {
    throw invalidParam('now', now, 'must be a Unix time in whole seconds');
  }
}

function checkPartId(id: unknown): void {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    throw invalidParam('id', id, 'must be a partial payment id (an integer from 1)');
  }
}

/** resolvePart's arguments, checked in its order. */
function checkResolve(id: unknown, outcome: PartOutcome, now: number): void {
  checkPartId(id);
  checkNow(now);
  if (outcome.status === 'complete') {
    checkHex64('payment_preimage', outcome.preimage);
  } else if (outcome.status === 'failed') {
    checkFailure(outcome.failure);
  } else {
    throw invalidParam('status', (outcome as { status: unknown }).status, "must be 'complete' or 'failed'");
  }
  if (outcome.attemptId !== undefined) checkAttemptId(outcome.attemptId);
}

function checkAttemptId(value: unknown): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_I64) {
    throw invalidParam('attempt_id', value, `must be an integer from 0 to ${MAX_I64}`);
  }
}

function checkFailure(failure: unknown): void {
  const f = failure as Partial<PartFailure> | null;
  if (typeof f !== 'object' || f === null) throw invalidParam('failure', failure, 'must be an object');
  if (!isFailureCode(f.code)) throw invalidParam('failure.code', f.code, 'must be a failure code');
  if (typeof f.message !== 'string') throw invalidParam('failure.message', f.message, 'must be a string');
  if (f.erring_index !== undefined && !(Number.isSafeInteger(f.erring_index) && f.erring_index >= 0)) {
    throw invalidParam('failure.erring_index', f.erring_index, 'must be an integer from 0');
  }
  if (f.erring_node !== undefined && typeof f.erring_node !== 'string') {
    throw invalidParam('failure.erring_node', f.erring_node, 'must be a string');
  }
  if (f.erring_channel !== undefined && typeof f.erring_channel !== 'string') {
    throw invalidParam('failure.erring_channel', f.erring_channel, 'must be a string');
  }
}

/** Enough of a route for the ledger's rules: amounts exact and in range, not growing along the route. */
function checkRoute(route: unknown): CheckedRoute {
  if (!Array.isArray(route) || route.length === 0) throw invalidParam('route', route, 'must be a non-empty array');
  route.forEach((hop: Partial<RouteHop> | null, i) => {
    const at = `route[${i}]`;
    if (typeof hop !== 'object' || hop === null) throw invalidParam(at, hop, 'must be a hop object');
    checkNodeId(`${at}.id`, hop.id);
    if (typeof hop.channel !== 'string' || !SCID.test(hop.channel)) {
      throw invalidParam(`${at}.channel`, hop.channel, 'must be a short channel id BLOCKxTXxOUTPUT');
    }
    if (hop.direction !== undefined && hop.direction !== 0 && hop.direction !== 1) {
      throw invalidParam(`${at}.direction`, hop.direction, 'must be 0 or 1');
    }
    checkMsat(`${at}.msatoshi`, hop.msatoshi);
    if (typeof hop.delay !== 'number' || !Number.isSafeInteger(hop.delay) || hop.delay < 0) {
      throw invalidParam(`${at}.delay`, hop.delay, 'must be a whole number of blocks');
    }
    const previous = route[i - 1] as RouteHop | undefined;
    if (previous && (hop.msatoshi as bigint) > previous.msatoshi) {
      throw invalidParam(`${at}.msatoshi`, hop.msatoshi, `exceeds route[${i - 1}].msatoshi ${previous.msatoshi}`);
    }
  });
  const hops = route as Route;
  const last = hops[hops.length - 1] as RouteHop;
  return { hops, last, delivered: last.msatoshi, sent: (hops[0] as RouteHop).msatoshi };
}

/** 201 unless the route ends at the payment's destination and the caller names the same destination. */
function checkDestination(destination: string, given: string, route: CheckedRoute): void {
  if (given !== destination) {
    throw new ApiError(ErrorCode.Mismatch, `destination: ${given} is not the payment's destination ${destination}`);
  }
  if (route.last.id !== destination) {
    throw new ApiError(
      ErrorCode.Mismatch,
      `route: its last hop ${route.last.id} is not the payment's destination ${destination}`,
    );
  }
}
