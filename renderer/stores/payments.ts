// What the main process says about payments and their parts: listpayments / listpartialpayments, then the
// `payment` and `partialpayment` events. Never a local guess. Events may come late, twice or out of order, so every
// update goes through the precedence rules below and a stale one is dropped.

import { create } from 'zustand';
import type { PayEvent } from '../../shared/api/events';
import type { PartialPayment, Payment, Status } from '../../shared/types';

export interface PaymentsData {
  payments: ReadonlyMap<string, Payment>;
  /** Payment hashes, newest first (created_at, then hash). */
  order: readonly string[];
  parts: ReadonlyMap<number, PartialPayment>;
  /** Part ids per payment hash, ascending. */
  partsByHash: ReadonlyMap<string, readonly number[]>;
  /** When (local ms) a payment was seen to turn complete or failed while we watched; not for loaded history. */
  paymentSeenAt: ReadonlyMap<string, number>;
  /** Same for parts. */
  partSeenAt: ReadonlyMap<number, number>;
}

export const EMPTY: PaymentsData = {
  payments: new Map(),
  order: [],
  parts: new Map(),
  partsByHash: new Map(),
  paymentSeenAt: new Map(),
  partSeenAt: new Map(),
};

const resolved = (s: Status) => s !== 'pending';

/** A part only moves forward: pending → complete or failed, and a resolved part never changes again. */
export function isNewerPart(old: PartialPayment | undefined, next: PartialPayment): boolean {
  if (!old) return true;
  return !resolved(old.status) && resolved(next.status);
}

/** Every part event moves one of these counts forward by one: created (+1 total) or resolved (+1 resolved). */
function progress(p: Payment): number {
  const { pending, complete, failed } = p.parts;
  return pending + 2 * (complete + failed);
}

/**
 * Whether `next` is a newer state of the payment than `old`. Complete is final. Otherwise the part counts say which
 * is newer; at equal counts only failed → pending is news (a new part is being sent for a failed payment).
 */
export function isNewerPayment(old: Payment | undefined, next: Payment): boolean {
  if (!old) return true;
  if (old.status === 'complete' && next.status !== 'complete') return false;
  if (next.status === 'complete' && old.status !== 'complete') return true;
  const a = progress(old);
  const b = progress(next);
  if (b !== a) return b > a;
  return old.status === 'failed' && next.status === 'pending';
}

function newerFirst(payments: ReadonlyMap<string, Payment>) {
  return (x: string, y: string): number => {
    const a = payments.get(x)?.created_at ?? 0;
    const b = payments.get(y)?.created_at ?? 0;
    return a === b ? (x < y ? 1 : x > y ? -1 : 0) : b - a;
  };
}

/** Merges payments; `live` marks them as just seen (events), for the time taken. Returns `data` if nothing changed. */
export function mergePayments<T extends PaymentsData>(
  data: T,
  list: readonly Payment[],
  live: boolean,
  now = Date.now(),
): T {
  let payments: Map<string, Payment> | undefined;
  let seen: Map<string, number> | undefined;
  const added: string[] = [];
  for (const p of list) {
    const map = payments ?? data.payments;
    const old = map.get(p.payment_hash);
    if (!isNewerPayment(old, p)) continue;
    payments ??= new Map(data.payments);
    payments.set(p.payment_hash, p);
    if (!old) added.push(p.payment_hash);
    if (live && old && old.status !== p.status && resolved(p.status)) {
      seen ??= new Map(data.paymentSeenAt);
      seen.set(p.payment_hash, now);
    }
  }
  if (!payments) return data;
  let order = data.order;
  if (added.length > 0) {
    const compare = newerFirst(payments);
    if (added.length > 32) {
      order = [...data.order, ...added].sort(compare);
    } else {
      const next = [...data.order];
      for (const hash of added) next.splice(insertionIndex(next, hash, compare), 0, hash);
      order = next;
    }
  }
  return { ...data, payments, order, paymentSeenAt: seen ?? data.paymentSeenAt };
}

function insertionIndex(sorted: readonly string[], item: string, compare: (a: string, b: string) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(sorted[mid] as string, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Merges parts, like mergePayments. */
export function mergeParts<T extends PaymentsData>(
  data: T,
  list: readonly PartialPayment[],
  live: boolean,
  now = Date.now(),
): T {
  let parts: Map<number, PartialPayment> | undefined;
  let byHash: Map<string, readonly number[]> | undefined;
  let seen: Map<number, number> | undefined;
  for (const part of list) {
    const map = parts ?? data.parts;
    const old = map.get(part.id);
    if (!isNewerPart(old, part)) continue;
    parts ??= new Map(data.parts);
    parts.set(part.id, part);
    if (!old) {
      byHash ??= new Map(data.partsByHash);
      const ids = byHash.get(part.payment_hash) ?? [];
      byHash.set(
        part.payment_hash,
        [...ids, part.id].sort((a, b) => a - b),
      );
    } else if (live && resolved(part.status)) {
      seen ??= new Map(data.partSeenAt);
      seen.set(part.id, now);
    }
  }
  if (!parts) return data;
  return { ...data, parts, partsByHash: byHash ?? data.partsByHash, partSeenAt: seen ?? data.partSeenAt };
}

/** The parts of one payment, ascending id. */
export function partsOf(data: Pick<PaymentsData, 'parts' | 'partsByHash'>, hash: string): PartialPayment[] {
  const ids = data.partsByHash.get(hash) ?? [];
  return ids.map((id) => data.parts.get(id)).filter((p): p is PartialPayment => p !== undefined);
}

export interface PaymentsState extends PaymentsData {
  /** listpayments answered. */
  loaded: boolean;
  loadError?: string;
  /** Payment hashes whose parts were listed. */
  partsLoaded: ReadonlySet<string>;
  applyPayments(list: readonly Payment[], live: boolean): void;
  applyParts(list: readonly PartialPayment[], live: boolean): void;
  setLoaded(error?: string): void;
  markPartsLoaded(hash: string): void;
  /** The core's pay loops, by payment hash: the last `pay` event of each (running, or how it ended). */
  payRuns: ReadonlyMap<string, PayEvent>;
  applyPayEvent(event: PayEvent): void;
}

export const usePayments = create<PaymentsState>()((set) => ({
  ...EMPTY,
  loaded: false,
  partsLoaded: new Set(),
  applyPayments: (list, live) => set((s) => mergePayments(s, list, live)),
  applyParts: (list, live) => set((s) => mergeParts(s, list, live)),
  setLoaded: (error) => set({ loaded: true, loadError: error }),
  payRuns: new Map(),
  applyPayEvent: (event) => set((s) => ({ payRuns: new Map(s.payRuns).set(event.payment_hash, event) })),
  markPartsLoaded: (hash) =>
    set((s) => (s.partsLoaded.has(hash) ? s : { partsLoaded: new Set(s.partsLoaded).add(hash) })),
}));
