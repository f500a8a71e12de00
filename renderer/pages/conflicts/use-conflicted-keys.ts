// Every key that has siblings (AdminApi.listKeys with siblingsOnly), read page by page up to a
// bound and sorted newest first. Nothing announces a new conflict, so the page offers Refresh.

import { useQuery } from '@tanstack/react-query';
import type { KeyListing } from '../../../core/admin/admin-api.js';
import { useAdminApi } from '../../api/AdminApiProvider.js';

/** Keys asked for per page, and the most listed in all (the rest are counted as not shown). */
export const conflictPageLimit = 200;
export const conflictKeysMax = 5000;

export const conflictQueryKeys = {
  all: ['conflicts'] as const,
  list: ['conflicts', 'list'] as const,
  detail: (bucket: string, key: string) => ['conflicts', 'detail', bucket, key] as const,
};

export interface ConflictedKeys {
  keys: KeyListing[];
  /** True when the listing stopped at conflictKeysMax with more to read. */
  truncated: boolean;
}

export function useConflictedKeys() {
  const api = useAdminApi();
  return useQuery({
    queryKey: conflictQueryKeys.list,
    queryFn: async (): Promise<ConflictedKeys> => {
      const keys: KeyListing[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.listKeys({ siblingsOnly: true, limit: conflictPageLimit, ...(cursor === undefined ? {} : { cursor }) });
        keys.push(...page.keys);
        cursor = page.cursor;
      } while (cursor !== undefined && keys.length < conflictKeysMax);
      return { keys: newestFirst(keys.filter((k) => k.siblings > 1)), truncated: cursor !== undefined };
    },
  });
}

/** Newest first; keys whose time the node does not report last, then by bucket and key. */
export function newestFirst(keys: readonly KeyListing[]): KeyListing[] {
  return [...keys].sort(
    (a, b) =>
      (b.lastModified ?? Number.NEGATIVE_INFINITY) - (a.lastModified ?? Number.NEGATIVE_INFINITY) ||
      a.bucket.localeCompare(b.bucket) ||
      a.key.localeCompare(b.key),
  );
}
