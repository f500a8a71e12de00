// Proves the utilityProcess launcher classifies every way a process ends (clean exit, crash by
// exit code, Electron's 'oom' / 'crashed' / 'launch-failed' / 'killed', a fork that throws),
// kills a process that outlives waitForExit, carries messages both ways over its one port, takes
// no closed port for an exit, and that core's NodeProcessLauncher runs a node over it unchanged
// (launch, comlink calls, stop, kill, OOM). Electron is a fake (fakes.ts); the node's side runs
// in this process.

import { afterEach, describe, expect, it } from 'vitest';
import { NodeLaunchError, NodeProcessLauncher } from '../../core/host/node-launcher.js';
import type { ProcessExit } from '../../core/host/process-handle.js';
import type { NodeProcessConfig } from '../../core/host/node-process-api.js';
import {
  connectMessage,
  UtilityProcess,
  utilityProcessSpawner,
  type UtilityProcessExit,
} from '../../electron/utility-process-launcher.js';
import { FakeElectron, runFakeNode, type FakeNodeApi, type FakeUtilityProcess } from './fakes.js';

const started: UtilityProcess[] = [];

afterEach(() => {
  for (const utility of started.splice(0)) utility.kill();
});

function startUtility(electron: FakeElectron, env?: Record<string, string>): { utility: UtilityProcess; child: FakeUtilityProcess } {
  const utility = new UtilityProcess(electron, {
    type: 'test-node',
    entryPoint: '/app/dist/core/host/node-main.js',
    execArgv: ['--max-old-space-size=512'],
    env,
    baseEnv: { HOME: '/home/test', UNSET: undefined },
  });
  started.push(utility);
  expect(utility.start()).toBe(true);
  const child = electron.forks.at(-1)!;
  child.spawned();
  return { utility, child };
}

function exitOf(utility: UtilityProcess): Promise<{ exit: UtilityProcessExit; processExit: ProcessExit }> {
  return new Promise((resolve) => {
    let exit: UtilityProcessExit | undefined;
    utility.onDidExit((ended) => (exit = ended));
    utility.onExit((processExit) => resolve({ exit: exit!, processExit }));
  });
}

describe('UtilityProcess', () => {
  it('forks with its configuration and sends one port with the first message', () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron, { UV_THREADPOOL_SIZE: '2' });

    expect(child.modulePath).toBe('/app/dist/core/host/node-main.js');
    expect(child.options).toMatchObject({
      serviceName: utility.serviceName,
      execArgv: ['--max-old-space-size=512'],
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { HOME: '/home/test', UV_THREADPOOL_SIZE: '2' },
    });
    expect(child.options.env).not.toHaveProperty('UNSET');
    expect(utility.serviceName).toMatch(/^test-node-\d+$/);
    expect(child.posted).toHaveLength(1);
    expect(child.posted[0].message).toEqual(connectMessage);
    expect(child.posted[0].transfer).toHaveLength(1);
    expect(utility.pid).toBe(child.pid);
  });

  it('carries messages both ways over the port, and refuses to send once the process is gone', async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    const childPort = child.childPort!;
    const toChild = new Promise<unknown>((resolve) => {
      childPort.on('message', (event) => resolve(event.data));
      childPort.start();
    });
    const toParent = new Promise<unknown>((resolve) => utility.onMessage(resolve));

    expect(utility.send({ hello: new Uint8Array([1, 2, 3]) })).toBe(true);
    childPort.postMessage({ answer: 42 });

    expect(await toChild).toEqual({ hello: new Uint8Array([1, 2, 3]) });
    expect(await toParent).toEqual({ answer: 42 });
    const exited = exitOf(utility);
    child.end(0);
    await exited;
    expect(utility.send('late')).toBe(false);
  });

  it('reports a clean exit, and a crash by exit code', async () => {
    const electron = new FakeElectron();
    const clean = startUtility(electron);
    const crashed = startUtility(electron);
    const cleanExit = exitOf(clean.utility);
    const crashExit = exitOf(crashed.utility);

    clean.child.end(0);
    crashed.child.end(1);

    expect((await cleanExit).exit).toMatchObject({ reason: 'clean-exit', code: 0 });
    expect((await cleanExit).processExit).toEqual({ code: 0, signal: null });
    expect((await crashExit).exit).toMatchObject({ reason: 'crashed', code: 1 });
    expect((await crashExit).processExit).toEqual({ code: 1, signal: null });
  });

  it.each([
    ['oom', 'oom', 'exit-first'],
    ['oom', 'oom', 'gone-first'],
    ['memory-eviction', 'oom', 'exit-first'],
    ['crashed', 'crashed', 'exit-first'],
    ['abnormal-exit', 'crashed', 'gone-first'],
    ['killed', 'killed', 'exit-first'],
    ['launch-failed', 'launch-failed', 'gone-first'],
  ] as const)("takes Electron's reason %s as %s (%s)", async (gone, reason, order) => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    const exited = exitOf(utility);

    child.end(133, gone, order);

    const { exit, processExit } = await exited;
    expect(exit.reason).toBe(reason);
    expect(exit.error).toContain(gone);
    expect(processExit.oom === true).toBe(reason === 'oom');
    expect(processExit.error !== undefined).toBe(reason === 'launch-failed');
  });

  it("takes V8's fatal heap error as oom when Electron gives no reason", async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    const exited = exitOf(utility);

    child.emit('error', 'FatalError', 'Reached heap limit Allocation failed - JavaScript heap out of memory', '{}');
    child.end(133);

    expect((await exited).exit).toMatchObject({ reason: 'oom', error: expect.stringContaining('heap limit') });
  });

  it('ignores another utility process going away', async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    const exited = exitOf(utility);

    electron.app.emit('child-process-gone', {}, { type: 'Utility', reason: 'oom', exitCode: 1, name: 'other-7' });
    child.end(0);

    expect((await exited).exit.reason).toBe('clean-exit');
  });

  it('reports a fork that throws as launch-failed, asynchronously', async () => {
    const electron = new FakeElectron();
    electron.forkError = new Error('no such file: /app/dist/core/host/node-main.js');
    const utility = new UtilityProcess(electron, { type: 'test-node', entryPoint: '/app/dist/core/host/node-main.js' });
    let reported = false;
    const exited = new Promise<ProcessExit>((resolve) => utility.onExit((exit) => ((reported = true), resolve(exit))));

    expect(utility.start()).toBe(false);
    expect(reported).toBe(false);

    const exit = await exited;
    expect(utility.exit).toMatchObject({ reason: 'launch-failed', code: null, pid: undefined });
    expect(exit.error?.message).toContain('no such file');
    expect(electron.app.listenerCount('child-process-gone')).toBe(0);
  });

  it('counts its own kill as killed, with the signal asked for', async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    const exited = exitOf(utility);

    expect(utility.kill('SIGKILL')).toBe(true);

    const { exit, processExit } = await exited;
    expect(child.killCalls).toBe(1);
    expect(exit.reason).toBe('killed');
    expect(processExit.signal).toBe('SIGKILL');
    expect(utility.kill()).toBe(false);
  });

  it('waitForExit resolves without killing a process that exits in time', async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    setTimeout(() => child.end(0), 5);

    const exit = await utility.waitForExit(2_000);

    expect(exit.reason).toBe('clean-exit');
    expect(child.killCalls).toBe(0);
  });

  it('waitForExit kills a process that does not exit in time', async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    const startedAt = performance.now();

    const exit = await utility.waitForExit(50);

    expect(child.killCalls).toBe(1);
    expect(exit.reason).toBe('killed');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(45);
  });

  it('does not take a closed port for an exit while the process lives', async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);

    child.childPort!.close();
    await new Promise((resolve) => setTimeout(resolve, 600));

    expect(utility.exit).toBeUndefined();
    const exited = exitOf(utility);
    child.end(0);
    expect((await exited).exit.reason).toBe('clean-exit');
  });

  it('settles an exit whose port never closes after exitSettleMs', async () => {
    const electron = new FakeElectron();
    const { utility, child } = startUtility(electron);
    const exited = exitOf(utility);

    child.emit('exit', 0); // the process is gone but its port never reports 'close'

    expect((await exited).exit).toMatchObject({ reason: 'clean-exit', code: 0 });
  });
});

