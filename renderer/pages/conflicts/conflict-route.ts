// Which key the Conflicts page shows: `#/conflicts/<bucket>/<key>`, each part percent-encoded
// (a key may hold "/"), so a conflict can be linked to and the back button returns to the list.

export interface KeyRef {
  bucket: string;
  key: string;
}

export const conflictsPath = 'conflicts';

export function conflictHash(ref: KeyRef): string {
  return `#/${conflictsPath}/${encodeURIComponent(ref.bucket)}/${encodeURIComponent(ref.key)}`;
}

/** The key a hash names, or undefined for the list (or a malformed address). */
export function keyFromHash(hash: string): KeyRef | undefined {
  const prefix = `#/${conflictsPath}/`;
  if (!hash.startsWith(prefix)) return undefined;
  const parts = hash.slice(prefix.length).split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  try {
    return { bucket: decodeURIComponent(parts[0]), key: decodeURIComponent(parts[1]) };
  } catch {
    return undefined;
  }
}
