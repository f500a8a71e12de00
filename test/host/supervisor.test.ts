// Proves that ClusterSupervisor runs one real process per node behind one actor per node:
// startAll brings three fake nodes up in distinct processes that each answer HTTP; a SIGKILL
// from outside leaves the actor `crashed` with the signal, and a restart brings the node back
// in a new process; kill() ends `stopped`/`killed`; stop and stopAll leave no process alive;
// a node that throws in start fails startAll with an error that names it. Every wait is on an
// actor's snapshot (xstate's waitFor) or a supervisor promise, never on a sleep.

import { afterEach, describe, expect, it } from 'vitest';
import { ClusterStartError, ClusterSupervisor, type NodeStatus } from '../../core/host/supervisor.js';
import { fakeNodeEntry, fakeNodeExecArgv, httpAnswer, isAlive, nodeConfig } from './host-helpers.js';

const supervisors: ClusterSupervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stopAll(2_000)));
});

function fakeCluster(ids: string[], env?: Record<string, string>): ClusterSupervisor {
  const supervisor = new ClusterSupervisor({ entry: fakeNodeEntry, execArgv: fakeNodeExecArgv, env });
  supervisors.push(supervisor);
  for (const id of ids) supervisor.add(nodeConfig(id));
  return supervisor;
}

function statusOf(supervisor: ClusterSupervisor, id: string): NodeStatus {
  const status = supervisor.snapshot().find((node) => node.id === id);
  if (status === undefined) throw new Error(`no node ${id}`);
  return status;
}

/** Resolves once `id` reaches `state` in the supervisor's subscription. */
function reaches(supervisor: ClusterSupervisor, id: string, state: NodeStatus['state']): Promise<NodeStatus> {
  return new Promise((resolve) => {
    const check = (nodes: NodeStatus[]) => {
      const node = nodes.find((candidate) => candidate.id === id);
      if (node?.state !== state) return;
      unsubscribe();
      resolve(node);
    };
    const unsubscribe = supervisor.subscribe(check);
    check(supervisor.snapshot());
  });
}

describe('ClusterSupervisor', () => {
  it('starts three nodes in parallel, in distinct processes that each answer HTTP', async () => {
    const supervisor = fakeCluster(['n1', 'n2', 'n3']);
    const seen = new Map<string, string[]>();
    supervisor.subscribe((nodes) => {
      for (const node of nodes) {
        const states = seen.get(node.id) ?? [];
        if (states.at(-1) !== node.state) states.push(node.state);
        seen.set(node.id, states);
      }
    });
    expect(supervisor.snapshot().map((node) => node.state)).toEqual(['stopped', 'stopped', 'stopped']);

    const infos = await supervisor.startAll();

    expect(infos.map((info) => info.id)).toEqual(['n1', 'n2', 'n3']);
    expect(new Set(infos.map((info) => info.pid)).size).toBe(3);
    for (const info of infos) {
      expect(info.pid).not.toBe(process.pid);
      expect(await httpAnswer(info.http)).toEqual({ id: info.id, pid: info.pid });
    }
    expect(supervisor.snapshot()).toEqual(
      infos.map((info) => ({
        id: info.id,
        state: 'up',
        pid: info.pid,
        http: info.http,
        peer: info.peer,
        lastExit: undefined,
        restarts: 0,
      })),
    );
    expect(seen.get('n2')).toEqual(['stopped', 'starting', 'up']);
  });

  it('marks a node killed from outside as crashed, and restarts it in a new process', async () => {
    const supervisor = fakeCluster(['n1']);
    const [{ pid }] = await supervisor.startAll();
    const crashed = reaches(supervisor, 'n1', 'crashed');

    process.kill(pid, 'SIGKILL');

    expect((await crashed).lastExit).toMatchObject({ reason: 'crashed', signal: 'SIGKILL', pid });
    const info = await supervisor.restart('n1');
    expect(info.pid).not.toBe(pid);
    expect(isAlive(info.pid)).toBe(true);
    expect(statusOf(supervisor, 'n1')).toMatchObject({ state: 'up', pid: info.pid, restarts: 1 });
    expect(await httpAnswer(info.http)).toEqual({ id: 'n1', pid: info.pid });
  });

  it('restarts a running node by stopping it first', async () => {
    const supervisor = fakeCluster(['n1']);
    const [first] = await supervisor.startAll();

    const second = await supervisor.restart('n1');

    expect(second.pid).not.toBe(first.pid);
    expect(isAlive(first.pid)).toBe(false);
    expect(statusOf(supervisor, 'n1')).toMatchObject({ state: 'up', restarts: 1, lastExit: { reason: 'stopped' } });
  });

  it('ends a deliberate kill in stopped with lastExit killed', async () => {
    const supervisor = fakeCluster(['n1']);
    const [{ pid }] = await supervisor.startAll();

    const status = await supervisor.kill('n1');

    expect(status).toMatchObject({ state: 'stopped', pid: undefined, lastExit: { reason: 'killed', signal: 'SIGKILL', pid } });
    expect(isAlive(pid)).toBe(false);
  });

  it('stops one node gracefully, and stopAll leaves no process alive', async () => {
    const supervisor = fakeCluster(['n1', 'n2']);
    const infos = await supervisor.startAll();

    const stopped = await supervisor.stop('n1');
    expect(stopped).toMatchObject({ state: 'stopped', lastExit: { reason: 'stopped', code: 0 } });
    expect(isAlive(infos[0].pid)).toBe(false);
    expect(isAlive(infos[1].pid)).toBe(true);

    await supervisor.stopAll(5_000);
    expect(supervisor.snapshot().map((node) => node.state)).toEqual(['stopped', 'stopped']);
    for (const info of infos) expect(isAlive(info.pid)).toBe(false);
  });

  it('fails startAll with an error naming the node whose start threw', async () => {
    const supervisor = fakeCluster(['n1', 'n2'], { FAKE_NODE_FAIL_START: 'n2' });

    const error = await supervisor.startAll().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(ClusterStartError);
    expect((error as ClusterStartError).message).toContain('failed to start node n2: launch-failed');
    expect((error as ClusterStartError).message).toContain('fake node n2 refuses to start');
    expect((error as ClusterStartError).failures.map((node) => node.id)).toEqual(['n2']);
    expect(statusOf(supervisor, 'n1').state).toBe('up');
    const failed = statusOf(supervisor, 'n2');
    expect(failed).toMatchObject({ state: 'crashed', lastExit: { reason: 'launch-failed' } });
    expect(isAlive(failed.lastExit!.pid!)).toBe(false);
  });
});
