import type { Status } from '../../../shared/types';
import type { Db } from './db';

// The ledger's SQL: the rows as stored, and every statement, prepared once per open database.

export interface PaymentRow {
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

export interface PaymentAggRow extends PaymentRow {
  sent: bigint;
  n_pending: bigint;
  n_complete: bigint;
  n_failed: bigint;
}

export interface PartRow {
  id: bigint;
  payment_hash: string;
  /** payments.id of payment_hash (schema 4). */
  payment_id: bigint;
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

/** An export's filter after its start (@since): its end (@until, exclusive) and status. */
const EXPORT_UNTIL_STATUS = `(@until IS NULL OR p.created_at < @until) AND (@status IS NULL OR p.status = @status)`;

/**
 * An export's filter on payments `p`, as the reads of its batches use it: written so that it uses no index, and the
 * planner keeps to the batch's range of rowids (export-reader.ts BATCH_PAYMENTS).
 */
export const EXPORT_FILTER = `(@since IS NULL OR p.created_at >= @since) AND ${EXPORT_UNTIL_STATUS}`;

/**
 * The same filter, written so that the time range is a range of payments_by_created: without a status, what needs
 * only the payments' ids (a count, the cuts into ranges) is read from that index alone, not from a scan of the table.
 */
export const EXPORT_FILTER_BY_TIME = `p.created_at >= coalesce(@since, -9223372036854775808) AND ${EXPORT_UNTIL_STATUS}`;

export function prepareStatements(db: Db) {
  return {
    paymentRow: db.prepare<[string], PaymentRow>('SELECT * FROM payments WHERE payment_hash = ?'),
    payment: db.prepare<[string], PaymentAggRow>(`${PAYMENT_SELECT} WHERE p.payment_hash = ? GROUP BY p.id`),
    payments: db.prepare<[], PaymentAggRow>(`${PAYMENT_SELECT} GROUP BY p.id ORDER BY p.id`),
    // A few ms for 100k payments, against 30 ms for a scan of the table (EXPORT_FILTER_BY_TIME).
    exportCount: db.prepare<[Record<string, unknown>], { n: bigint }>(
      `SELECT COUNT(*) AS n FROM payments p WHERE ${EXPORT_FILTER_BY_TIME}`,
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
      `INSERT INTO partial_payments (payment_hash, payment_id, status, msatoshi, msatoshi_sent, destination, route,
         created_at)
       VALUES (@hash, (SELECT id FROM payments WHERE payment_hash = @hash), 'pending', @msatoshi, @sent, @destination,
         @route, @now)`,
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

export type Statements = ReturnType<typeof prepareStatements>;
