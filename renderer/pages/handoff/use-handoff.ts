// The Handoff page's read: the cluster's hints and transfers (AdminApi.handoff), refetched by the
// live events when a backlog or a transfer moves, and what the page remembers between readings
// (handoff-tracking.ts): each backlog's peak, each transfer's progress from its live events, and
// the ones that ended lately.

import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';
import { useConsoleEvents } from '../../api/AdminApiProvider.js';
import { emptyTracking, type HandoffTracking, trackEvent, trackView } from './handoff-tracking.js';

export function useHandoff() {
  const api = useAdminApi();
  const query = useQuery({ queryKey: queryKeys.handoff, queryFn: () => api.handoff() });
  const [tracking, setTracking] = useState<HandoffTracking>(emptyTracking);
  const data = query.data;
  useEffect(() => {
    if (data !== undefined) setTracking((current) => (data.at >= current.at ? trackView(current, data) : current));
  }, [data]);
  useConsoleEvents(
    useCallback((event) => {
      if (event.type === 'transfer' || event.type === 'transfer-progress') setTracking((current) => trackEvent(current, event));
    }, []),
  );
  return { query, tracking };
}
