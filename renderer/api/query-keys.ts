// The keys of the renderer's cached reads (TanStack Query), one per AdminApi read. A read with
// arguments keys its entries under the same first element (['keyDetail', bucket, key]), so an
// invalidation of the name reaches all of them.

import type { CachedRead } from '../lib/invalidation.js';

export const queryKeys: Record<CachedRead, readonly [CachedRead]> = {
  clusterView: ['clusterView'],
  buckets: ['buckets'],
  keyPages: ['keyPages'],
  keyDetail: ['keyDetail'],
  antiEntropyRuns: ['antiEntropyRuns'],
  handoff: ['handoff'],
  traceList: ['traceList'],
  trace: ['trace'],
};
