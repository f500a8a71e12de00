// `npm run bench:trace`: what request tracing costs (core/node/tracing.ts). Requests a node does
// not trace must cost nothing measurable: the unsampled path is one sampling decision per
// request and one branch where a traced request would record.
//
// Two measurements in one run:
// - Clusters: fresh 3-node clusters with --trace-sample 0 (off), 0.01 (the default) and 1 (every
//   request traced), interleaved round by round and compared by their medians, in ops/s and in
//   the CPU the nodes spend per operation (cost-rounds.ts). Workloads A (50/50) and C (reads).
// - In process: CPU per coordinated GET through the real get machine, with the recorder's
//   sampling decision and recording wired as core/node/coordination.ts wires them, against the
//   same request with no tracing code at all; effects answer through resolved promises, as in
//   bench/coordination.ts. This isolates the figure the clusters' noise hides.

import { fileURLToPath } from 'node:url';
import { createActor } from 'xstate';
import { SeededRandom } from '../core/common/random.js';
import type { NodeId } from '../core/common/types.js';
import { repairs } from '../core/coordinator/get-core.js';
import type { GetResponse } from '../core/coordinator/get-core.js';
import { getMachine, type GetEvent, type GetInput } from '../core/coordinator/get.machine.js';
import { stateReply, TraceRecorder, type RequestTrace } from '../core/node/tracing.js';
import type { AnnotatedNode } from '../core/ring/preference-list.js';
import { realClock } from '../core/runtime/real-clock.js';
import { coordinatePut, type SiblingSet } from '../core/version/sibling-set.js';
import { costCommand, costTable, median, runCostRounds, type CostSetting } from './cost-rounds.js';
import { formatTable } from './report.js';

/** The baseline first: tracing off. */
export const traceSettings: readonly CostSetting[] = [
  { label: 'trace 0', nodes: { traceSample: 0 } },
  { label: 'trace 0.01', nodes: { traceSample: 0.01 } },
  { label: 'trace 1', nodes: { traceSample: 1 } },
];

// ── In process ───────────────────────────────────────────────────────────────────────────

/** no tracing code (the node before tracing), or a recorder at this sample rate. */
type Variant = 'none' | 0 | 0.01 | 1;

const targets: readonly AnnotatedNode[] = (['n1', 'n2', 'n3'] as const).map((node) => ({ node, role: 'primary' }));
const resolved = Promise.resolve();

type Sender = { send(event: GetEvent): void; getSnapshot(): { status: string } };

function deliver(actor: Sender, event: GetEvent): void {
  if (actor.getSnapshot().status === 'active') actor.send(event);
}

/** One replica's state: a key with one 900-byte version. */
function replicaState(): SiblingSet {
  const put = coordinatePut(undefined, {}, 'n1', { value: new Uint8Array(900).fill(7), contentType: 'application/octet-stream', lastModified: 0, deleted: false });
  if (!put.ok) throw new Error('coordinatePut refused');
  return put.state;
}

/** The get machine with coordination.ts's effects, replicas answering a microtask later. */
function getLogic(state: SiblingSet, traced: boolean) {
  return getMachine.provide({
    actions: {
      sendReads: ({ context, self }) => {
        const trace = traced ? (context.request as GetInput & { trace: RequestTrace | undefined }).trace : undefined;
        for (const target of context.request.targets) {
          const node: NodeId = target.node;
          const reading = resolved.then(() => state);
          (trace === undefined ? reading : trace.observe(trace.sent('read', target), reading, stateReply)).then((answer) =>
            deliver(self as unknown as Sender, { type: 'REPLY', node, state: answer }),
          );
        }
      },
      sendRepairs: ({ context }) => {
        repairs(context.core);
      },
    },
  });
}

function oneGet(logic: ReturnType<typeof getLogic>, recorder: TraceRecorder | undefined, respond: () => void): void {
  const partition = 0;
  const trace = recorder !== undefined && recorder.sampled(false) ? recorder.begin({ op: 'get', bucket: 'b', key: 'k', partition, r: 2, requested: false }) : undefined;
  const answer = (response: GetResponse) => {
    if (trace !== undefined) trace.answerGet(response);
    respond();
  };
  const input = { bucket: 'b', key: 'k', partition, targets, r: 2, historyMax: 8, timeoutMs: 2000, respond: answer, finish: () => undefined, trace };
  createActor(logic, trace === undefined ? { input } : { input, inspect: trace.inspect }).start();
}

/** CPU µs per GET over `count` requests, 32 in flight at a time. */
async function measureGets(variant: Variant, count: number): Promise<number> {
  const state = replicaState();
  const logic = getLogic(state, variant !== 'none');
  const recorder = variant === 'none' ? undefined : new TraceRecorder({ self: 'n1', clock: realClock, random: new SeededRandom(1), sampleRate: variant });
  const started = process.cpuUsage();
  for (let i = 0; i < count; i += 32) {
    const batch: Promise<void>[] = [];
    for (let j = 0; j < 32; j++) batch.push(new Promise((resolve) => oneGet(logic, recorder, resolve)));
    await Promise.all(batch);
  }
  await new Promise((resolve) => setImmediate(resolve));
  const spent = process.cpuUsage(started);
  return (spent.user + spent.system) / count;
}

const variants: readonly Variant[] = ['none', 0, 0.01, 1];

/** Median CPU µs per GET of each variant, the variants alternated round by round. */
export async function runInProcess(rounds: number, requests: number): Promise<Map<Variant, number>> {
  for (const variant of variants) await measureGets(variant, requests / 5); // warm-up
  const samples = new Map<Variant, number[]>(variants.map((variant) => [variant, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) samples.get(variant)!.push(await measureGets(variant, requests));
  }
  return new Map(variants.map((variant) => [variant, median(samples.get(variant)!)]));
}

/** CPU ns of one unsampled request's sampling decision at the default rate (a traced one's begins a trace). */
export function decisionNs(calls = 10_000_000): number {
  const recorder = new TraceRecorder({ self: 'n1', clock: realClock, random: new SeededRandom(1), sampleRate: 0.01 });
  let sampled = 0;
  const started = process.cpuUsage();
  for (let i = 0; i < calls; i++) if (recorder.sampled(false)) sampled++;
  const spent = process.cpuUsage(started);
  if (sampled === 0) throw new Error('no request sampled at 0.01');
  return ((spent.user + spent.system) * 1000) / calls;
}

export function inProcessTable(results: Map<Variant, number>): string {
  const none = results.get('none')!;
  return formatTable(
    ['GET, in process', 'µs/request', 'vs no tracing code'],
    variants.map((variant) => {
      const us = results.get(variant)!;
      return [variant === 'none' ? 'no tracing code' : `sample ${variant}`, us.toFixed(2), `${us - none >= 0 ? '+' : ''}${(us - none).toFixed(2)} µs`];
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = costCommand('bench:trace', { rounds: 3, duration: 15 }, (command) =>
    command.option('--in-process-only', 'skip the clusters: only the in-process measurement', false),
  );
  if (options.extra.inProcessOnly !== true) {
    const samples = await runCostRounds(traceSettings, { ...options, workloads: ['a', 'c'] });
    process.stdout.write(`${costTable(traceSettings, samples)}\n\n`);
  }
  process.stdout.write(`${inProcessTable(await runInProcess(7, 20_000))}\n`);
  process.stdout.write(`\nthe sampling decision at 0.01: ${decisionNs().toFixed(1)} ns per request\n`);
}
