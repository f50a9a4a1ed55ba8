// Where keyboard focus goes next when the screen changes under the user: to the payment's status after Send, to
// the result when the payment ends. A component marks itself as a target with useFocusTarget(name).

import { useCallback, useEffect, useState } from 'react';
import { create } from 'zustand';

export type FocusTarget = 'payment-status' | 'payment-result';

export const useFocusRequest = create<{ target?: FocusTarget; request(target: FocusTarget): void; done(): void }>()(
  (set) => ({
    target: undefined,
    request: (target) => set({ target }),
    done: () => set({ target: undefined }),
  }),
);

/** A ref for the element that takes focus when `name` is asked for (now, or once it is on screen). */
export function useFocusTarget<T extends HTMLElement>(name: FocusTarget): (element: T | null) => void {
  const wanted = useFocusRequest((s) => s.target === name);
  const [element, setElement] = useState<T | null>(null);
  useEffect(() => {
    if (!wanted || !element) return;
    element.focus();
    useFocusRequest.getState().done();
  }, [wanted, element]);
  return useCallback((el: T | null) => setElement(el), []);
}
