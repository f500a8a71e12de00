// Micro-benchmark: what one request's coordination costs a node, with the XState machines
// (core/coordinator/get.machine.ts, put.machine.ts: one actor per request, as DynamoNode runs
// them) against the same pure cores (get-core.ts, put-core.ts) driven by plain code.
//
// Both drivers get the same effects, answering either synchronously (inside the action that
// sends) or through resolved promises (a microtask later, as a local LevelDB read or a peer
// reply would, minus the I/O); both use the real timers for the request time-out; both do the
// same core work (merging N replica states of one 900-byte value, counting W acks). The
// difference is therefore what the machine adds: actor creation, event queueing, transition
// selection, snapshot copies and per-state timers. Run: `node dist/bench/coordination.js`.
// Below the table, one line sets the pure key digest against node:crypto (key-digest.ts).

import { fileURLToPath } from 'node:url';
import { createActor } from 'xstate';
import type { Clock, TimerHandle } from '../core/common/clock.js';
import { addFailure, addReply, allAnswered, initGetCore, progress, repairs, response } from '../core/coordinator/get-core.js';
import type { GetCore, GetResponse } from '../core/coordinator/get-core.js';
import { getMachine } from '../core/coordinator/get.machine.js';
import type { GetEvent, GetInput } from '../core/coordinator/get.machine.js';
import * as putCore from '../core/coordinator/put-core.js';
import { putMachine } from '../core/coordinator/put.machine.js';
import { deliver, MachineRun, type RunRef } from '../core/coordinator/machine-run.js';
import type { PutEvent, PutInput, PutResponse } from '../core/coordinator/put.machine.js';
import type { NodeId } from '../core/common/types.js';
import type { AnnotatedNode } from '../core/ring/preference-list.js';
import { coordinatePut } from '../core/version/sibling-set.js';
import type { SiblingSet } from '../core/version/sibling-set.js';
import { keyDigestLine, runKeyDigestBench } from './key-digest.js';
import { formatTable, nodesCpuPerOpUs } from './report.js';
import type { RunResult } from './runner.js';

const realTimers: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
};

const nodes: readonly NodeId[] = ['n1', 'n2', 'n3'];
const targets: readonly AnnotatedNode[] = nodes.map((node) => ({ node, role: 'primary' }));
const timeoutMs = 2000;
const drivers: readonly Driver[] = ['actor', 'run', 'plain'];

/** One replica state: a key with one 900-byte version, as the load generator writes them. */
function replicaState(): SiblingSet {
  const write = { value: new Uint8Array(900).fill(7), contentType: 'application/octet-stream', lastModified: 0, deleted: false };
  const first = coordinatePut(undefined, {}, 'n1', write);
  if (!first.ok) throw new Error('coordinatePut refused');
  const second = coordinatePut(first.state, first.state.vv, 'n2', write);
  if (!second.ok) throw new Error('coordinatePut refused');
  return second.state;
}

type Effects = 'sync' | 'promise';
/** actor: createActor, as a traced request runs; run: MachineRun, as every other request runs; plain: no machine. */
type Driver = 'actor' | 'run' | 'plain';
type Variant = { operation: 'get' | 'put'; effects: Effects; driver: Driver };

const resolved = Promise.resolve();

function later(effects: Effects, fn: () => void): void {
  if (effects === 'sync') fn();
  else void resolved.then(fn);
}

// ── GET ──────────────────────────────────────────────────────────────────────────────────

function getLogic(effects: Effects, state: SiblingSet) {
  return getMachine.provide({
    actions: {
      sendReads: ({ context, self }) => {
        for (const { node } of context.request.targets) {
          later(effects, () => deliver<GetEvent>(self as unknown as RunRef<GetEvent>, { type: 'REPLY', node, state }));
        }
      },
      sendRepairs: ({ context }) => {
        repairs(context.core);
      },
    },
  });
}

/**
 * As the node runs a machine: one timer per request raises TIMEOUT unless the actor finished
 * first and cleared it (core/node/dynamo-node.ts, RequestTimer).
 */
function withTimer<E extends { type: string }>(start: (finish: () => void) => RunRef<E | { type: 'TIMEOUT' }>): void {
  let timer: ReturnType<typeof realTimers.setTimeout> | undefined;
  let done = false;
  const finish = () => {
    done = true;
    if (timer !== undefined) realTimers.clearTimeout(timer);
  };
  const actor = start(finish);
  if (!done) timer = realTimers.setTimeout(() => deliver(actor, { type: 'TIMEOUT' }), timeoutMs);
}

function getWithMachine(logic: ReturnType<typeof getLogic>, driver: Driver, respond: (response: GetResponse) => void): void {
  withTimer<GetEvent>((finish) => {
    const input: GetInput = { bucket: 'b', key: 'k', partition: 0, targets, r: 2, historyMax: 8, timeoutMs, respond, finish };
    return driver === 'run' ? new MachineRun(logic, input) : (createActor(logic, { input }).start() as unknown as RunRef<GetEvent>);
  });
}