describe('NodeProcessLauncher over utility processes', () => {
  const config: NodeProcessConfig = {
    id: 'n1',
    dir: '/tmp/unused',
    host: '127.0.0.1',
    httpPort: 0,
    peerPort: 0,
    seeds: [],
    ringSize: 64,
    n: 3,
    r: 2,
    w: 2,
    hintedHandoff: true,
    allowFaultInjection: false,
    clusterSecret: 'secret',
    weight: 1,
  };

  function launcher(electron: FakeElectron): NodeProcessLauncher<FakeNodeApi> {
    electron.onFork = (child) => runFakeNode(child);
    return new NodeProcessLauncher<FakeNodeApi>({
      entry: '/app/dist/core/host/node-main.js',
      config,
      spawn: utilityProcessSpawner(electron),
      launchTimeoutMs: 5_000,
    });
  }

  it('launches, calls the node over comlink, and stops it cleanly', async () => {
    const electron = new FakeElectron();
    const node = launcher(electron);

    const info = await node.launch();
    const echoed = await node.api.echo(new Uint8Array([7, 8, 9]));
    const exit = await node.stop(2_000);

    expect(info).toMatchObject({ id: 'n1', pid: node.pid });
    expect([...echoed]).toEqual([7, 8, 9]);
    expect(exit).toMatchObject({ reason: 'stopped', code: 0 });
    expect(electron.forks[0].options.serviceName).toMatch(/^dynamo-node-\d+$/);
  });

  it('classifies a kill, an out-of-memory end and a crash as the supervisor expects', async () => {
    const killed = launcher(new FakeElectron());
    await killed.launch();
    killed.kill();
    expect((await killed.waitForExit(2_000)).reason).toBe('killed');

    const electron = new FakeElectron();
    const oom = launcher(electron);
    await oom.launch();
    electron.forks[0].end(133, 'oom');
    expect((await oom.waitForExit(2_000)).reason).toBe('oom');

    const other = new FakeElectron();
    const crashed = launcher(other);
    await crashed.launch();
    other.forks[0].end(1);
    expect((await crashed.waitForExit(2_000)).reason).toBe('crashed');
  });

  it('rejects the launch when the fork fails', async () => {
    const electron = new FakeElectron();
    electron.forkError = new Error('spawn failed');
    const node = launcher(electron);

    const error = await node.launch().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(NodeLaunchError);
    expect((error as NodeLaunchError).exit?.reason).toBe('launch-failed');
  });
});
