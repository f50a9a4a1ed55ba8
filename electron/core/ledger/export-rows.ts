import { invalidParam } from '../../../shared/api/errors';
import type { PartialPayment, Payment, Status } from '../../../shared/types';
import { STATUSES } from './checks';
import type { Writer } from './export-writer';
import { paymentOf } from './rows';
import {
  type PartRow,
  type PaymentRow,
  RAW_PART,
  RAW_PAYMENT,
  type RawPartRow,
  type RawPaymentRow,
} from './statements';

// Reading the ledger for export: the filter, and the batches, as objects (exportRows) or as the rows read (the
// exports' files).

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

/** A batch for the exports' files: its rows as arrays of the columns they write (statements.ts RawPaymentRow). */
export interface RawBatch {
  payments: RawPaymentRow[];
  parts: RawPartRow[];
}

/** A payment as read for the exports' files, with its parts (ascending id). */
export interface RawRecord {
  payment: RawPaymentRow;
  parts: RawPartRow[];
}

/** exportBatches for the exports' files: the rows as read, with no Payment or part object made of them. */
export function* rawBatches(
  readBatch: (params: Record<string, unknown>) => RawBatch,
  params: ExportParams,
): Generator<RawRecord, void, undefined> {
  for (const { payments, parts } of exportPages(readBatch, params, (b) => lastOf(b.payments)[RAW_PAYMENT.id])) {
    let j = 0;
    for (const payment of payments) {
      const start = j;
      while (j < parts.length && (parts[j] as RawPartRow)[RAW_PART.paymentId] === payment[RAW_PAYMENT.id]) j += 1;
      yield { payment, parts: parts.slice(start, j) };
    }
  }
}

function lastOf<T>(rows: readonly T[]): T {
  return rows[rows.length - 1] as T;
}

/** What the export loop needs of a format: the records to go through, and how to write one. */
export interface RawExport {
  records: Iterable<RawRecord>;
  /** Writes `record` into `out`; its number of parts, or undefined when the search leaves it out. */
  write(out: Writer, record: RawRecord): number | undefined;
}

/** Names of nodes for the exports: an alias when the graph has one, else the id. */
export type NodeNames = ReadonlyMap<string, string>;

/** History's search: the text in the payment's hash, destination (id or name) or description, any case. */
export function searchFor(
  search: string | undefined,
  names: NodeNames,
): (hash: string, destination: string, description: string | null | undefined) => boolean {
  const text = search?.trim().toLowerCase() ?? '';
  if (text === '') return () => true;
  return (hash, destination, description) =>
    hash.includes(text) ||
    destination.includes(text) ||
    (names.get(destination)?.toLowerCase().includes(text) ?? false) ||
    (description?.toLowerCase().includes(text) ?? false);
}