/**
 * The coordinated GET of get.machine.ts written as plain code over the same core: wait for R
 * replies (or a time-out), answer, keep collecting until every replica answered, then repair.
 */
function getWithPlainCode(effects: Effects, state: SiblingSet, respond: (response: GetResponse) => void): void {
  const core: GetCore = initGetCore(nodes, 2);
  let phase: 'waiting' | 'repairing' | 'done' = 'waiting';
  const timer = realTimers.setTimeout(() => {
    if (phase === 'waiting') respond(response(core));
    else if (phase === 'repairing') repairs(core);
    phase = 'done';
  }, timeoutMs);
  const finish = () => {
    phase = 'done';
    realTimers.clearTimeout(timer);
  };
  const check = () => {
    if (phase === 'waiting') {
      const now = progress(core);
      if (now === 'waiting') return;
      if (now === 'failed') {
        finish();
        respond(response(core));
        return;
      }
      phase = 'repairing';
      respond(response(core));
    }
    if (phase === 'repairing' && allAnswered(core)) {
      finish();
      repairs(core);
    }
  };
  for (const node of nodes) {
    later(effects, () => {
      if (phase === 'done') return;
      addReply(core, node, state);
      check();
    });
  }
  void addFailure; // the failure path is not exercised: every replica answers
}

// ── PUT ──────────────────────────────────────────────────────────────────────────────────

function putLogic(effects: Effects, state: SiblingSet, encoded: Uint8Array) {
  return putMachine.provide({
    actions: {
      coordinateLocally: ({ self }) => {
        later(effects, () => deliver<PutEvent>(self as unknown as RunRef<PutEvent>, { type: 'STORED', state, encoded, durable: false }));
      },
      sendWrites: ({ context, self }) => {
        for (let i = 1; i < context.request.targets.length; i++) {
          const node = context.request.targets[i].node;
          later(effects, () => deliver<PutEvent>(self as unknown as RunRef<PutEvent>, { type: 'ACK', node, durable: false }));
        }
      },
    },
  });
}

const putWrite = { value: new Uint8Array(900), contentType: 'application/octet-stream', deleted: false };

function putWithMachine(logic: ReturnType<typeof putLogic>, driver: Driver, respond: (response: PutResponse) => void): void {
  withTimer<PutEvent>((finish) => {
    const input: PutInput = {
      bucket: 'b',
      key: 'k',
      partition: 0,
      targets,
      counted: targets.length,
      w: 2,
      dw: 0,
      context: { vv: {}, dots: [] },
      write: putWrite,
      timeoutMs,
      respond,
      finish,
    };
    return driver === 'run' ? new MachineRun(logic, input) : (createActor(logic, { input }).start() as unknown as RunRef<PutEvent>);
  });
}

/** The coordinated PUT of put.machine.ts as plain code over put-core.ts. */
function putWithPlainCode(effects: Effects, state: SiblingSet, encoded: Uint8Array, respond: (response: PutResponse) => void): void {
  const core = putCore.initPutCore(nodes, 2);
  let phase: 'coordinating' | 'waiting' | 'done' = 'coordinating';
  const timer = realTimers.setTimeout(() => {
    if (phase !== 'done') respond({ kind: 'quorum', acks: core.acked.size, required: core.w });
    phase = 'done';
  }, timeoutMs);
  const check = () => {
    if (phase !== 'waiting') return;
    const now = putCore.progress(core);
    if (now === 'waiting') return;
    phase = 'done';
    realTimers.clearTimeout(timer);
    respond(now === 'enough' ? { kind: 'ok', state, acks: core.acked.size } : { kind: 'quorum', acks: core.acked.size, required: core.w });
  };
  later(effects, () => {
    if (phase !== 'coordinating') return;
    phase = 'waiting';
    putCore.addAck(core, nodes[0]);
    void encoded; // sent as is to the other replicas
    for (let i = 1; i < nodes.length; i++) {
      const node = nodes[i];
      later(effects, () => {
        if (phase !== 'waiting') return;
        putCore.addAck(core, node);
        check();
      });
    }
    check();
  });
}

// ── Runner ───────────────────────────────────────────────────────────────────────────────

export interface CoordinationResult {
  operation: 'get' | 'put';
  effects: Effects;
  /** CPU µs per request in an XState actor, as a traced request runs. */
  actorUs: number;
  /** In a MachineRun, as every other request runs (core/coordinator/machine-run.ts). */
  runUs: number;
  /** As plain code over the same pure core. */
  plainUs: number;
}

/** What the machine adds per request as the node runs it (run − plain), µs. */
export function machineOverheadUs(r: CoordinationResult): number {
  return r.runUs - r.plainUs;
}

