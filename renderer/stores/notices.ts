// What the user hears of payments: a notice (leading back to the payment) when one completes or fails while they
// are elsewhere in the app, the OS notification in the desktop app when its window is not focused, and one polite
// announcement per payment change (sent, a part failed and is re-routed, complete, failed), never one per part.

import { create } from 'zustand';
import type { Payment } from '../../shared/types';
import type { BraidApi } from '../api';
import { formatFee, formatMsat, plural } from '../format';
import { nodeName } from '../names';
import { useFocusRequest } from './focus';
import { useNode } from './node';
import { usePayments } from './payments';
import { usePlanner } from './planner';
import { useUi } from './ui';

export interface Notice {
  id: number;
  payment_hash: string;
  status: 'complete' | 'failed';
  text: string;
}

export interface NoticesStore {
  notices: Notice[];
  /** The live region's text: the latest payment change, in words. */
  announcement: string;
  push(notice: Omit<Notice, 'id'>): void;
  dismiss(id: number): void;
  announce(text: string): void;
}

/** Notices kept at most (the oldest go). */
const MAX_NOTICES = 4;
/** Changes of one payment within this long are told once, as they stand at its end. */
export const ANNOUNCE_SETTLE_MS = 400;

let nextId = 1;

export const useNotices = create<NoticesStore>()((set) => ({
  notices: [],
  announcement: '',
  push: (notice) =>
    set((s) => ({
      notices: [...s.notices.filter((n) => n.payment_hash !== notice.payment_hash), { ...notice, id: nextId++ }].slice(
        -MAX_NOTICES,
      ),
    })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  // A different text each time, so that the same words twice are still announced.
  announce: (text) => set((s) => ({ announcement: s.announcement === text ? `${text}\u00a0` : text })),
}));

/** A payment from us to us: a rebalance (circular payment), whether sent by `rebalance` or by hand. */
function isRebalance(p: Payment): boolean {
  const own = useNode.getState().info?.id;
  return own !== undefined && p.destination === own;
}

/** "Payment of 700,000 sat to bob", or "Rebalance of 300,000 sat". */
function what(p: Payment): string {
  if (isRebalance(p)) return `Rebalance of ${formatMsat(p.msatoshi)}`;
  return `Payment of ${formatMsat(p.msatoshi)} to ${nodeName(p.destination, useNode.getState().aliases)}`;
}

/** The payment change worth telling, in words; undefined when nothing a listener needs changed. */
export function describeChange(old: Payment | undefined, p: Payment): string | undefined {
  if (p.status === 'complete' && old?.status !== 'complete') {
    return `${what(p)} complete. Fee ${formatFee(p.msatoshi_sent - p.msatoshi)}.`;
  }
  if (p.status === 'failed' && old?.status !== 'failed') return `${what(p)} failed: every part failed.`;
  if (p.status !== 'pending') return undefined;
  const before = old?.parts ?? { pending: 0, complete: 0, failed: 0 };
  if (p.parts.failed > before.failed) {
    return `${what(p)}: ${plural(p.parts.failed, 'part')} failed; ${plural(p.parts.pending, 'part')} in flight.`;
  }
  if (p.parts.pending > 0 && before.pending === 0 && before.complete === 0) {
    return `${what(p)} sent: ${plural(p.parts.pending, 'part')} in flight.`;
  }
  if (p.parts.pending > before.pending) return `${what(p)}: ${plural(p.parts.pending, 'part')} in flight.`;
  return undefined;
}

/** Whether the user is looking at this payment now: on Pay, with its invoice. */
function watching(hash: string): boolean {
  return useUi.getState().screen === 'pay' && usePlanner.getState().decoded?.payment_hash === hash;
}

/**
 * Hears the `payment` events: announces each payment's changes (settled over ANNOUNCE_SETTLE_MS, so parts sent or
 * failing together make one announcement), and for a payment that resolves while the user is elsewhere, a notice,
 * plus the desktop's OS notification when the window has no focus. Returns the unsubscribe.
 */
export function watchPayments(braid: BraidApi): () => void {
  const pending = new Map<string, { old: Payment | undefined; timer: ReturnType<typeof setTimeout> }>();
  const settle = (hash: string) => {
    const entry = pending.get(hash);
    pending.delete(hash);
    const p = usePayments.getState().payments.get(hash);
    if (!entry || !p) return;
    const text = describeChange(entry.old, p);
    if (text) useNotices.getState().announce(text);
    if (p.status !== 'pending' && entry.old?.status !== p.status) {
      // Watched: focus goes to the result; elsewhere: a notice leads back to it.
      if (watching(hash)) useFocusRequest.getState().request('payment-result');
      else useNotices.getState().push({ payment_hash: hash, status: p.status, text: text ?? what(p) });
    }
    if (p.status !== 'pending' && entry.old?.status !== p.status && !(globalThis.document?.hasFocus() ?? true)) {
      void globalThis.window?.braid
        ?.notify({
          payment_hash: hash,
          title: `${isRebalance(p) ? 'Rebalance' : 'Payment'} ${p.status}`,
          body: text ?? what(p),
        })
        .catch(() => {});
    }
  };
  // Subscribed before the stores are fed (boot.ts), so the store still holds the payment as it was.
  const off = braid.subscribe(['payment'], (event) => {
    if (event.event !== 'payment') return;
    const hash = event.data.payment_hash;
    const entry = pending.get(hash);
    if (entry) clearTimeout(entry.timer);
    const old = entry ? entry.old : usePayments.getState().payments.get(hash);
    pending.set(hash, { old, timer: setTimeout(() => settle(hash), ANNOUNCE_SETTLE_MS) });
  });
  const bridge = globalThis.window?.braid;
  const offShow = bridge?.onShowPayment?.((m) => showPayment(m.payment_hash));
  return () => {
    off();
    offShow?.();
    for (const { timer } of pending.values()) clearTimeout(timer);
  };
}

/** Leads back to a payment: Pay when its invoice is there, else History, found and opened. */
export function showPayment(hash: string): void {
  useUi.getState().showPayment(hash, usePlanner.getState().decoded?.payment_hash === hash);
}
