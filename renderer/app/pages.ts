// The console's pages: the navigation shows exactly these (only pages that work; CONTRACT.md
// names each link). A page is reached at `#/<path>`.

import type { ComponentType } from 'react';
import { AntiEntropyPage } from '../pages/anti-entropy/AntiEntropyPage.js';
import { ClusterPage } from '../pages/cluster/ClusterPage.js';
import { ConflictsPage } from '../pages/conflicts/ConflictsPage.js';
import { HandoffPage } from '../pages/handoff/HandoffPage.js';
import { KeysPage } from '../pages/keys/KeysPage.js';
import { MetricsPage } from '../pages/metrics/MetricsPage.js';
import { TracesPage } from '../pages/traces/TracesPage.js';

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
  { path: 'anti-entropy', label: 'Anti-entropy', component: AntiEntropyPage },
  { path: 'handoff', label: 'Handoff', component: HandoffPage },
  { path: 'metrics', label: 'Metrics', component: MetricsPage },
  { path: 'traces', label: 'Traces', component: TracesPage },
];
