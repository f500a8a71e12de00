// Brings what a write left (its outcome, or why it failed) into view and gives it the focus: the
// buttons that write sit far down the page, the answer is shown at its top.

import { type RefObject, useEffect } from 'react';

export function useReveal(ref: RefObject<HTMLElement | null>, trigger: unknown): void {
  useEffect(() => {
    if (trigger === undefined || trigger === 0) return;
    const element = ref.current;
    if (element === null) return;
    element.scrollIntoView({ block: 'start', behavior: 'auto' });
    element.focus({ preventScroll: true });
  }, [ref, trigger]);
}
