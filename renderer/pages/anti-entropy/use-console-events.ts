// A page's own look at the raw live events (the anti-entropy progress of each exchange, a
// transfer's progress), for what the cached reads cannot show as it happens. It listens on the
// console's one event stream through AdminApi.subscribe: both transports fan every listener out
// from their single stream (the web console's one EventSource, the desktop bridge's one channel),
// so this opens no second stream. The listener may change on every render; the subscription
// does not.

import { useEffect, useRef } from 'react';
import type { ConsoleEvent } from '../../../core/admin/admin-api.js';
import { useAdminApi } from '../../api/AdminApiProvider.js';

export function useConsoleEvents(listener: (event: ConsoleEvent) => void, enabled = true): void {
  const api = useAdminApi();
  const current = useRef(listener);
  useEffect(() => {
    current.current = listener;
  });
  useEffect(() => {
    if (!enabled) return undefined;
    return api.subscribe((event) => current.current(event));
  }, [api, enabled]);
}
