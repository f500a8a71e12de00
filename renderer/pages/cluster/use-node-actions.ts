// The member actions (kill, restart, leave, isolate, heal) as one mutation: which member is
// busy with what, failures reported to the page, and the cluster view refetched after each.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';
import type { NodeAction } from '../../lib/action-cost.js';

export type MemberAction = NodeAction | { kind: 'heal'; node: string };

const verbs: Record<MemberAction['kind'], string> = {
  kill: 'Kill',
  restart: 'Restart',
  leave: 'Leave',
  isolate: 'Isolate',
  heal: 'Heal',
};

export function actionName(action: MemberAction): string {
  return `${verbs[action.kind]} ${action.node}`;
}

export function useNodeActions(onFailure: (what: string, error: unknown) => void) {
  const api = useAdminApi();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (action: MemberAction) => {
      switch (action.kind) {
        case 'kill':
          return api.killNode(action.node);
        case 'restart':
          return api.restartNode(action.node);
        case 'leave':
          return api.leaveNode(action.node);
        case 'isolate':
          return api.isolateNode(action.node, action.from.length === 0 ? undefined : action.from);
        case 'heal':
          return api.healNode(action.node);
      }
    },
    onError: (error, action) => onFailure(actionName(action), error),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.clusterView }),
  });
  return {
    run: (action: MemberAction) => mutation.mutate(action),
    /** The action in flight, if any (its member's buttons wait for it). */
    pending: mutation.isPending ? mutation.variables : undefined,
  };
}
