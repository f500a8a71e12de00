// The active preference list (Dynamo paper §4.6, sloppy quorum and hinted handoff; Riak's
// riak_core_apl:get_apl_ann): the first N healthy nodes of a partition's extended preference
// list, each tagged with what it is. A healthy node of the preference list is a `primary`; a
// down primary is stood in for, in order, by the next healthy node beyond the preference list,
// a `fallback` whose `hintFor` names the primary it holds data for until handoff.
//
// The order is the extended list's, as in Riak: the healthy primaries first, then the fallbacks
// (in the order of the primaries they replace), so a coordinator picked from the front is a
// primary whenever one is up.

import { assert } from '../common/assert.js';
import type { NodeId } from '../common/types.js';
import type { Ring } from './ring.js';

export type PreferenceRole = 'primary' | 'fallback';

export interface AnnotatedNode {
  node: NodeId;
  role: PreferenceRole;
  /** For a fallback: the down primary it stands in for (the hint's intended owner). */
  hintFor?: NodeId;
}

/**
 * The nodes a request for `partition` goes to, given which nodes are up. Up to N entries, all
 * distinct and all up; fewer when fewer than N nodes are up. `isUp` is called once per node
 * looked at.
 */
export function annotatedPreferenceList(
  ring: Ring,
  partition: number,
  isUp: (id: NodeId) => boolean,
): AnnotatedNode[] {
  const extended = ring.extendedPreferenceList(partition);
  const primaryCount = ring.preferenceList(partition).length;
  const result: AnnotatedNode[] = [];
  const down: NodeId[] = [];
  for (let i = 0; i < primaryCount; i++) {
    const node = extended[i];
    if (isUp(node)) result.push({ node, role: 'primary' });
    else down.push(node);
  }
  let replaced = 0;
  for (let i = primaryCount; i < extended.length && replaced < down.length; i++) {
    const node = extended[i];
    if (isUp(node)) result.push({ node, role: 'fallback', hintFor: down[replaced++] });
  }
  // Distinct by construction (the extended list is); a stand-in per down primary, never more.
  assert(result.length <= primaryCount, 'annotatedPreferenceList: more than N nodes');
  return result;
}
