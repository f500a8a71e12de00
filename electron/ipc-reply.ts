// What one AdminApi call over the desktop bridge answers (types and one guard, shared by the
// main process's handlers and the preload). Errors thrown in an ipcMain handler reach the
// renderer as a bare message, so the handlers never throw for a refusal the console made:
// they answer `{ok: false, failure}` with the AdminFailure's code, and the preload rejects with it.

import type { AdminFailure } from '../core/admin/admin-api.js';

export type IpcReply = { ok: true; value: unknown } | { ok: false; failure: AdminFailure };

export function isIpcReply(value: unknown): value is IpcReply {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as { ok?: unknown; failure?: { code?: unknown; message?: unknown } };
  if (reply.ok === true) return true;
  return (
    reply.ok === false &&
    typeof reply.failure === 'object' &&
    reply.failure !== null &&
    typeof reply.failure.code === 'string' &&
    typeof reply.failure.message === 'string'
  );
}
