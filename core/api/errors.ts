// The HTTP API's error answers: JSON `{"error": CODE, "message": TEXT}` with stable codes
// (CONTRACT.md). Routes throw ApiError; the server's error handler renders it.

import { CodedError } from '../common/coded-error.js';

export type ApiErrorCode =
  | 'bad_request'
  | 'bad_key'
  | 'bad_context'
  | 'bad_quorum'
  | 'too_large'
  | 'not_found'
  | 'quorum'
  | 'unauthorized'
  | 'faults_disabled'
  | 'too_many_siblings'
  | 'too_many_clock_entries'
  | 'unavailable'
  | 'membership'
  | 'overloaded'
  | 'internal';

export const statusOfCode: Record<ApiErrorCode, number> = {
  bad_request: 400,
  bad_key: 400,
  bad_context: 400,
  bad_quorum: 400,
  too_large: 413,
  not_found: 404,
  quorum: 503,
  unauthorized: 401,
  faults_disabled: 403,
  too_many_siblings: 409,
  too_many_clock_entries: 409,
  unavailable: 503,
  membership: 409,
  overloaded: 503,
  internal: 500,
};

export class ApiError extends CodedError<ApiErrorCode> {
  override name = 'ApiError';
  constructor(
    code: ApiErrorCode,
    message: string,
    /** Extra fields of the JSON answer, e.g. acks and required for `quorum`. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(code, message);
  }

  get status(): number {
    return statusOfCode[this.code];
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.fields };
  }
}
