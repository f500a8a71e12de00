// The Metrics page's data: the history the console kept, read when the page opens, with the live
// samples of the one event subscription appended as they come (renderer/api/live-events.ts), and
// a tick a second that moves the window. An event that may start or end a fault (a process, an
// isolation, a member's state, a join plan) or the console's stream coming back (samples may
// have been missed) has the history read again, once for a burst of them: the console decides
// what a fault period is (core/console/metrics-recorder.ts), the page only draws it.

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer, useRef, useState } from 'react';
import type { ConsoleEvent } from '../../../core/admin/admin-api.js';
import { useAdminApi, useConsoleEvents } from '../../api/AdminApiProvider.js';
import { useNow } from '../../app/use-now.js';
import { MetricsBuffer } from './metrics-buffer.js';

const historyKey = ['metricsHistory'] as const;
/** A kill is a burst of events (the process, then each member's verdict): one read for each burst. */
const rereadAfterMs = 400;

export function useMetrics() {
  const api = useAdminApi();
  const queryClient = useQueryClient();
  const [buffer] = useState(() => new MetricsBuffer());
  const [version, changed] = useReducer((count: number) => count + 1, 0);
  const history = useQuery({
    queryKey: historyKey,
    // The browser's clock when the answer came: how the page learns the console's clock (metrics-buffer.ts).
    queryFn: async () => ({ history: await api.metricsHistory(), receivedAt: Date.now() }),
    staleTime: 0,
    gcTime: 0,
    structuralSharing: false,
  });

  useEffect(() => {
    if (history.data === undefined) return;
    buffer.loadHistory(history.data.history, history.data.receivedAt);
    changed();
  }, [buffer, history.data]);

  const reread = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(reread.current), []);
  useConsoleEvents((event) => {
    if (event.type === 'metrics') {
      buffer.addSample(event.node, event.sample, Date.now());
      return;
    }
    if (!mayChangeFaults(event) || reread.current !== undefined) return;
    reread.current = setTimeout(() => {
      reread.current = undefined;
      void queryClient.invalidateQueries({ queryKey: historyKey });
    }, rereadAfterMs);
  });

  const consoleNow = buffer.consoleTime(useNow(1000));
  buffer.trim(consoleNow);
  return { buffer, consoleNow, version, history };
}

function mayChangeFaults(event: ConsoleEvent): boolean {
  switch (event.type) {
    case 'process':
    case 'faults':
    case 'member':
    case 'join-plan':
      return true;
    case 'connection':
      return event.node === 'console' && event.connected;
    default:
      return false;
  }
}
