// Which payments are rebalances, as the core's ledger marks them (listrebalances): History marks their rows and shows
// their sources, targets, fee and what each channel moved. Never a local guess: listed once, then each rebalance
// read again (listrebalances by hash) when its payment changes.

import { create } from 'zustand';
import type { Rebalance } from '../../shared/api/rebalance';
import type { Payment } from '../../shared/types';
import { api, errorText } from './api';

/** A payment's changes come in bursts (one event per part): a rebalance is read again once they settle. */
const REFRESH_AFTER_MS = 250;

export interface RebalancesState {
  /** The rebalances by payment hash. */
  byHash: ReadonlyMap<string, Rebalance>;
  loaded: boolean;
  error?: string;
  /** listrebalances: every rebalance. */
  load(): Promise<void>;
  /** A payment changed: if it may be a rebalance (a payment to ourselves), reads it again (soon, once). */
  paymentChanged(payment: Payment, ownId: string | undefined): void;
}

const waiting = new Map<string, ReturnType<typeof setTimeout>>();
/** Requests are numbered as sent; a rebalance read by a later request is never replaced by an earlier answer. */
let sent = 0;
const readBy = new Map<string, number>();

export const useRebalances = create<RebalancesState>()((set, get) => {
  const read = async (params: { payment_hash?: string }) => {
    const request = ++sent;
    const { rebalances } = await api().call('listrebalances', params);
    const fresh = rebalances.filter((r) => (readBy.get(r.payment_hash) ?? 0) < request);
    for (const r of fresh) readBy.set(r.payment_hash, request);
    if (fresh.length === 0) return;
    set((s) => {
      const byHash = new Map(s.byHash);
      for (const r of fresh) byHash.set(r.payment_hash, r);
      return { byHash };
    });
  };
  const refresh = async (hash: string) => {
    try {
      await read({ payment_hash: hash });
    } catch {
      // The next change of the payment reads it again.
    }
  };
  return {
    byHash: new Map(),
    loaded: false,
    load: async () => {
      try {
        await read({});
        set({ loaded: true, error: undefined });
      } catch (error) {
        set({ loaded: true, error: errorText(error) });
      }
    },
    paymentChanged: (payment, ownId) => {
      const hash = payment.payment_hash;
      if (payment.destination !== ownId && !get().byHash.has(hash)) return;
      if (waiting.has(hash)) return;
      waiting.set(
        hash,
        setTimeout(() => {
          waiting.delete(hash);
          void refresh(hash);
        }, REFRESH_AFTER_MS),
      );
    },
  };
});
