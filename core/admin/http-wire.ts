// How the web console carries AdminApi between the browser and `dynamo console` (types and
// names only, shared by the server in core/console and the renderer's client):
//
//   POST {adminRequestPrefix}{method}   body {"args": [...]}  →  200 {"result": ...}
//                                                             or 4xx/5xx {"error": code, "message": text}
//   GET  {consoleEventsPath}            Server-Sent Events: one ConsoleEvent as JSON per `data:` line
//
// With a token, every request carries `Authorization: Bearer <token>`; the event stream, which
// EventSource cannot give headers, carries `?token=<token>` instead.

import type { AdminFailure, AdminMethod } from './admin-api.js';

export const adminRequestPrefix = '/api/admin/';
export const consoleEventsPath = '/api/events';

export interface AdminRequestBody {
  args: unknown[];
}

export interface AdminResultBody {
  result: unknown;
}

export interface AdminErrorBody {
  error: AdminFailure['code'];
  message: string;
}

export function adminRequestPath(method: AdminMethod): string {
  return adminRequestPrefix + method;
}
