// The console's refusals: every AdminApi method rejects with a ConsoleError, whose `code` and
// `message` are an AdminFailure (core/admin/admin-api.ts), never a raw stack trace. Whatever
// else is thrown on the way (a bug, a library's error) becomes `internal` with its message.

import type { AdminFailure } from '../admin/admin-api.js';
import { CodedError, errorText } from '../common/coded-error.js';

export type AdminFailureCode = AdminFailure['code'];

/** HTTP status of each failure, as the web console answers it. */
export const statusOfFailure: Record<AdminFailureCode, number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export class ConsoleError extends CodedError<AdminFailureCode> {
  override name = 'ConsoleError';

  toJSON(): AdminFailure {
    return { code: this.code, message: this.message };
  }
}

const failureCodes: ReadonlySet<string> = new Set(Object.keys(statusOfFailure));

/** Any error as an AdminFailure: a ConsoleError (or anything AdminFailure-shaped) keeps its code. */
export function toAdminFailure(error: unknown): AdminFailure {
  if (error instanceof ConsoleError) return { code: error.code, message: error.message };
  const shaped = error as { code?: unknown; message?: unknown } | undefined;
  if (typeof shaped?.code === 'string' && failureCodes.has(shaped.code) && typeof shaped.message === 'string') {
    return { code: shaped.code as AdminFailureCode, message: shaped.message };
  }
  const message = errorText(error);
  return { code: 'internal', message: message.split('\n')[0] || 'internal error' };
}

/** Rejects with a ConsoleError. */
export function fail(code: AdminFailureCode, message: string, cause?: unknown): never {
  throw new ConsoleError(code, message, cause === undefined ? undefined : { cause });
}
