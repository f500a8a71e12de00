// What failed on a page, kept until the operator dismisses it: every rejected back-end call is
// reported here with what was being done, so no error is swallowed.

import { useCallback, useState } from 'react';
import { failureSentence } from '../lib/failure.js';

export interface ShownFailure {
  id: number;
  sentence: string;
}

export interface Failures {
  failures: ShownFailure[];
  report(what: string, error: unknown): void;
  dismiss(id: number): void;
}

/** At most this many stay on screen; older ones are dropped (the newest matter). */
const shownMax = 5;

export function useFailures(): Failures {
  const [state, setState] = useState<{ next: number; failures: ShownFailure[] }>({ next: 1, failures: [] });
  const report = useCallback((what: string, error: unknown) => {
    setState(({ next, failures }) => ({
      next: next + 1,
      failures: [{ id: next, sentence: failureSentence(what, error) }, ...failures].slice(0, shownMax),
    }));
  }, []);
  const dismiss = useCallback((id: number) => {
    setState(({ next, failures }) => ({ next, failures: failures.filter((failure) => failure.id !== id) }));
  }, []);
  return { failures: state.failures, report, dismiss };
}
