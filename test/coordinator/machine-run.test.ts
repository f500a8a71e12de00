// Proves MachineRun (core/coordinator/machine-run.ts) runs the coordinator machines as an XState
// actor runs them: for the same effects and the same events, the same answers in the same order
// and the same final status; the initial state's actions run once the run is ready; an event an
// action sends synchronously waits for the transition that sent it; a run that is done ignores
// what comes later; an action that throws ends the run and reaches the sender.

import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { MachineRun, type RunRef } from '../../core/coordinator/machine-run.js';
import { getMachine, type GetEvent, type GetInput } from '../../core/coordinator/get.machine.js';
import { putMachine, type PutEvent, type PutInput } from '../../core/coordinator/put.machine.js';
import type { GetResponse } from '../../core/coordinator/get-core.js';
import type { PutResponse } from '../../core/coordinator/put.machine.js';
import type { AnnotatedNode } from '../../core/ring/preference-list.js';
import { coordinatePut, type SiblingSet } from '../../core/version/sibling-set.js';

const targets: AnnotatedNode[] = ['n1', 'n2', 'n3'].map((node) => ({ node, role: 'primary' }));

function version(value: number, on?: SiblingSet): SiblingSet {
  const made = coordinatePut(on, on?.vv ?? {}, 'n1', { value: new Uint8Array([value]), contentType: 'x', lastModified: 0, deleted: false });
  if (!made.ok) throw new Error('coordinatePut refused');
  return made.state;
}

/** What a GET's and a PUT's input share; `respond` and `finish` write to `log`. */
function request(log: string[]) {
  return {
    bucket: 'b',
    key: 'k',
    partition: 0,
    targets,
    timeoutMs: 1000,
    respond: (response: GetResponse | PutResponse) => log.push(`respond ${response.kind}`),
    finish: () => log.push('finish'),
  };
}

type Start<E> = (logic: never, input: never) => RunRef<E>;
const inRun: Start<never> = (logic, input) => new MachineRun(logic, input);
const inActor: Start<never> = (logic, input) => createActor(logic, { input }).start() as unknown as RunRef<never>;

/** A GET whose replicas answer synchronously from `states` (n1 stale), with a log of what happened. */
function get(start: Start<GetEvent>) {
  const fresh = version(2, version(1));
  const states: Record<string, SiblingSet | null> = { n1: version(1), n2: fresh, n3: fresh };
  const log: string[] = [];
  const logic = getMachine.provide({
    actions: {
      sendReads: ({ context, self }) => {
        for (const { node } of context.request.targets) {
          log.push(`read ${node}`);
          self.send({ type: 'REPLY', node, state: states[node] });
        }
      },
      sendRepairs: () => log.push('repairs'),
    },
  });
  const input: GetInput = { ...request(log), r: 2, historyMax: 8 };
  const run = start(logic as never, input as never);
  return { run, log };
}

/** A PUT whose effects are answered by the test: `later` holds the senders. */
function put(start: Start<PutEvent>) {
  const log: string[] = [];
  let self: { send(event: PutEvent): void } | undefined;
  const logic = putMachine.provide({
    actions: {
      coordinateLocally: (args) => {
        self = args.self;
        log.push('store');
      },
      sendWrites: () => log.push('writes'),
    },
  });
  const input: PutInput = {
    ...request(log),
    counted: 3,
    w: 2,
    dw: 0,
    context: { vv: {}, dots: [] },
    write: { value: new Uint8Array(1), contentType: 'x', deleted: false },
  };
  const run = start(logic as never, input as never);
  return { run, log, self: () => self! };
}

describe('MachineRun', () => {
  it('answers a GET as an actor does, with replies sent synchronously from the initial action', () => {
    const actor = get(inActor as Start<GetEvent>);
    const run = get(inRun as Start<GetEvent>);
    expect(run.log).toEqual(['read n1', 'read n2', 'read n3', 'respond ok', 'repairs', 'finish']);
    expect(run.log).toEqual(actor.log);
    expect(run.run.getSnapshot().status).toBe('done');
    expect(actor.run.getSnapshot().status).toBe('done');
  });

  it('answers a PUT as an actor does, and ignores events once it is done', () => {
    const state = version(1);
    for (const start of [inActor, inRun] as Start<PutEvent>[]) {
      const { run, log, self } = put(start);
      expect(log).toEqual(['store']);
      expect(run.getSnapshot().status).toBe('active');
      self().send({ type: 'STORED', state, encoded: new Uint8Array(1), durable: false });
      expect(log).toEqual(['store', 'writes']);
      run.send({ type: 'ACK', node: 'n2', durable: false });
      expect(log).toEqual(['store', 'writes', 'respond ok', 'finish']);
      run.send({ type: 'ACK', node: 'n3', durable: false });
      run.send({ type: 'TIMEOUT' });
      expect(log).toEqual(['store', 'writes', 'respond ok', 'finish']);
      expect(run.getSnapshot().status).toBe('done');
    }
  });

  it('answers quorum on a TIMEOUT before W acks, as an actor does', () => {
    for (const start of [inActor, inRun] as Start<PutEvent>[]) {
      const { run, log, self } = put(start);
      self().send({ type: 'STORED', state: version(1), encoded: new Uint8Array(1), durable: false });
      run.send({ type: 'FAILED', node: 'n2' });
      run.send({ type: 'TIMEOUT' });
      expect(log).toEqual(['store', 'writes', 'respond quorum', 'finish']);
    }
  });

  it('ends with status error when an action throws, and the sender sees the error', () => {
    const machine = setup({
      types: {} as { events: { type: 'GO' } },
      actions: {
        fail: () => {
          throw new Error('the effect broke');
        },
      },
    }).createMachine({ initial: 'idle', states: { idle: { on: { GO: { actions: 'fail' } } } } });
    const run = new MachineRun(machine, undefined as never);
    expect(() => run.send({ type: 'GO' })).toThrow('the effect broke');
    expect(run.getSnapshot().status).toBe('error');
    expect(() => run.send({ type: 'GO' })).not.toThrow();
  });
});
