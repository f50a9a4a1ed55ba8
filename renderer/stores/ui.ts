// Which screen is shown, and which payment a notice asked to be shown.

import { create } from 'zustand';

export type Screen = 'pay' | 'rebalance' | 'history' | 'connect';

export interface UiStore {
  screen: Screen;
  /** A payment History should find and open (set by a notice; History takes it and clears it). */
  historyFocus?: string;
  show(screen: Screen): void;
  /** Shows a payment: on Pay when it is the invoice there, else found and opened in History. */
  showPayment(hash: string, onPay: boolean): void;
  takeHistoryFocus(): string | undefined;
}

export const useUi = create<UiStore>()((set, get) => ({
  screen: 'pay',
  show: (screen) => set({ screen }),
  showPayment: (hash, onPay) => set(onPay ? { screen: 'pay' } : { screen: 'history', historyFocus: hash }),
  takeHistoryFocus: () => {
    const hash = get().historyFocus;
    if (hash !== undefined) set({ historyFocus: undefined });
    return hash;
  },
}));
