// The History screen's filters, pure: by status, date range (local days, inclusive) and text (description, hash,
// destination id or alias).

import type { Payment, Status } from '../../shared/types';
import { parseDate } from '../format';

export interface HistoryFilter {
  status: 'all' | Status;
  /** "YYYY-MM-DD" or "". */
  from: string;
  to: string;
  text: string;
}

export const NO_FILTER: HistoryFilter = { status: 'all', from: '', to: '', text: '' };

export function isFiltering(f: HistoryFilter): boolean {
  return f.status !== 'all' || f.from !== '' || f.to !== '' || f.text.trim() !== '';
}

/** The hashes of `order` (newest first) that pass the filter, still newest first. */
export function filterPayments(
  order: readonly string[],
  payments: ReadonlyMap<string, Payment>,
  filter: HistoryFilter,
  aliases: Readonly<Record<string, string>>,
): readonly string[] {
  if (!isFiltering(filter)) return order;
  const since = filter.from ? parseDate(filter.from) : undefined;
  const until = filter.to ? parseDate(filter.to, true) : undefined;
  const text = filter.text.trim().toLowerCase();
  return order.filter((hash) => {
    const p = payments.get(hash);
    if (!p) return false;
    if (filter.status !== 'all' && p.status !== filter.status) return false;
    if (since !== undefined && p.created_at < since) return false;
    if (until !== undefined && p.created_at > until) return false;
    if (text !== '') {
      const alias = aliases[p.destination]?.toLowerCase() ?? '';
      if (
        !hash.includes(text) &&
        !p.destination.includes(text) &&
        !alias.includes(text) &&
        !(p.description?.toLowerCase().includes(text) ?? false)
      ) {
        return false;
      }
    }
    return true;
  });
}
