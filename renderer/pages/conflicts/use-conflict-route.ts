// The key the address selects (see conflict-route.ts), following the back and forward buttons.

import { useMemo } from 'react';
import { useHash } from '../../app/use-hash-route.js';
import { type KeyRef, keyFromHash } from './conflict-route.js';

export function useSelectedKey(): KeyRef | undefined {
  const hash = useHash();
  return useMemo(() => keyFromHash(hash), [hash]);
}
