// The error every AdminApi call of the renderer rejects with: an AdminFailure's code and
// sentence plus the method that failed, whichever transport carried the call.

import type { AdminMethod } from '../../core/admin/admin-api.js';

export class AdminError extends Error {
  override name = 'AdminError';

  constructor(
    readonly code: string,
    message: string,
    readonly method: AdminMethod | undefined,
  ) {
    super(message);
  }
}
