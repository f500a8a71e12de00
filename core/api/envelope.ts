// The JSON shapes of a key's versions (CONTRACT.md): the sibling envelope of GET ?format=json
// and of /v1/admin/local, and the version history of GET /v1/admin/history.

import type { Sibling, SiblingSet } from '../version/sibling-set.js';
import { liveSiblings } from '../version/sibling-set.js';
import type { HistoryEntry } from '../admin/admin-api.js';
import type { HistoryEntry as StoredHistoryEntry } from '../version/history.js';
import { clockOf, contentHash } from '../version/history.js';

/** The JSON sibling envelope of CONTRACT.md: every live version with its clock. */
export function siblingEnvelope(context: string, state: SiblingSet) {
  return {
    context,
    siblings: liveSiblings(state).map((sibling) => ({
      value: Buffer.from(sibling.value.buffer, sibling.value.byteOffset, sibling.value.byteLength).toString('base64'),
      contentType: sibling.contentType,
      clock: clockOf(sibling),
      dot: { node: sibling.node, counter: sibling.counter },
      past: { ...sibling.past },
      lastModified: new Date(sibling.lastModified).toISOString(),
    })),
  };
}

/** A version as GET /v1/admin/history lists it: the console's HistoryEntry (core/admin). */
export type HistoryVersionJson = HistoryEntry;

/** The key's history as GET /v1/admin/history answers it: current versions and superseded ones, newest first. */
export function historyJson(state: SiblingSet | undefined): { versions: HistoryVersionJson[] } {
  if (state === undefined) return { versions: [] };
  const current = state.siblings.map((sibling) => versionJson(sibling, sibling.value.byteLength, contentHash(sibling.value), true));
  const superseded = (state.history ?? []).map((entry: StoredHistoryEntry) => versionJson(entry, entry.size, entry.hash, false));
  const versions = [...current, ...superseded];
  versions.sort((a, b) => (a.lastModified === b.lastModified ? 0 : a.lastModified < b.lastModified ? 1 : -1));
  return { versions };
}

function versionJson(
  version: Pick<Sibling, 'node' | 'counter' | 'past' | 'lastModified' | 'deleted'>,
  size: number,
  hash: number,
  current: boolean,
): HistoryVersionJson {
  return {
    dot: { node: version.node, counter: version.counter },
    clock: clockOf(version),
    past: { ...version.past },
    node: version.node,
    lastModified: new Date(version.lastModified).toISOString(),
    size,
    hash: hash.toString(16).padStart(8, '0'),
    deleted: version.deleted,
    current,
  };
}
