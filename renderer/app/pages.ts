// The console's pages: the navigation shows exactly these (only pages that work; CONTRACT.md
// names each link). A page is reached at `#/<path>`.

import type { ComponentType } from 'react';
import { ClusterPage } from '../pages/cluster/ClusterPage.js';
import { ConflictsPage } from '../pages/conflicts/ConflictsPage.js';
import { KeysPage } from '../pages/keys/KeysPage.js';

export interface PageEntry {
  path: string;
  /** The navigation link's name, as CONTRACT.md spells it. */
  label: string;
  component: ComponentType;
}

export const pages: readonly PageEntry[] = [
  { path: 'cluster', label: 'Cluster', component: ClusterPage },
  { path: 'keys', label: 'Keys', component: KeysPage },
  { path: 'conflicts', label: 'Conflicts', component: ConflictsPage },
];
