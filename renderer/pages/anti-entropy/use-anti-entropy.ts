// The Anti-entropy page's reads and its one action, through AdminApi and the query cache: the run
// history (refetched when a run ends, by the live events), a run (its result kept by the page,
// the history refetched after it), and the progress of the run under way from the live events.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import type { AntiEntropyTarget } from '../../../core/admin/admin-api.js';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';
import { addProgress, noProgress, type RunProgress } from './run-progress.js';
import { useConsoleEvents } from '../../api/AdminApiProvider.js';

export function useAntiEntropyRuns() {
  const api = useAdminApi();
  return useQuery({ queryKey: queryKeys.antiEntropyRuns, queryFn: () => api.antiEntropyRuns() });
}

/** Runs anti-entropy; while it runs, `progress` follows the nodes' exchanges. */
export function useRunAntiEntropy() {
  const api = useAdminApi();
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<RunProgress>(noProgress);
  const mutation = useMutation({
    mutationFn: (target: AntiEntropyTarget) => api.runAntiEntropy(target),
    onMutate: () => setProgress(noProgress),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.antiEntropyRuns }),
  });
  // Progress counts only while this page's own run goes (a background run's events are not it).
  const running = mutation.isPending;
  useConsoleEvents(
    useCallback(
      (event) => {
        if (running && event.type === 'anti-entropy-progress') setProgress((current) => addProgress(current, event));
      },
      [running],
    ),
  );
  return { mutation, progress };
}
