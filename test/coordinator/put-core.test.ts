// Table tests of the PUT decision core (core/coordinator/put-core.ts), in the manner of Riak's
// riak_kv_put_fsm tests. Each row proves, for its targets, W and `counted`, what the core
// decides as a sequence of acks and failures arrives: the progress before any answer and after
// each one, whether every target has answered, and how many acks count toward W. The rows
// under "future replicas" settle whether acks from targets that are not current replicas
// (the future ring's, appended during a partition transfer) count toward W: they do not. The
// rows under "durable acks" settle DW: W acks are enough only once `dw` of them are durable,
// and the put fails as soon as either can no longer be met.

import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/common/types.js';
import { addAck, addFailure, allAnswered, initPutCore, progress, type PutProgress } from '../../core/coordinator/put-core.js';

interface PutCase {
  name: string;
  /** The coordinator first (its own stored write is its ack), then the other targets. */
  targets: NodeId[];
  w: number;
  /** How many of the first targets count toward W; absent: all of them. */
  counted?: number;
  /** Durable acks required; absent: 0. */
  dw?: number;
  /** In arrival order: `node:ack`, `node:durable` (a durable ack) or `node:fail`. */
  events: string[];
  /** Before any answer, then after each event. */
  progress: PutProgress[];
  allAnswered: boolean;
  /** The acks that count toward W (what a response reports). */
  acks: number;
  /** Of those, the durable ones; absent: 0. */
  durable?: number;
}

const abc = ['a', 'b', 'c'];
/** A transfer in progress: a, b, c replicate the key now; d will once the transfer completes. */
const abcd = ['a', 'b', 'c', 'd'];

