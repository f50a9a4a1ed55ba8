// The part the user points at (hover or focus), in the parts table or in the picture of the payment: both show it.

import { create } from 'zustand';

export interface HighlightStore {
  /** The part's key (GraphPart.key, the table row's key), or none. */
  part?: string;
  set(part: string | undefined): void;
}

export const useHighlight = create<HighlightStore>()((set) => ({
  part: undefined,
  set: (part) => set((s) => (s.part === part ? s : { part })),
}));

/** Props for a row, lane or chip that stands for part `key`: pointing at it or focusing it highlights it. */
export function highlightProps(key: string) {
  const set = useHighlight.getState().set;
  return {
    onPointerEnter: () => set(key),
    onPointerLeave: () => set(undefined),
    onFocus: () => set(key),
    onBlur: () => set(undefined),
  };
}
