// Proves that comlink works over a process's message channel through our endpoints: binary
// values survive a call into a real forked child, a call waiting on a child that dies is
// rejected instead of hanging, and an endpoint takes its listeners off the channel. The
// real-process cases fork the fake node; the listener cases run both endpoints in this process
// over an in-memory channel pair.

import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import {
  childEndpoint,
  isProcessExitedError,
  onParentEvent,
  onProcessEvent,
  parentEndpoint,
  sendChildEvent,
  sendProcessEvent,
  type ParentChannel,
} from '../../core/host/process-endpoint.js';
import { forkNodeProcess, type ProcessExit, type ProcessHandle } from '../../core/host/process-handle.js';
import type { FakeNodeApi } from './fixtures/fake-node.js';
import { fakeNodeEntry, fakeNodeExecArgv, isAlive } from './host-helpers.js';

const forked: ProcessHandle[] = [];

afterEach(async () => {
  await Promise.all(
    forked.splice(0).map(
      (handle) =>
        new Promise<void>((resolve) => {
          handle.onExit(() => resolve());
          handle.kill('SIGKILL');
        }),
    ),
  );
});

/** Forks the fake node and waits for its 'ready'. */
async function forkFakeNode(): Promise<ProcessHandle> {
  const handle = forkNodeProcess({ entry: fakeNodeEntry, execArgv: fakeNodeExecArgv });
  forked.push(handle);
  await new Promise<void>((resolve) => {
    const stop = onProcessEvent(handle, (event) => {
      if (event.type !== 'ready') return;
      stop();
      resolve();
    });
  });
  return handle;
}

function exitOf(handle: ProcessHandle): Promise<ProcessExit> {
  return new Promise((resolve) => handle.onExit(resolve));
}

describe('comlink over a child process', () => {
  it('carries a Uint8Array across the process and back intact', async () => {
    const handle = await forkFakeNode();
    const api = Comlink.wrap<FakeNodeApi>(parentEndpoint(handle));
    const sent = new Uint8Array([0, 1, 2, 127, 128, 255]);

    const answer = await api.echo(sent);

    expect(answer.wasUint8Array).toBe(true);
    expect(answer.bytes).toBeInstanceOf(Uint8Array);
    expect([...answer.bytes]).toEqual([...sent]);
  });

  it('rejects a waiting call when the process dies, and every call after that', async () => {
    const handle = await forkFakeNode();
    const pid = handle.pid!;
    const api = Comlink.wrap<FakeNodeApi>(parentEndpoint(handle));
    const waiting = api.hang();
    const exited = exitOf(handle);

    process.kill(pid, 'SIGKILL');

    const error = await waiting.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(isProcessExitedError(error)).toBe(true);
    expect((error as Error).message).toContain('signal SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    expect(isAlive(pid)).toBe(false);
    await expect(api.echo(new Uint8Array(1))).rejects.toMatchObject({ code: 'PROCESS_EXITED' });
  });
});

/** Two ends of an in-memory channel: a ProcessHandle for the parent, a ParentChannel for the child. */
function channelPair(): { handle: ProcessHandle & { listenerCount(): number }; channel: ParentChannel & { listenerCount(): number } } {
  const toChild = new Set<(message: unknown) => void>();
  const toParent = new Set<(message: unknown) => void>();
  const post = (listeners: Set<(message: unknown) => void>, message: unknown) => {
    const copy = structuredClone(message);
    setImmediate(() => {
      for (const listener of [...listeners]) listener(copy);
    });
    return true;
  };
  return {
    handle: {
      pid: 1,
      send: (message) => post(toChild, message),
      onMessage(listener) {
        toParent.add(listener);
        return () => toParent.delete(listener);
      },
      onExit: () => () => {},
      kill: () => false,
      listenerCount: () => toParent.size,
    },
    channel: {
      send: (message) => post(toParent, message),
      onMessage(listener) {
        toChild.add(listener);
        return () => toChild.delete(listener);
      },
      onDisconnect: () => () => {},
      listenerCount: () => toChild.size,
    },
  };
}

describe('process endpoints', () => {
  it('keep comlink messages and process events apart on one channel', async () => {
    const { handle, channel } = channelPair();
    Comlink.expose({ add: (a: number, b: number) => a + b }, childEndpoint(channel));
    const api = Comlink.wrap<{ add(a: number, b: number): number }>(parentEndpoint(handle));
    const parentHeard: string[] = [];
    const childHeard: string[] = [];
    onProcessEvent(handle, (event) => parentHeard.push(event.type));
    onParentEvent((event) => childHeard.push(event.type), channel);

    sendProcessEvent({ type: 'hello-parent' }, channel);
    sendChildEvent(handle, { type: 'hello-child' });
    expect(await api.add(2, 3)).toBe(5);

    expect(parentHeard).toEqual(['hello-parent']);
    expect(childHeard).toEqual(['hello-child']);
  });

  it('take their listeners off the channel when closed or when comlink lets go', async () => {
    const { handle, channel } = channelPair();
    const parent = parentEndpoint(handle);
    const child = childEndpoint(channel);
    const listener = () => {};

    expect(handle.listenerCount()).toBe(1);
    child.addEventListener('message', listener);
    expect(channel.listenerCount()).toBe(1);
    child.removeEventListener('message', listener);
    expect(channel.listenerCount()).toBe(0);

    const api = Comlink.wrap<{ never(): Promise<never> }>(parent);
    Comlink.expose({ never: () => new Promise<never>(() => {}) }, child);
    const waiting = api.never();
    await new Promise((resolve) => setImmediate(resolve)); // let the request cross the channel
    parent.close();
    expect(handle.listenerCount()).toBe(0);
    await expect(waiting).rejects.toMatchObject({ code: 'PROCESS_EXITED' });
  });
});
