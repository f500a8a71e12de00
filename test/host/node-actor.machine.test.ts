// Proves the node actor's lifecycle without any process: the machine runs with its effects
// swapped by `machine.provide(...)` for fakes that hand out made-up pids, and the test plays
// the launcher by sending EXITED. Covers start/stop, a crash and a manual restart, a kill
// ending `stopped`/`killed`, a failed launch, stale exits, and the auto-restart policy.

import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import type { NodeInfo } from '../../core/node/config.js';
import {
  nodeActorMachine,
  type KillNodeInput,
  type LaunchNodeInput,
  type NodeActorInput,
  type StopNodeInput,
} from '../../core/host/node-actor.machine.js';
import { NodeLaunchError, type ExitInfo } from '../../core/host/node-launcher.js';
import { nodeConfig } from './host-helpers.js';

/** A machine whose launches give pid 100 + attempt, and whose launch fails for listed attempts. */
function fakeMachine(failingAttempts: number[] = []) {
  return nodeActorMachine.provide({
    actors: {
      launchNode: fromPromise<NodeInfo, LaunchNodeInput>(async ({ input }) => {
        const pid = 100 + input.attempt;
        if (failingAttempts.includes(input.attempt)) {
          const exit: ExitInfo = { reason: 'launch-failed', pid, code: 1, signal: null };
          throw new NodeLaunchError(input.config.id, exit, `node ${input.config.id} failed to launch: boom`);
        }
        return { id: input.config.id, pid, http: '127.0.0.1:1', peer: '127.0.0.1:2' };
      }),
      stopNode: fromPromise<ExitInfo, StopNodeInput>(async () => ({
        reason: 'stopped',
        pid: 100,
        code: 0,
        signal: null,
      })),
      killNode: fromPromise<ExitInfo, KillNodeInput>(async () => ({
        reason: 'killed',
        pid: 100,
        code: null,
        signal: 'SIGKILL',
      })),
    },
  });
}

function startActor(machine = fakeMachine(), input: Partial<NodeActorInput> = {}) {
  const actor = createActor(machine, { input: { config: nodeConfig('n1'), ...input } });
  actor.start();
  return actor;
}

function crash(pid: number): { type: 'EXITED'; exit: ExitInfo } {
  return { type: 'EXITED', exit: { reason: 'crashed', pid, code: null, signal: 'SIGKILL' } };
}

describe('node actor machine', () => {
  it('starts in stopped, goes up on START and back to stopped on STOP', async () => {
    const actor = startActor();
    expect(actor.getSnapshot().value).toBe('stopped');

    actor.send({ type: 'START' });
    expect(actor.getSnapshot().value).toBe('starting');
    const up = await waitFor(actor, (snapshot) => snapshot.value === 'up');
    expect(up.context.info?.pid).toBe(100);

    actor.send({ type: 'STOP' });
    const stopped = await waitFor(actor, (snapshot) => snapshot.value === 'stopped');
    expect(stopped.context.lastExit?.reason).toBe('stopped');
    expect(stopped.context.info).toBeUndefined();
  });

  it('is crashed by an unexpected exit and comes back up on RESTART with a new process', async () => {
    const actor = startActor();
    actor.send({ type: 'START' });
    await waitFor(actor, (snapshot) => snapshot.value === 'up');

    actor.send(crash(100));
    const crashed = actor.getSnapshot();
    expect(crashed.value).toBe('crashed');
    expect(crashed.context.lastExit).toMatchObject({ reason: 'crashed', signal: 'SIGKILL' });

    actor.send({ type: 'RESTART' });
    const up = await waitFor(actor, (snapshot) => snapshot.value === 'up');
    expect(up.context.restarts).toBe(1);
    expect(up.context.info?.pid).toBe(101);
    expect(up.context.lastExit?.reason).toBe('crashed');
  });

  it('ends a KILL in stopped with lastExit killed, not crashed', async () => {
    const actor = startActor();
    actor.send({ type: 'START' });
    await waitFor(actor, (snapshot) => snapshot.value === 'up');

    actor.send({ type: 'KILL' });
    expect(actor.getSnapshot().value).toBe('killing');
    const stopped = await waitFor(actor, (snapshot) => snapshot.value === 'stopped');
    expect(stopped.context.lastExit).toMatchObject({ reason: 'killed', signal: 'SIGKILL' });
  });

  it('records a failed launch as crashed with reason launch-failed and the error', async () => {
    const actor = startActor(fakeMachine([0]));
    actor.send({ type: 'START' });
    const crashed = await waitFor(actor, (snapshot) => snapshot.value === 'crashed');
    expect(crashed.context.lastExit).toMatchObject({ reason: 'launch-failed', code: 1 });
    expect(crashed.context.lastExit?.error).toContain('failed to launch: boom');
  });

  it('ignores the exit of an earlier process', async () => {
    const actor = startActor();
    actor.send({ type: 'START' });
    await waitFor(actor, (snapshot) => snapshot.value === 'up');

    actor.send(crash(99));
    expect(actor.getSnapshot().value).toBe('up');
  });

  it('does not restart by itself unless the policy says so', async () => {
    const actor = startActor();
    actor.send({ type: 'START' });
    await waitFor(actor, (snapshot) => snapshot.value === 'up');
    actor.send(crash(100));
    expect(actor.getSnapshot().value).toBe('crashed');
    expect(actor.getSnapshot().context.restarts).toBe(0);
  });

  it('restarts a crashed node by itself under the auto-restart policy, at most restartsMax times', async () => {
    // Attempts 1 and 2 (the two restarts) fail to launch: after them the node stays crashed.
    const actor = startActor(fakeMachine([1, 2]), {
      policy: { autoRestart: true, restartsMax: 2, restartDelayMs: 0 },
    });
    actor.send({ type: 'START' });
    await waitFor(actor, (snapshot) => snapshot.value === 'up');

    actor.send(crash(100));
    expect(actor.getSnapshot().value).toBe('restarting');
    const crashed = await waitFor(actor, (snapshot) => snapshot.value === 'crashed');
    expect(crashed.context.restarts).toBe(2);
    expect(crashed.context.lastExit?.reason).toBe('launch-failed');
  });

  it('calls a pending auto-restart off on STOP', async () => {
    const actor = startActor(fakeMachine(), {
      policy: { autoRestart: true, restartsMax: 1, restartDelayMs: 60_000 },
    });
    actor.send({ type: 'START' });
    await waitFor(actor, (snapshot) => snapshot.value === 'up');
    actor.send(crash(100));
    expect(actor.getSnapshot().value).toBe('restarting');

    actor.send({ type: 'STOP' });
    expect(actor.getSnapshot().value).toBe('stopped');
    actor.stop();
  });
});
