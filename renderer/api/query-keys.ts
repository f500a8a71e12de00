// The keys of the renderer's cached reads (TanStack Query), one per AdminApi read.

import type { CachedRead } from '../lib/invalidation.js';

export const queryKeys: Record<CachedRead, readonly [CachedRead]> = {
  clusterView: ['clusterView'],
};
