// Writing a resolution (AdminApi.writeKey with the context of the read the page shows): keep
// one sibling, or write a merged value. The outcome (what remains) stays on the page; the key's
// read and the list of conflicts are read again, so the page goes on from what is stored now.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { KeyRead } from '../../../core/admin/admin-api.js';
import { useAdminApi } from '../../api/AdminApiProvider.js';
import { queryKeys } from '../../api/query-keys.js';
import { type WriteOutcome, writeOutcome } from '../../lib/resolution.js';
import { textToBase64 } from '../../lib/value-text.js';
import { conflictQueryKeys } from './use-conflicted-keys.js';

export type Resolution =
  | { kind: 'keep'; sibling: number; value: string; contentType: string }
  | { kind: 'merge'; text: string; contentType: string };

interface Attempt {
  read: KeyRead;
  resolution: Resolution;
}

export interface ShownOutcome extends WriteOutcome {
  /** What was written: "Sibling 2 kept" or "merged value written". */
  what: string;
}

/** "Keeping Sibling 2 of carts/alice", the subject of a failure sentence. */
export function resolutionName(resolution: Resolution, read: Pick<KeyRead, 'bucket' | 'key'>): string {
  const where = `${read.bucket}/${read.key}`;
  return resolution.kind === 'keep' ? `Keeping Sibling ${resolution.sibling} of ${where}` : `Writing the merged value of ${where}`;
}

export function useResolution(onFailure: (what: string, error: unknown) => void) {
  const api = useAdminApi();
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<ShownOutcome | undefined>(undefined);
  const mutation = useMutation({
    mutationFn: async ({ read, resolution }: Attempt) => {
      const result = await api.writeKey({
        bucket: read.bucket,
        key: read.key,
        value: resolution.kind === 'keep' ? resolution.value : textToBase64(resolution.text),
        contentType: resolution.contentType,
        ...(read.context === undefined ? {} : { context: read.context }),
      });
      // The outcome shows once the page shows what is stored now (a failed re-read shows on its own).
      await queryClient.invalidateQueries({ queryKey: conflictQueryKeys.all });
      // The Keys page's reads of this key and its listings are stale too.
      for (const read of ['keyDetail', 'keyPages', 'buckets'] as const) void queryClient.invalidateQueries({ queryKey: queryKeys[read] });
      return result;
    },
    onMutate: () => setOutcome(undefined),
    onSuccess: (result, { read, resolution }) => {
      const what = resolution.kind === 'keep' ? `Sibling ${resolution.sibling} kept` : 'Merged value written';
      setOutcome({ ...writeOutcome(read.versions, result), what });
    },
    onError: (error, { read, resolution }) => {
      onFailure(resolutionName(resolution, read), error);
      // A refused write may still have reached some replicas (a quorum not met): read again.
      void queryClient.invalidateQueries({ queryKey: conflictQueryKeys.all });
    },
  });
  return {
    write: (read: KeyRead, resolution: Resolution) => mutation.mutate({ read, resolution }),
    /** The resolution in flight, if any. */
    pending: mutation.isPending ? mutation.variables.resolution : undefined,
    outcome,
    dismissOutcome: () => setOutcome(undefined),
  };
}
