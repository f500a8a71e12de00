// Table tests of the GET decision core (core/coordinator/get-core.ts), in the manner of Riak's
// riak_kv_get_core tests. Each row proves, for its targets and R, what the core decides as
// replies (a state, or "not found") and failures arrive: the progress before any reply and
// after each one, whether every target has answered, the response (the merged siblings, named
// by their dots, or the quorum failure) and the read repairs (which replicas get the merged
// state). The states are real sibling sets made by coordinatePut, so merging and repair
// detection are the real ones.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/common/types.js';
import {
  addFailure,
  addReply,
  allAnswered,
  initGetCore,
  progress,
  repairs,
  response,
  type GetProgress,
} from '../../core/coordinator/get-core.js';
import { coordinatePut, mergeSiblingSets, type SiblingSet } from '../../core/version/sibling-set.js';
import type { VersionVector } from '../../core/version/vector-clock.js';

function put(local: SiblingSet | undefined, context: VersionVector, coordinator: NodeId, deleted = false): SiblingSet {
  const result = coordinatePut(local, context, coordinator, {
    value: new TextEncoder().encode(deleted ? '' : `by ${coordinator}`),
    contentType: 'text/plain',
    lastModified: 0,
    deleted,
  });
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

/** The named states replicas answer with. */
const v1 = put(undefined, {}, 'a'); // a:1
const v2 = put(v1, v1.vv, 'a'); // a:2, which saw and replaced a:1
const w1 = put(undefined, {}, 'b'); // b:1, concurrent with a:1
const deleted = put(v1, v1.vv, 'a', true); // a:2 as a tombstone, which replaced a:1
const states: Record<string, SiblingSet | null> = {
  v1,
  v2,
  w1,
  'v1+w1': mergeSiblingSets(v1, w1),
  deleted,
  none: null,
};

type Expected =
  | { kind: 'ok'; siblings: string[]; replies: number }
  | { kind: 'quorum'; replies: number; required: number };

interface GetCase {
  name: string;
  targets?: NodeId[];
  r: number;
  /** In arrival order: `node:state` (a name from `states`; `none` is "not found") or `node:fail`. */
  events: string[];
  /** Before any reply, then after each event. */
  progress: GetProgress[];
  allAnswered: boolean;
  /** The merged siblings as dots; a tombstone's dot is marked `†`. */
  response: Expected;
  /** The replicas that get the merged state. */
  repairs: NodeId[];
}

const ok = (siblings: string[], replies: number): Expected => ({ kind: 'ok', siblings, replies });
const quorum = (replies: number, required: number): Expected => ({ kind: 'quorum', replies, required });

const cases: GetCase[] = [
  // ── Agreement ─────────────────────────────────────────────────────────────────────────
  {
    name: 'R=2: two equal replies are enough and need no repair',
    r: 2, events: ['a:v1', 'b:v1'],
    progress: ['waiting', 'waiting', 'enough'],
    allAnswered: false, response: ok(['a:1'], 2), repairs: [],
  },
  {
    name: 'R=2: the third equal reply makes all answered, still no repair',
    r: 2, events: ['a:v1', 'b:v1', 'c:v1'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok(['a:1'], 3), repairs: [],
  },
  {
    name: 'R=1: the first reply is enough',
    r: 1, events: ['c:v2'],
    progress: ['waiting', 'enough'],
    allAnswered: false, response: ok(['a:2'], 1), repairs: [],
  },
  {
    name: 'R=3: waits for every replica',
    r: 3, events: ['a:v1', 'b:v1', 'c:v1'],
    progress: ['waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, response: ok(['a:1'], 3), repairs: [],
  },
  // ── Not found ─────────────────────────────────────────────────────────────────────────
  {
    name: 'not found everywhere: enough, an empty answer, nothing to repair',
    r: 2, events: ['a:none', 'b:none', 'c:none'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok([], 3), repairs: [],
  },
  {
    name: 'a "not found" counts toward R and is repaired with what the others hold',
    r: 2, events: ['a:none', 'b:v1', 'c:v1'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok(['a:1'], 3), repairs: ['a'],
  },
  // ── Stale replicas and siblings ───────────────────────────────────────────────────────
  {
    name: 'the newer version wins and the stale replica is repaired',
    r: 2, events: ['a:v2', 'b:v1', 'c:v2'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok(['a:2'], 3), repairs: ['b'],
  },
  {
    name: 'the order of replies does not change the answer',
    r: 2, events: ['b:v1', 'c:v2', 'a:v2'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok(['a:2'], 3), repairs: ['b'],
  },
  {
    name: 'concurrent versions become siblings and each replica gets the other one',
    r: 2, events: ['a:v1', 'b:w1', 'c:none'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok(['a:1', 'b:1'], 3), repairs: ['a', 'b', 'c'],
  },
  {
    name: 'a replica that already holds both siblings needs no repair',
    r: 2, events: ['a:v1+w1', 'b:w1', 'c:v1+w1'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok(['a:1', 'b:1'], 3), repairs: ['b'],
  },
  {
    name: 'a newer tombstone hides the value it replaced and repairs the replica still holding it',
    r: 2, events: ['a:deleted', 'b:v1'],
    progress: ['waiting', 'waiting', 'enough'],
    allAnswered: false, response: ok(['a:2†'], 2), repairs: ['b'],
  },
  {
    name: 'a replica holding the replaced version and one holding nothing are both repaired',
    r: 2, events: ['a:v1', 'b:v2', 'c:none'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, response: ok(['a:2'], 3), repairs: ['a', 'c'],
  },
  // ── Failures ──────────────────────────────────────────────────────────────────────────
  {
    name: 'one failure with R=2: the two others are enough; the failed one gets no repair',
    r: 2, events: ['a:fail', 'b:v2', 'c:v1'],
    progress: ['waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, response: ok(['a:2'], 2), repairs: ['c'],
  },
  {
    name: 'two failures with R=2: R is unreachable before the last reply',
    r: 2, events: ['a:fail', 'b:fail'],
    progress: ['waiting', 'waiting', 'failed'],
    allAnswered: false, response: quorum(0, 2), repairs: [],
  },
  {
    name: 'two failures with R=2 after one reply: the quorum failure reports the reply',
    r: 2, events: ['a:v1', 'b:fail', 'c:fail'],
    progress: ['waiting', 'waiting', 'waiting', 'failed'],
    allAnswered: true, response: quorum(1, 2), repairs: [],
  },
  {
    name: 'R=3: one failure is enough to fail',
    r: 3, events: ['a:v1', 'b:fail'],
    progress: ['waiting', 'waiting', 'failed'],
    allAnswered: false, response: quorum(1, 3), repairs: [],
  },
  {
    name: 'R larger than the targets: unreachable from the start',
    targets: ['a', 'b'], r: 3, events: [],
    progress: ['failed'],
    allAnswered: false, response: quorum(0, 3), repairs: [],
  },
  // ── Duplicate and late answers ────────────────────────────────────────────────────────
  {
    name: 'a duplicated reply counts once, and its second state is ignored',
    r: 2, events: ['a:v1', 'a:v2'],
    progress: ['waiting', 'waiting', 'waiting'],
    allAnswered: false, response: quorum(1, 2), repairs: [],
  },
  {
    name: 'a failure after a reply of the same node is ignored',
    r: 2, events: ['a:v1', 'a:fail', 'b:v1'],
    progress: ['waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: false, response: ok(['a:1'], 2), repairs: [],
  },
  {
    name: 'a reply after a failure of the same node is ignored (the first answer stands)',
    r: 2, events: ['a:fail', 'a:v2', 'b:v1', 'c:none'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, response: ok(['a:1'], 2), repairs: ['c'],
  },
];

function dots(state: SiblingSet): string[] {
  return state.siblings.map((s) => `${s.node}:${s.counter}${s.deleted ? '†' : ''}`);
}

function run(row: GetCase) {
  const core = initGetCore(row.targets ?? ['a', 'b', 'c'], row.r);
  const seen: GetProgress[] = [progress(core)];
  for (const event of row.events) {
    const [node, what] = event.split(':');
    if (what === 'fail') addFailure(core, node);
    else if (what in states) addReply(core, node, states[what]);
    else throw new Error(`bad event ${event}`);
    seen.push(progress(core));
  }
  const answer = response(core);
  const sent = repairs(core);
  // Every repair carries the merged state, the one the response answers with.
  for (const repair of sent) expect(repair.state).toBe(core.merged);
  return {
    progress: seen,
    allAnswered: allAnswered(core),
    response: answer.kind === 'ok' ? ok(dots(answer.state), answer.replies) : answer,
    repairs: sent.map((repair) => repair.node).sort(),
  };
}

describe('get core', () => {
  it.each(cases)('$name', (row) => {
    expect(row.progress.length, 'one progress before the events and one after each').toBe(row.events.length + 1);
    expect(run(row)).toEqual({ progress: row.progress, allAnswered: row.allAnswered, response: row.response, repairs: row.repairs });
  });

  it('refuses R below 1', () => {
    // Proves the assertion at init: R = 0 is a programming error and throws.
    expect(() => initGetCore(['a', 'b', 'c'], 0)).toThrow(/r must be/);
  });
});
