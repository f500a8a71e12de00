// AdminApi over the desktop shell's preload bridge (core/admin/bridge.ts): the main process runs
// the console service and answers `invoke`; events arrive through `subscribe`. Electron wraps a
// rejection's message ("Error invoking remote method 'dynamo-admin:killNode': Error: …"), so the
// operator's sentence and its code are recovered from it.

import type { AdminMethod } from '../../core/admin/admin-api.js';
import type { DesktopBridge } from '../../core/admin/bridge.js';
import { AdminError } from './admin-error.js';
import type { AdminTransport } from './transport.js';

export function desktopTransport(bridge: DesktopBridge): AdminTransport {
  return {
    async call(method: AdminMethod, args: unknown[]) {
      try {
        return await bridge.invoke(method, args);
      } catch (error) {
        throw bridgeError(method, error);
      }
    },
    subscribe: (listener) => bridge.subscribe(listener),
  };
}

export function bridgeError(method: AdminMethod, error: unknown): AdminError {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  let text = typeof message === 'string' ? message : String(error);
  text = text.replace(/^Error invoking remote method '[^']*': /, '').replace(/^(\w*Error): /, '');
  // A main process may put the failure's code first: "unavailable: n3 is not running".
  const coded = /^(unavailable|bad_request|not_found|conflict|internal): (.*)$/s.exec(text);
  if (typeof code === 'string') return new AdminError(code, coded?.[2] ?? text, method);
  if (coded !== null) return new AdminError(coded[1], coded[2], method);
  return new AdminError('internal', text, method);
}
