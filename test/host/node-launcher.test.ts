// Proves that NodeProcessLauncher runs a node in a real child process and classifies every
// way it ends: a launch reports the node's real HTTP address, a stop exits cleanly, a kill is
// `killed`, a signal from outside is `crashed`, heap exhaustion is `oom`, a stop that hangs is
// cut short by SIGKILL, and a node that throws in `start` (or an entry that does not load) is
// `launch-failed` with a clear error and no process left. Each case forks the fake node and
// waits on the launcher's own exit promise, never on a sleep.

import { afterEach, describe, expect, it } from 'vitest';
import { NodeLaunchError, NodeProcessLauncher, type ExitInfo } from '../../core/host/node-launcher.js';
import type { FakeNodeApi } from './fixtures/fake-node.js';
import { fakeNodeEntry, fakeNodeExecArgv, httpAnswer, isAlive, nodeConfig } from './host-helpers.js';

const launched: NodeProcessLauncher<FakeNodeApi>[] = [];

afterEach(async () => {
  await Promise.all(launched.splice(0).map((launcher) => (launcher.pid === undefined ? undefined : launcher.stop(2_000))));
});

interface FakeLauncherOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  entry?: string;
  stdio?: 'inherit' | 'ignore';
}

function fakeLauncher(id: string, options: FakeLauncherOptions = {}) {
  const launcher = new NodeProcessLauncher<FakeNodeApi>({
    entry: options.entry ?? fakeNodeEntry,
    execArgv: [...fakeNodeExecArgv, ...(options.execArgv ?? [])],
    env: options.env,
    stdio: options.stdio,
    config: nodeConfig(id),
  });
  launched.push(launcher);
  return launcher;
}

describe('NodeProcessLauncher', () => {
  it('launches a node that serves HTTP on the port it reports, and stops it cleanly', async () => {
    const launcher = fakeLauncher('n1');
    const exits: ExitInfo[] = [];
    launcher.onExit((exit) => exits.push(exit));

    const info = await launcher.launch();

    expect(info.pid).toBe(launcher.pid);
    expect(info.http).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.http).not.toBe('127.0.0.1:0');
    expect(await httpAnswer(info.http)).toEqual({ id: 'n1', pid: info.pid });

    const exit = await launcher.stop(5_000);
    expect(exit).toMatchObject({ reason: 'stopped', code: 0, pid: info.pid });
    expect(exits).toEqual([exit]);
    expect(isAlive(info.pid)).toBe(false);
  });

  it('reports a SIGKILL from outside as crashed, with the signal', async () => {
    const launcher = fakeLauncher('n1');
    const { pid } = await launcher.launch();

    process.kill(pid, 'SIGKILL');

    expect(await launcher.waitForExit(5_000)).toMatchObject({ reason: 'crashed', signal: 'SIGKILL', pid });
  });

  it('reports its own kill() as killed', async () => {
    const launcher = fakeLauncher('n1');
    const { pid } = await launcher.launch();

    expect(launcher.kill()).toBe(true);

    expect(await launcher.waitForExit(5_000)).toMatchObject({ reason: 'killed', signal: 'SIGKILL', pid });
    expect(isAlive(pid)).toBe(false);
  });

  it('kills a node whose stop does not finish in time', async () => {
    const launcher = fakeLauncher('n1', { env: { FAKE_NODE_HANG_STOP: '1' } });
    const { pid } = await launcher.launch();

    const exit = await launcher.stop(300);

    expect(exit).toMatchObject({ reason: 'killed', signal: 'SIGKILL', pid });
    expect(isAlive(pid)).toBe(false);
  });

  it('reports heap exhaustion as oom', async () => {
    // stdio is ignored because V8 prints a long fatal-error report.
    const launcher = fakeLauncher('n1', { execArgv: ['--max-old-space-size=16'], stdio: 'ignore' });
    await launcher.launch();

    await expect(launcher.api.exhaustMemory()).rejects.toMatchObject({ code: 'PROCESS_EXITED' });

    expect(await launcher.waitForExit(5_000)).toMatchObject({ reason: 'oom', signal: 'SIGABRT' });
  });

  it('fails the launch of a node that throws in start, naming it, and leaves no process', async () => {
    const launcher = fakeLauncher('n2', { env: { FAKE_NODE_FAIL_START: 'n2' } });

    const error = await launcher.launch().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(NodeLaunchError);
    expect((error as NodeLaunchError).message).toBe('node n2 failed to launch: fake node n2 refuses to start');
    expect((error as NodeLaunchError).exit).toMatchObject({ reason: 'launch-failed' });
    expect(launcher.exit?.reason).toBe('launch-failed');
    expect(isAlive(launcher.pid!)).toBe(false);
  });

  it('gives up on a launch that takes too long, and makes the process exit', async () => {
    const launcher = new NodeProcessLauncher<FakeNodeApi>({
      entry: fakeNodeEntry,
      execArgv: fakeNodeExecArgv,
      env: { FAKE_NODE_HANG_START: '1' },
      config: nodeConfig('n4'),
      launchTimeoutMs: 1_000,
    });
    launched.push(launcher);

    await expect(launcher.launch()).rejects.toThrow('node n4 failed to launch: launch timed out after 1000 ms');

    // Told to exit once it is 'ready', killed before that: launch-failed either way.
    expect(launcher.exit?.reason).toBe('launch-failed');
    expect(isAlive(launcher.pid!)).toBe(false);
  });

  it('fails the launch when the process cannot be spawned at all', async () => {
    const exits: ExitInfo[] = [];
    const launcher = new NodeProcessLauncher({
      entry: fakeNodeEntry,
      config: nodeConfig('n5'),
      spawn: () => {
        throw new Error('no such runtime');
      },
    });
    launcher.onExit((exit) => exits.push(exit));

    await expect(launcher.launch()).rejects.toThrow('node n5 failed to launch: no such runtime');
    expect(exits).toEqual([{ reason: 'launch-failed', pid: undefined, code: null, signal: null, error: 'no such runtime' }]);
  });

  it('fails the launch of an entry that does not load, with its exit code', async () => {
    // stdio is ignored because Node prints "Cannot find module" with a stack.
    const launcher = fakeLauncher('n3', { entry: '/nonexistent/node-entry.js', stdio: 'ignore' });

    await expect(launcher.launch()).rejects.toThrow('node n3 failed to launch: process ended before it was up (exit code 1)');

    expect(launcher.exit).toMatchObject({ reason: 'launch-failed', code: 1 });
    await expect(launcher.launch()).rejects.toThrow('a launcher launches once');
  });
});