/** Runs `count` requests of one variant, `concurrency` at a time; CPU µs per request. */
async function measure(variant: Variant, count: number, concurrency: number): Promise<number> {
  const state = replicaState();
  const encoded = new Uint8Array(1000);
  const get = getLogic(variant.effects, state);
  const put = putLogic(variant.effects, state, encoded);
  const one = (respond: (answer: unknown) => void) => {
    if (variant.operation === 'get') {
      if (variant.driver === 'plain') getWithPlainCode(variant.effects, state, respond);
      else getWithMachine(get, variant.driver, respond);
    } else if (variant.driver === 'plain') putWithPlainCode(variant.effects, state, encoded, respond);
    else putWithMachine(put, variant.driver, respond);
  };
  let answered = 0;
  const count1 = () => {
    answered++;
  };
  const started = process.cpuUsage();
  if (variant.effects === 'sync') {
    for (let i = 0; i < count; i++) one(count1);
  } else {
    for (let i = 0; i < count; i += concurrency) {
      const batch: Promise<unknown>[] = [];
      for (let j = 0; j < concurrency && i + j < count; j++) {
        batch.push(new Promise((resolve) => one((answer) => {
          count1();
          resolve(answer);
        })));
      }
      await Promise.all(batch);
    }
  }
  // Repairs and acks past the quorum land a microtask later: let them finish inside the
  // measurement too.
  await new Promise((resolve) => setImmediate(resolve));
  const spent = process.cpuUsage(started);
  if (answered !== count) throw new Error(`${variant.operation}/${variant.driver}/${variant.effects}: ${answered} of ${count} requests answered`);
  return (spent.user + spent.system) / count;
}

export async function runCoordinationBench(options: { requests?: number; rounds?: number; concurrency?: number } = {}): Promise<CoordinationResult[]> {
  const requests = options.requests ?? 20_000;
  const rounds = options.rounds ?? 5;
  const concurrency = options.concurrency ?? 32;
  const results: CoordinationResult[] = [];
  for (const operation of ['get', 'put'] as const) {
    for (const effects of ['sync', 'promise'] as const) {
      const samples: Record<Driver, number[]> = { actor: [], run: [], plain: [] };
      for (const driver of drivers) await measure({ operation, effects, driver }, requests / 5, concurrency); // warm-up
      // Alternate the drivers so that drift (GC, CPU frequency) hits all alike.
      for (let round = 0; round < rounds; round++) {
        for (const driver of drivers) samples[driver].push(await measure({ operation, effects, driver }, requests, concurrency));
      }
      results.push({ operation, effects, actorUs: median(samples.actor), runUs: median(samples.run), plainUs: median(samples.plain) });
    }
  }
  return results;
}

export function coordinationTable(results: readonly CoordinationResult[]): string {
  return formatTable(
    ['request', 'effects', 'actor µs', 'run µs', 'plain µs', 'run ÷ plain', 'machine overhead µs', 'in an actor µs'],
    results.map((r) => [
      r.operation.toUpperCase(),
      r.effects,
      r.actorUs.toFixed(2),
      r.runUs.toFixed(2),
      r.plainUs.toFixed(2),
      `${(r.runUs / r.plainUs).toFixed(2)}×`,
      machineOverheadUs(r).toFixed(2),
      (r.actorUs - r.plainUs).toFixed(2),
    ]),
  );
}

/** The XState machines' share of the CPU one request costs the cluster, per workload. */
export function coordinationShare(results: readonly RunResult[], coordination: readonly CoordinationResult[]): string[] {
  const lines: string[] = [];
  const overhead = (operation: 'get' | 'put'): number => {
    const measured = coordination.find((c) => c.operation === operation && c.effects === 'promise');
    return measured === undefined ? 0 : machineOverheadUs(measured);
  };
  for (const r of results.filter((x) => x.target.startsWith('dynamo-') && x.mode === 'closed' && x.operations > 0)) {
    const requestUs = nodesCpuPerOpUs(r) ?? 0;
    // One machine per request, on its coordinator: a GET machine per read, a PUT machine per
    // update (plus a GET machine for an update that reads first).
    const machineUs = (r.reads * overhead('get') + r.updates * overhead('put')) / r.operations;
    lines.push(
      `${r.target} ${r.workload.toUpperCase()}: the nodes spend ${requestUs.toFixed(0)} µs of CPU per request; ` +
        `the XState machine adds ${machineUs.toFixed(1)} µs of it (${((100 * machineUs) / requestUs).toFixed(1)} %)`,
    );
  }
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const json = process.argv.includes('--json');
  const results = await runCoordinationBench();
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    process.stdout.write(`CPU per coordinated request (N=3, R=2, W=2), median of 5 rounds of 20,000 requests\n\n`);
    process.stdout.write(`${coordinationTable(results)}\n`);
    process.stdout.write(`\n${keyDigestLine(runKeyDigestBench())}\n`);
  }
}
