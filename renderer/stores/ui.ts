// Which screen is shown.

import { create } from 'zustand';

export type Screen = 'pay' | 'rebalance' | 'history' | 'connect';

export const useUi = create<{ screen: Screen; show(screen: Screen): void }>()((set) => ({
  screen: 'pay',
  show: (screen) => set({ screen }),
}));
