import { invalidParam } from '../../../shared/api/errors';
import type { PartialPayment, Payment, Status } from '../../../shared/types';
import { STATUSES } from './checks';
import { partOf, paymentOf } from './rows';
import {
  CSV_PART,
  CSV_PAYMENT,
  type CsvPartRow,
  type CsvPaymentRow,
  type PartRow,
  type PaymentRow,
} from './statements';

// Reading the ledger for export: the filter, the batches, and the parts with their routes already in the text the
// export writes.

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
 * A part as the JSON export writes it: a PartialPayment whose `route` is already the route's JSON, amounts as JSON
 * numbers (exact: digits, never a float), exactly what `toJson(part.route)` writes.
 */
export type ExportPart = Omit<PartialPayment, 'route'> & { route: string };

export interface ExportRecord {
  payment: Payment;
  /** Ascending id. */
  parts: ExportPart[];
}

export interface ExportParams {
  since: number | null;
  until: number | null;
  status: Status | null;
  limit: number;
}

export interface ExportBatch {
  payments: PaymentRow[];
  parts: PartRow[];
}

/** Checked at once, not at the generator's first next(): a bad filter fails before an export file is started. */
export function exportParams(filter: ExportFilter, batchSize: number): ExportParams {
  const { since, until, status } = filter;
  if (since !== undefined && !Number.isSafeInteger(since)) throw invalidParam('since', since, 'must be Unix seconds');
  if (until !== undefined && !Number.isSafeInteger(until)) throw invalidParam('until', until, 'must be Unix seconds');
  if (status !== undefined && !STATUSES.includes(status)) {
    throw invalidParam('status', status, "must be 'pending', 'complete' or 'failed'");
  }
  return { since: since ?? null, until: until ?? null, status: status ?? null, limit: Math.max(1, batchSize | 0) };
}

/**
 * The batches after `params`' filter, oldest first: read `params.limit` payments at a time by `readBatch` (one read
 * transaction each, its parts after its payments in payment order, each payment's together), so that no cursor stays
 * open between yields. `lastId`: a batch's last payment's id, where the next batch starts.
 */
function* exportPages<B extends { payments: readonly unknown[] }>(
  readBatch: (params: Record<string, unknown>) => B,
  params: ExportParams,
  lastId: (batch: B) => bigint,
): Generator<B, void, undefined> {
  let after = 0n;
  for (;;) {
    const batch = readBatch({ ...params, after });
    yield batch;
    if (batch.payments.length < params.limit) return;
    after = lastId(batch);
  }
}

/** The payments after `params`' filter, oldest first (see exportPages), each with its parts converted by `convert`. */
export function* exportBatches<P extends { status: Status; msatoshi_sent: bigint }>(
  readBatch: (params: Record<string, unknown>) => ExportBatch,
  params: ExportParams,
  convert: (row: PartRow) => P,
): Generator<{ payment: Payment; parts: P[] }, void, undefined> {
  for (const { payments, parts: partRows } of exportPages(readBatch, params, (b) => lastOf(b.payments).id)) {
    // The parts come in payment order, each payment's together: walk both lists side by side.
    let j = 0;
    for (const row of payments) {
      const parts: P[] = [];
      let sent = 0n;
      const counts = { pending: 0, complete: 0, failed: 0 };
      for (let r = partRows[j]; r !== undefined && r.payment_id === row.id; r = partRows[++j]) {
        const part = convert(r);
        parts.push(part);
        counts[part.status] += 1;
        if (part.status !== 'failed') sent += part.msatoshi_sent;
      }
      yield { payment: paymentOf(row, sent, counts), parts };
    }
  }
}

/** A batch for the CSV export: its rows as arrays of the columns the CSV writes (statements.ts CsvPaymentRow). */
export interface CsvBatch {
  payments: CsvPaymentRow[];
  parts: CsvPartRow[];
}

/** A payment for the CSV export, with its parts (ascending id). */
export interface CsvRecord {
  payment: CsvPaymentRow;
  parts: CsvPartRow[];
}

/** exportBatches for the CSV export: the rows as read, with no Payment or part object made of them. */
export function* csvBatches(
  readBatch: (params: Record<string, unknown>) => CsvBatch,
  params: ExportParams,
): Generator<CsvRecord, void, undefined> {
  for (const { payments, parts } of exportPages(readBatch, params, (b) => lastOf(b.payments)[CSV_PAYMENT.id])) {
    let j = 0;
    for (const payment of payments) {
      const start = j;
      while (j < parts.length && (parts[j] as CsvPartRow)[CSV_PART.paymentId] === payment[CSV_PAYMENT.id]) j += 1;
      yield { payment, parts: parts.slice(start, j) };
    }
  }
}

function lastOf<T>(rows: readonly T[]): T {
  return rows[rows.length - 1] as T;
}

export function toJsonExportPart(r: PartRow): ExportPart {
  return partOf(r, routeJsonForExport(r.route));
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