const cases: PutCase[] = [
  // ── Plain quorums (every target counts) ───────────────────────────────────────────────
  {
    name: 'W=2: the coordinator and one replica are enough',
    targets: abc, w: 2,
    events: ['a:ack', 'b:ack'],
    progress: ['waiting', 'waiting', 'enough'],
    allAnswered: false, acks: 2,
  },
  {
    name: 'W=2: every replica acks',
    targets: abc, w: 2,
    events: ['a:ack', 'b:ack', 'c:ack'],
    progress: ['waiting', 'waiting', 'enough', 'enough'],
    allAnswered: true, acks: 3,
  },
  {
    name: 'W=1: the coordinator alone is enough',
    targets: abc, w: 1,
    events: ['a:ack'],
    progress: ['waiting', 'enough'],
    allAnswered: false, acks: 1,
  },
  {
    name: 'W=3: all three must ack',
    targets: abc, w: 3,
    events: ['a:ack', 'c:ack', 'b:ack'],
    progress: ['waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, acks: 3,
  },
  {
    name: 'W=2: one failure leaves W reachable, the last replica meets it',
    targets: abc, w: 2,
    events: ['a:ack', 'b:fail', 'c:ack'],
    progress: ['waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, acks: 2,
  },
  {
    name: 'W=2: two failures make W unreachable',
    targets: abc, w: 2,
    events: ['a:ack', 'b:fail', 'c:fail'],
    progress: ['waiting', 'waiting', 'waiting', 'failed'],
    allAnswered: true, acks: 1,
  },
  {
    name: 'W=3: the first failure makes W unreachable',
    targets: abc, w: 3,
    events: ['a:ack', 'b:fail'],
    progress: ['waiting', 'waiting', 'failed'],
    allAnswered: false, acks: 1,
  },
  {
    name: 'W=2: failures decide before the coordinator has stored (it cannot reach W alone)',
    targets: abc, w: 2,
    events: ['b:fail', 'c:fail'],
    progress: ['waiting', 'waiting', 'failed'],
    allAnswered: false, acks: 0,
  },
  {
    name: 'W larger than the targets: unreachable from the start',
    targets: ['a', 'b'], w: 3,
    events: ['a:ack', 'b:ack'],
    progress: ['failed', 'failed', 'failed'],
    allAnswered: true, acks: 2,
  },
  // ── Duplicate, late and stray answers ─────────────────────────────────────────────────
  {
    name: 'a duplicated ack counts once',
    targets: abc, w: 2,
    events: ['a:ack', 'a:ack'],
    progress: ['waiting', 'waiting', 'waiting'],
    allAnswered: false, acks: 1,
  },
  {
    name: 'an ack after a failure of the same node is ignored (the first answer stands)',
    targets: abc, w: 2,
    events: ['a:ack', 'b:fail', 'b:ack', 'c:fail'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting', 'failed'],
    allAnswered: true, acks: 1,
  },
  {
    name: 'a failure after an ack of the same node is ignored',
    targets: abc, w: 3,
    events: ['a:ack', 'b:ack', 'b:fail', 'c:ack'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, acks: 3,
  },
  {
    name: 'an ack from a node that is not a target does not count',
    targets: abc, w: 2,
    events: ['a:ack', 'x:ack'],
    progress: ['waiting', 'waiting', 'waiting'],
    allAnswered: false, acks: 1,
  },
  // ── Future replicas (a transfer in progress: d is appended, counted = 3) ──────────────
  {
    name: 'future replicas: the coordinator and a future replica do not make W=2',
    targets: abcd, w: 2, counted: 3,
    events: ['a:ack', 'd:ack'],
    progress: ['waiting', 'waiting', 'waiting'],
    allAnswered: false, acks: 1,
  },
  {
    name: 'future replicas: W=2 is met by a current replica, whatever the future one said',
    targets: abcd, w: 2, counted: 3,
    events: ['a:ack', 'd:ack', 'c:ack'],
    progress: ['waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: false, acks: 2,
  },
  {
    name: 'future replicas: a future replica cannot rescue W when the current ones failed',
    targets: abcd, w: 2, counted: 3,
    events: ['a:ack', 'd:ack', 'b:fail', 'c:fail'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting', 'failed'],
    allAnswered: true, acks: 1,
  },
  {
    name: 'future replicas: a future replica failing does not make W unreachable',
    targets: abcd, w: 3, counted: 3,
    events: ['a:ack', 'd:fail', 'b:ack', 'c:ack'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, acks: 3,
  },
  {
    name: 'future replicas: all answered waits for the future replica too',
    targets: abcd, w: 2, counted: 3,
    events: ['a:ack', 'b:ack', 'c:ack', 'd:ack'],
    progress: ['waiting', 'waiting', 'enough', 'enough', 'enough'],
    allAnswered: true, acks: 3,
  },
  {
    name: 'future replicas: two future replicas (a leave and a join) still count for nothing',
    targets: ['a', 'b', 'c', 'd', 'e'], w: 2, counted: 3,
    events: ['a:ack', 'd:ack', 'e:ack', 'b:fail'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting', 'waiting'],
    allAnswered: false, acks: 1,
  },
  {
    name: 'future replicas: counted = targets is the plain quorum (no transfer in progress)',
    targets: abcd, w: 2, counted: 4,
    events: ['a:ack', 'd:ack'],
    progress: ['waiting', 'waiting', 'enough'],
    allAnswered: false, acks: 2,
  },
  // ── Durable acks (DW) ─────────────────────────────────────────────────────────────────
  {
    name: 'DW=2: the durable coordinator and one durable replica are enough',
    targets: abc, w: 2, dw: 2,
    events: ['a:durable', 'b:durable'],
    progress: ['waiting', 'waiting', 'enough'],
    allAnswered: false, acks: 2, durable: 2,
  },
  {
    name: 'DW=2: W met by a plain ack is not enough; the next durable ack is',
    targets: abc, w: 2, dw: 2,
    events: ['a:durable', 'b:ack', 'c:durable'],
    progress: ['waiting', 'waiting', 'waiting', 'enough'],
    allAnswered: true, acks: 3, durable: 2,
  },
  {
    name: 'DW=2: W met but DW unreachable once the last replica fails',
    targets: abc, w: 2, dw: 2,
    events: ['a:durable', 'b:ack', 'c:fail'],
    progress: ['waiting', 'waiting', 'waiting', 'failed'],
    allAnswered: true, acks: 2, durable: 1,
  },
  {
    name: 'DW=2: plain acks make DW unreachable as soon as too few replicas are left',
    targets: abc, w: 2, dw: 2,
    events: ['a:ack', 'b:ack', 'c:ack'],
    progress: ['waiting', 'waiting', 'failed', 'failed'],
    allAnswered: true, acks: 3, durable: 0,
  },
  {
    name: 'DW=1: the durable coordinator and a plain replica are enough for W=2',
    targets: abc, w: 2, dw: 1,
    events: ['a:durable', 'b:ack'],
    progress: ['waiting', 'waiting', 'enough'],
    allAnswered: false, acks: 2, durable: 1,
  },
  {
    name: 'DW=0: durable acks count as acks, nothing more',
    targets: abc, w: 2,
    events: ['a:durable', 'b:durable'],
    progress: ['waiting', 'waiting', 'enough'],
    allAnswered: false, acks: 2, durable: 2,
  },
  {
    name: 'DW=2: a durable ack after a plain one from the same node counts once, as plain',
    targets: abc, w: 2, dw: 2,
    events: ['a:durable', 'b:ack', 'b:durable'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting'],
    allAnswered: false, acks: 2, durable: 1,
  },
  {
    name: 'DW=2: a future replica\'s durable ack counts for nothing',
    targets: abcd, w: 2, counted: 3, dw: 2,
    events: ['a:durable', 'd:durable', 'b:ack', 'c:fail'],
    progress: ['waiting', 'waiting', 'waiting', 'waiting', 'failed'],
    allAnswered: true, acks: 2, durable: 1,
  },
];

function run(row: PutCase) {
  const core = initPutCore(row.targets, row.w, row.counted, row.dw);
  const seen: PutProgress[] = [progress(core)];
  for (const event of row.events) {
    const [node, what] = event.split(':');
    if (what === 'ack') addAck(core, node);
    else if (what === 'durable') addAck(core, node, true);
    else if (what === 'fail') addFailure(core, node);
    else throw new Error(`bad event ${event}`);
    seen.push(progress(core));
  }
  return { progress: seen, allAnswered: allAnswered(core), acks: core.acked.size, durable: core.durableAcked };
}

describe('put core', () => {
  it.each(cases)('$name', (row) => {
    expect(row.progress.length, 'one progress before the events and one after each').toBe(row.events.length + 1);
    expect(run(row)).toEqual({ progress: row.progress, allAnswered: row.allAnswered, acks: row.acks, durable: row.durable ?? 0 });
  });

  it('refuses arguments that break its invariants', () => {
    // Proves the assertions at init: W below 1, duplicated targets, `counted` outside
    // 1..targets and DW outside 0..W are programming errors and throw.
    expect(() => initPutCore(abc, 0)).toThrow(/w must be/);
    expect(() => initPutCore(['a', 'b', 'a'], 2)).toThrow(/distinct/);
    expect(() => initPutCore(abc, 2, 0)).toThrow(/counted/);
    expect(() => initPutCore(abc, 2, 4)).toThrow(/counted/);
    expect(() => initPutCore(abc, 2, 3, 3)).toThrow(/dw must be/);
    expect(() => initPutCore(abc, 2, 3, -1)).toThrow(/dw must be/);
    expect(() => initPutCore(abc, 2, 3, 1.5)).toThrow(/dw must be/);
  });
});
