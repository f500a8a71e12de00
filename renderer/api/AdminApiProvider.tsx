// Puts the chosen AdminApi, the query cache and the one live-event subscription in React's
// context. Pages reach the back end only through the hooks exported here and the query cache.

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { AdminApi, ConsoleEvent } from '../../core/admin/admin-api.js';
import { createLiveEvents, type LiveEvents, type LiveSnapshot } from './live-events.js';

interface AdminContext {
  api: AdminApi;
  live: LiveEvents;
  shell: 'desktop' | 'web';
}

const Context = createContext<AdminContext | undefined>(undefined);

/** Reads stay fresh through events; a focus after a minute away refetches, as a safety net. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 60_000, refetchOnWindowFocus: true, retry: 1 },
      mutations: { retry: false },
    },
  });
}

export function AdminApiProvider({ api, shell, children }: { api: AdminApi; shell: 'desktop' | 'web'; children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [live] = useState(() => createLiveEvents(api, queryClient));
  useEffect(() => live.start(), [live]);
  const value = useMemo(() => ({ api, live, shell }), [api, live, shell]);
  return (
    <QueryClientProvider client={queryClient}>
      <Context.Provider value={value}>{children}</Context.Provider>
    </QueryClientProvider>
  );
}

function useAdminContext(): AdminContext {
  const context = useContext(Context);
  if (context === undefined) throw new Error('useAdminApi outside AdminApiProvider');
  return context;
}

export function useAdminApi(): AdminApi {
  return useAdminContext().api;
}

export function useShell(): 'desktop' | 'web' {
  return useAdminContext().shell;
}

/** The event log and the stream's state, updated by the one subscription. */
export function useLiveEvents(): LiveSnapshot {
  const { live } = useAdminContext();
  return useSyncExternalStore(live.subscribe, live.getSnapshot);
}

/** Calls `listener` (its latest version) with every live event while the component is mounted. */
export function useConsoleEvents(listener: (event: ConsoleEvent) => void): void {
  const { live } = useAdminContext();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => live.observe((event) => latest.current(event)), [live]);
}
