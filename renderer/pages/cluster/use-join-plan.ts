// Adding a node the way Riak's plan and commit did: planJoin starts the node and answers with
// the plan; nothing moves until Commit; Cancel stops the planned node. A plan waiting in the
// console (the cluster view's plannedJoin) shows again after a reload. After Commit the plan is
// kept here to follow its transfers until the new node owns its share.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ClusterView, JoinPlan } from '../../../core/admin/admin-api.js';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';

export type JoinPhase = 'idle' | 'planning' | 'planned' | 'committing' | 'transferring' | 'cancelling';

export function useJoinPlan(view: ClusterView | undefined, onFailure: (what: string, error: unknown) => void) {
  const api = useAdminApi();
  const queryClient = useQueryClient();
  const [ownPlan, setOwnPlan] = useState<JoinPlan | undefined>(undefined);
  const [committed, setCommitted] = useState<JoinPlan | undefined>(undefined);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.clusterView });

  const planning = useMutation({
    mutationFn: () => api.planJoin(),
    onSuccess: (next) => setOwnPlan(next),
    onError: (error) => onFailure('Add node', error),
    onSettled: refresh,
  });
  const committing = useMutation({
    mutationFn: async (plan: JoinPlan) => {
      await api.commitJoin(plan.planId);
      return plan;
    },
    onSuccess: (plan) => {
      setCommitted(plan);
      setOwnPlan(undefined);
    },
    onError: (error, plan) => onFailure(`Commit the join of ${plan.node}`, error),
    onSettled: refresh,
  });
  const cancelling = useMutation({
    mutationFn: (plan: JoinPlan) => api.cancelJoin(plan.planId),
    onSuccess: () => setOwnPlan(undefined),
    onError: (error, plan) => onFailure(`Cancel the join of ${plan.node}`, error),
    onSettled: refresh,
  });

  const waiting = ownPlan ?? view?.plannedJoin;
  const plan = committed ?? waiting;
  let phase: JoinPhase = 'idle';
  if (planning.isPending) phase = 'planning';
  else if (cancelling.isPending) phase = 'cancelling';
  else if (committing.isPending) phase = 'committing';
  else if (committed !== undefined) phase = 'transferring';
  else if (waiting !== undefined) phase = 'planned';

  return {
    plan,
    phase,
    start: () => planning.mutate(),
    commit: () => waiting !== undefined && committing.mutate(waiting),
    cancel: () => waiting !== undefined && cancelling.mutate(waiting),
    /** Forgets a finished join. */
    dismiss: () => setCommitted(undefined),
  };
}
