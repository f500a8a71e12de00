// The cluster at a glance (AdminApi.clusterView), cached; the live events refetch it when
// something changed.

import { useQuery } from '@tanstack/react-query';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';

export function useClusterView() {
  const api = useAdminApi();
  return useQuery({ queryKey: queryKeys.clusterView, queryFn: () => api.clusterView() });
}
