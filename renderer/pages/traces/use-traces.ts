// The Traces page's reads and its one action, through AdminApi and the query cache: the merged
// list of traces, one trace (read again while it is still recording: a node keeps a trace open
// after its answer, so late replies, fallback writes and read repairs land in it), and a traced
// request whose traces go straight into the cache, so the diagram shows at once.

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TraceListQuery, TraceRequest, TraceView } from '../../../core/admin/admin-api.js';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';
import { settled } from './trace-text.js';

/** How often a trace that is still recording is read again… */
const recordingPollMs = 400;
/** …and for how many reads at most (a minute): a node's request time-out is far shorter. */
const recordingReadsMax = 150;

export function useTraceList(query: TraceListQuery) {
  const api = useAdminApi();
  return useQuery({ queryKey: [...queryKeys.traceList, query], queryFn: () => api.listTraces(query), placeholderData: keepPreviousData });
}

export function traceKey(node: string, id: string) {
  return [...queryKeys.trace, node, id] as const;
}

/** One trace from the member that keeps it; `enabled: false` until the operator asks for it. */
export function useTrace(node: string, id: string, enabled = true) {
  const api = useAdminApi();
  return useQuery({
    queryKey: traceKey(node, id),
    queryFn: () => api.trace(node, id),
    enabled,
    // A settled trace never changes; one that is recording is followed below.
    staleTime: Number.POSITIVE_INFINITY,
    refetchInterval: (query) => {
      const data = query.state.data;
      return data === undefined || settled(data) || query.state.dataUpdateCount >= recordingReadsMax ? false : recordingPollMs;
    },
  });
}

/** Sends a traced request; its traces are cached as they came, and the list is read again. */
export function useTraceRequest() {
  const api = useAdminApi();
  const queryClient = useQueryClient();
  const seed = (trace: TraceView | undefined) => {
    if (trace !== undefined) queryClient.setQueryData(traceKey(trace.node, trace.id), trace);
  };
  return useMutation({
    mutationFn: (request: TraceRequest) => api.traceRequest(request),
    onSuccess: (result) => {
      seed(result.trace);
      seed(result.coordinatorTrace);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.traceList }),
  });
}
