// Errors from the back end as the operator reads them: what failed and why, never swallowed.
// An AdminApi call rejects with an AdminFailure-shaped error (a stable code and a sentence);
// anything else (a network error, a bug) is still shown with its message.

export interface Failure {
  code: string;
  message: string;
}

export function failureOf(error: unknown): Failure {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof message === 'string' && message.length > 0) {
      return { code: typeof code === 'string' && code.length > 0 ? code : 'internal', message };
    }
  }
  if (typeof error === 'string' && error.length > 0) return { code: 'internal', message: error };
  return { code: 'internal', message: 'no reason was given' };
}

/** "Kill n3 failed: n3 is not running (unavailable)." */
export function failureSentence(what: string, error: unknown): string {
  const { code, message } = failureOf(error);
  const trimmed = message.replace(/[.\s]+$/, '');
  return `${what} failed: ${trimmed} (${code}).`;
}
