import type { Transaction } from 'better-sqlite3';
import { invalidParam } from '../../../shared/api/errors';
import type { PartialPayment, Payment } from '../../../shared/types';
import { type BeliefStore, beliefStore } from './beliefs';
import {
  type CheckedRoute,
  checkAttemptId,
  checkHex64,
  checkMsat,
  checkNodeId,
  checkNow,
  checkOptionalText,
  checkPartId,
  checkResolve,
  checkRoute,
  MAX_I64,
} from './checks';
import { closeDatabase, type Db, type OpenOptions, openDatabase } from './db';
import { type ExportFilter, exportParams } from './export-filter';
import { type PartColumns, type RawParams, RawReader, type RawRecord } from './export-reader';
import { PaymentRules } from './payment-rules';
import { type RebalanceStore, rebalanceStore } from './rebalances';
import { toPart, toPayment } from './rows';
import { type PartRow, prepareStatements, type Statements } from './statements';
import type {
  BeginPartArgs,
  BeginPartResult,
  BeginSinglePayArgs,
  BeginSinglePayResult,
  PartOutcome,
  PartsFilter,
  ResolveItem,
  ResolveResult,
} from './types';

export { MAX_MSAT } from './checks';
export type { ExportFilter } from './export-filter';
export type { RawRecord } from './export-reader';
export type * from './types';

// The ledger: the two tables of the proposal (payments, partial_payments) and the rules that change them
// (docs/commands.md, the first six commands). It never talks to the node. The core calls beginPart
// before it hands an HTLC to the node, resolvePart when the node reports the outcome, then tells the listeners.
// Every change of state is one BEGIN IMMEDIATE transaction, so its checks and its writes cannot interleave with
// another writer's; an error rolls back everything, so an error changes nothing.
// Beside it: the argument checks (checks.ts), the rules (payment-rules.ts), the SQL (statements.ts), rows to objects
// (rows.ts) and the export's reading (export-filter.ts, export-reader.ts).

export class Ledger {
  private readonly s: Statements;
  private readonly rules: PaymentRules;
  private readonly beginPartTx: Transaction<(args: BeginPartArgs, route: CheckedRoute) => BeginPartResult>;
  private readonly beginSinglePayTx: Transaction<
    (args: BeginSinglePayArgs, route: CheckedRoute, destination: string) => BeginSinglePayResult
  >;
  private readonly resolvePartTx: Transaction<(id: number, outcome: PartOutcome, now: number) => ResolveResult>;
  private readonly resolvePartsTx: Transaction<(items: readonly ResolveItem[], now: number) => ResolveResult[]>;
  private readonly setAttemptIdTx: Transaction<(partId: number, attemptId: bigint) => void>;
  private readonly raw: RawReader;

  private constructor(
    private readonly db: Db,
    /** The data directory (as given to `open`). */
    readonly dataDir: string,
  ) {
    this.s = prepareStatements(db);
    this.rules = new PaymentRules(this.s);
    this.beginPartTx = db.transaction((args: BeginPartArgs, route: CheckedRoute) => this.rules.beginPart(args, route));
    this.beginSinglePayTx = db.transaction((args: BeginSinglePayArgs, route: CheckedRoute, destination: string) =>
      this.rules.beginSinglePay(args, route, destination),
    );
    this.resolvePartTx = db.transaction((id: number, outcome: PartOutcome, now: number) =>
      this.rules.resolvePart(id, outcome, now),
    );
    this.resolvePartsTx = db.transaction((items: readonly ResolveItem[], now: number) =>
      items.map(({ id, outcome }) => this.rules.resolvePart(id, outcome, now)),
    );
    this.setAttemptIdTx = db.transaction((partId: number, attemptId: bigint) => {
      const row = this.rules.partRowOrThrow(partId);
      if (row.attempt_id !== attemptId) this.s.setAttemptId.run(attemptId, partId);
    });
    this.raw = new RawReader(db);
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

  private rebalanceStore: RebalanceStore | undefined;

  /** Which payments are rebalances, and between which channels (see rebalances.ts). */
  get rebalances(): RebalanceStore {
    this.rebalanceStore ??= rebalanceStore(this.db);
    return this.rebalanceStore;
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
   * Payments (oldest first) with their parts, for the exports' files: the rows as arrays of the columns written
   * (export-reader.ts RawPaymentRow, RawPartRow; `columns`: what is read of each part), no Payment or part objects (an
   * export of a large history spent more making those than writing its file). Streams in batches of
   * `params.limit` payments, each read in one read transaction (consistent within itself); no cursor stays open
   * between yields, so the ledger keeps working (parts resolving) while a slow consumer writes a file.
   */
  exportRawRecords(
    params: RawParams = this.rawParams(),
    columns: PartColumns = 'all',
  ): Generator<RawRecord, void, undefined> {
    return this.raw.records(params, columns);
  }

  /**
   * The checked filter of an export with its batch size (from the first payment to the last), as the export's reads
   * take it here and in an export worker (export-reader.ts).
   */
  rawParams(filter: ExportFilter = {}, batchSize = 200): RawParams {
    return { ...exportParams(filter, batchSize), after: 0, upTo: null };
  }

  /** The id of every `every`th payment passing `params`' filter, in order: where an export is cut into ranges. */
  exportCuts(params: RawParams, every: number): number[] {
    return this.raw.cutIds(params, every);
  }

  /** How many payments pass `filter`: what an export of it will go through. */
  exportCount(filter: ExportFilter = {}): number {
    const { since, until, status } = exportParams(filter, 1);
    return Number(this.s.exportCount.get({ since, until, status })?.n ?? 0n);
  }

  /** Every row of both tables and of sqlite_sequence, as stored: for tests and diagnostics. */
  dumpTables(): Record<'payments' | 'partial_payments' | 'sqlite_sequence', unknown[]> {
    return {
      payments: this.db.prepare('SELECT * FROM payments ORDER BY id').all(),
      partial_payments: this.db.prepare('SELECT * FROM partial_payments ORDER BY id').all(),
      sqlite_sequence: this.db.prepare('SELECT * FROM sqlite_sequence ORDER BY name').all(),
    };
  }
}
