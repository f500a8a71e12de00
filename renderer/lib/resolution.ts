// What a resolution write does, said before and after it (Dynamo §4.4: a write with the read's
// context supersedes exactly the versions the read returned). Before: which versions it
// supersedes. After: what remains, from KeyWriteResult. One version left is a resolution; more
// mean another write arrived meanwhile (concurrent with ours, so kept beside it), and the page
// says so rather than claiming success. Pure.

import type { KeyWriteResult, VersionView } from '../../core/admin/admin-api.js';
import { plural } from './format.js';
import { formatDot } from './key-text.js';
import { descends } from './version-graph.js';

/** "This write supersedes these 2 versions; the new version descends from all of them." */
export function supersedeSentence(versions: number): string {
  if (versions === 1) return 'This write supersedes this version; the new version descends from it.';
  return `This write supersedes these ${versions} versions; the new version descends from all of them.`;
}

export interface RemainingVersion {
  version: VersionView;
  id: string;
  /** True for the version this write made (it descends every version the read showed). */
  written: boolean;
}

export interface WriteOutcome {
  state: 'resolved' | 'raced' | 'gone';
  title: string;
  detail: string;
  remaining: RemainingVersion[];
}

/** The result of a write made from a read that showed `before`. */
export function writeOutcome(before: readonly VersionView[], result: KeyWriteResult): WriteOutcome {
  const remaining = result.after.versions.map((version) => ({
    version,
    id: formatDot(version.dot),
    written: before.every((old) => descends(version, old)),
  }));
  if (remaining.length === 0) {
    return { state: 'gone', title: 'No version remains', detail: 'The read after the write found no version of the key: another client may have deleted it meanwhile.', remaining };
  }
  if (result.raced || remaining.length > 1) {
    const others = remaining.filter((r) => !r.written);
    const ours = remaining.find((r) => r.written);
    return {
      state: 'raced',
      title: `Not resolved: another write arrived meanwhile, ${plural(remaining.length, 'version')} remain`,
      detail:
        `${ours === undefined ? 'The write' : `The write (${ours.id})`} superseded the ${plural(before.length, 'version')} this page read, ` +
        `but ${others.map((r) => r.id).join(', ')} ${others.length === 1 ? 'was' : 'were'} written concurrently and ${others.length === 1 ? 'stays' : 'stay'} beside it as ${others.length === 1 ? 'a sibling' : 'siblings'}. ` +
        'The siblings below are read again: resolve once more.',
      remaining,
    };
  }
  return { state: 'resolved', title: 'Resolved: one version remains', detail: `The key now holds ${remaining[0].id} alone.`, remaining };
}
