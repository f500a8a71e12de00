// The Keys page's reads and its write, through AdminApi and the query cache: the buckets with
// their counts, pages of keys (each page continues from the last one's cursor), one key's detail,
// and a write that refetches what it changed.

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { KeyPage, KeyQuery, KeyWrite } from '../../../core/admin/admin-api.js';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';
import type { KeyFilter } from '../../lib/key-routes.js';

export function useBuckets() {
  const api = useAdminApi();
  return useQuery({ queryKey: queryKeys.buckets, queryFn: () => api.listBuckets() });
}

/** The query a filter asks for: empty fields are left out. */
export function keyQuery(filter: KeyFilter): KeyQuery {
  const query: KeyQuery = { limit: filter.limit };
  if (filter.bucket !== '') query.bucket = filter.bucket;
  if (filter.prefix !== '') query.prefix = filter.prefix;
  if (filter.siblingsOnly) query.siblingsOnly = true;
  return query;
}

export function useKeyPages(query: KeyQuery) {
  const api = useAdminApi();
  return useInfiniteQuery({
    queryKey: [...queryKeys.keyPages, query],
    queryFn: ({ pageParam }) => api.listKeys(pageParam === undefined ? query : { ...query, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: KeyPage) => last.cursor,
  });
}

export function useKeyDetail(bucket: string, key: string) {
  const api = useAdminApi();
  return useQuery({ queryKey: [...queryKeys.keyDetail, bucket, key], queryFn: () => api.keyDetail(bucket, key) });
}

/** Writes a value; afterwards the buckets, the key pages and key details are read again. */
export function useWriteKey() {
  const api = useAdminApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (write: KeyWrite) => api.writeKey(write),
    onSettled: async () => {
      await Promise.all([queryKeys.buckets, queryKeys.keyPages, queryKeys.keyDetail].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
}
