import { invalidParam } from '../../../shared/api/errors';
import type { PartialPayment, Payment, Status } from '../../../shared/types';
import { STATUSES } from './checks';
import { paymentOf } from './rows';
import type { PartRow, PaymentRow } from './statements';

// Reading the ledger for export: the filter, and the batches as objects (exportRows). The exports' files are read as
// rows (export-reader.ts).

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

function lastOf<T>(rows: readonly T[]): T {
  return rows[rows.length - 1] as T;
}
