import { invalidParam } from '../../../shared/api/errors';
import type { Status } from '../../../shared/types';
import { STATUSES } from './checks';

// An export's filter, checked. The exports read the ledger in export-reader.ts.

export interface ExportFilter {
  /** Payments created at or after this Unix time. */
  since?: number;
  /** Payments created before this Unix time (exclusive). */
  until?: number;
  status?: Status;
}

export interface ExportParams {
  since: number | null;
  until: number | null;
  status: Status | null;
  /** Payments per batch. */
  limit: number;
}

/** `filter` checked, with `batchSize`: a bad filter fails before an export file is started. */
export function exportParams(filter: ExportFilter, batchSize: number): ExportParams {
  const { since, until, status } = filter;
  if (since !== undefined && !Number.isSafeInteger(since)) throw invalidParam('since', since, 'must be Unix seconds');
  if (until !== undefined && !Number.isSafeInteger(until)) throw invalidParam('until', until, 'must be Unix seconds');
  if (status !== undefined && !STATUSES.includes(status)) {
    throw invalidParam('status', status, "must be 'pending', 'complete' or 'failed'");
  }
  return { since: since ?? null, until: until ?? null, status: status ?? null, limit: Math.max(1, batchSize | 0) };
}
