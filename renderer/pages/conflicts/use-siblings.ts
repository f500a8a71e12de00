// One key's siblings, placement, replicas and history (AdminApi.keyDetail). The read is kept as
// it was until the operator reads again or writes: a resolution is written with the context of
// the read the page shows, so a background refetch must never swap it for a newer one behind
// the operator's back (a write that arrives meanwhile is then seen as a race, as it should be).

import { useQuery } from '@tanstack/react-query';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import type { KeyRef } from './conflict-route.js';
import { conflictQueryKeys } from './use-conflicted-keys.js';

export function useSiblings(ref: KeyRef) {
  const api = useAdminApi();
  return useQuery({
    queryKey: conflictQueryKeys.detail(ref.bucket, ref.key),
    queryFn: () => api.keyDetail(ref.bucket, ref.key),
    staleTime: Number.POSITIVE_INFINITY,
    // Opening the key reads it afresh; after that, only "Read again" or a write does.
    refetchOnMount: 'always',
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}
