// Proves the main process's IPC handlers (electron/admin-ipc.ts) let only our renderer call the
// console and only with AdminApi's arguments: the main frame of file://…/dist/renderer/index.html
// in the console window is accepted (with any #route); another origin, another file, a subframe,
// a frame that is gone or another window is refused before the console sees anything. Arguments
// are checked per method; the console's refusals come back with their AdminFailure code; events
// reach the window on the events channel. ipcMain, the frames and the console are fakes.

import { describe, expect, it } from 'vitest';
import { adminMethods, type AdminApi } from '../../core/admin/admin-api.js';
import { ipcChannel, ipcChannelPrefix, ipcEventsChannel } from '../../core/admin/bridge.js';
import type { ConsoleEvent } from '../../core/admin/events.js';
import { ConsoleError } from '../../core/console/errors.js';
import {
  checkAdminArgs,
  forwardConsoleEvents,
  registerAdminIpc,
  rendererSenderCheck,
  type IpcInvokeEventLike,
} from '../../electron/admin-ipc.js';

const rendererUrl = 'file:///opt/dynamo-desk/resources/app.asar/dist/renderer/index.html';
const ourWindow = { id: 1 };
const otherWindow = { id: 2 };

function event(url: string, options: { subframe?: boolean; sender?: unknown; gone?: boolean } = {}): IpcInvokeEventLike {
  return {
    sender: options.sender ?? ourWindow,
    senderFrame: options.gone ? null : { url, parent: options.subframe ? { url: rendererUrl } : null },
  };
}

describe('rendererSenderCheck', () => {
  const trusted = rendererSenderCheck(rendererUrl, () => ourWindow);

  it('accepts the main frame of our renderer page, at any #route', () => {
    expect(trusted(event(rendererUrl))).toBe(true);
    expect(trusted(event(`${rendererUrl}#/cluster`))).toBe(true);
  });

  it.each([
    ['a remote origin', 'https://evil.example/dist/renderer/index.html'],
    ['a local web server', 'http://127.0.0.1:3000/'],
    ['another local file', 'file:///tmp/evil.html'],
    ['a file beside ours', 'file:///opt/dynamo-desk/resources/app.asar/dist/renderer/other.html'],
    ['our path on another host', 'file://server/opt/dynamo-desk/resources/app.asar/dist/renderer/index.html'],
    ['our page with a query', `${rendererUrl}?inject=1`],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['about:blank', 'about:blank'],
    ['garbage', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(trusted(event(url))).toBe(false);
  });

  it('refuses a subframe, a frame that is gone, and another window, even on our URL', () => {
    expect(trusted(event(rendererUrl, { subframe: true }))).toBe(false);
    expect(trusted(event(rendererUrl, { gone: true }))).toBe(false);
    expect(trusted(event(rendererUrl, { sender: otherWindow }))).toBe(false);
  });

  it('insists on a file: renderer URL', () => {
    expect(() => rendererSenderCheck('http://localhost:5173/')).toThrow(/file: URL/);
  });
});

describe('checkAdminArgs', () => {
  it.each([
    ['clusterView', [], []],
    ['planJoin', [undefined], []],
    ['killNode', ['n3'], ['n3']],
    ['isolateNode', ['n2'], ['n2']],
    ['isolateNode', ['n2', ['n1', 'n3']], ['n2', ['n1', 'n3']]],
    ['isolateNode', ['n2', undefined], ['n2']],
    ['commitJoin', ['join-n6-1'], ['join-n6-1']],
    ['listBuckets', [], []],
    ['listKeys', [{}], [{}]],
    ['listKeys', [{ bucket: 'carts', prefix: 'user/', siblingsOnly: true, limit: 50, cursor: 'abc' }], [{ bucket: 'carts', prefix: 'user/', siblingsOnly: true, limit: 50, cursor: 'abc' }]],
    ['keyDetail', ['carts', 'a/b c'], ['carts', 'a/b c']],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'aGk=', contentType: 'text/plain' }], [{ bucket: 'b', key: 'k', value: 'aGk=', contentType: 'text/plain' }]],
    ['runAntiEntropy', [{ partition: 3 }], [{ partition: 3 }]],
    ['handoff', [], []],
    ['metricsHistory', [], []],
    ['trace', ['n1', 'n1-7'], ['n1', 'n1-7']],
    ['traceRequest', [{ node: 'n1', op: 'get', bucket: 'b', key: 'k' }], [{ node: 'n1', op: 'get', bucket: 'b', key: 'k' }]],
  ] as const)('accepts %s(%j)', (method, given, expected) => {
    expect(checkAdminArgs(method, [...given])).toEqual({ ok: true, args: expected });
  });

  it.each([
    ['clusterView', ['extra']],
    ['killNode', []],
    ['killNode', [3]],
    ['killNode', ['n1; rm -rf /']],
    ['killNode', ['x'.repeat(65)]],
    ['restartNode', ['n1', 'n2']],
    ['isolateNode', ['n2', 'n1']],
    ['isolateNode', ['n2', ['n1', { id: 'n3' }]]],
    ['isolateNode', ['n2', Array.from({ length: 65 }, (_, i) => `n${i}`)]],
    ['commitJoin', ['']],
    ['cancelJoin', ['join n6']],
    ['cancelJoin', [{ planId: 'join-n6-1' }]],
    ['listBuckets', ['b']],
    ['listKeys', []],
    ['listKeys', [{ bucket: '' }]],
    ['listKeys', [{ limit: 0 }]],
    ['listKeys', [{ limit: 1.5 }]],
    ['listKeys', [{ everything: true }]],
    ['keyDetail', ['b']],
    ['keyDetail', ['b', '']],
    ['keyDetail', ['b'.repeat(256), 'k']],
    ['keyDetail', ['b', '\uD800']],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'not base64!', contentType: 'text/plain' }]],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'aGk=', contentType: 'text/plain\r\nx-evil: 1' }]],
    ['writeKey', [{ bucket: 'b', key: 'k', value: 'aGk=' }]],
    ['runAntiEntropy', [{ node: 'n1; rm' }]],
    ['antiEntropyRuns', ['n1']],
    ['listTraces', [{ op: 'GET' }]],
    ['trace', ['n1']],
    ['traceRequest', [{ node: 'n1', op: 'put', bucket: 'b', key: 'k' }]],
  ] as const)('refuses %s(%j)', (method, given) => {
    const checked = checkAdminArgs(method, [...given]);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.message.startsWith(`${method}: `)).toBe(true);
  });
});

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle: (channel: string, handler: Handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  };
}

function fakeConsole(calls: Array<[string, unknown[]]>): AdminApi {
  const record =
    (method: string, answer?: unknown) =>
    async (...args: unknown[]) => {
      calls.push([method, args]);
      if (args[0] === 'n404') throw new ConsoleError('not_found', `${String(args[0])} is not a node of this console`);
      if (args[0] === 'boom') throw new Error('something broke\n    at stack line');
      return answer;
    };
  return {
    clusterView: record('clusterView', { mode: 'local', members: [] }),
    killNode: record('killNode'),
    restartNode: record('restartNode'),
    leaveNode: record('leaveNode'),
    isolateNode: record('isolateNode'),
    healNode: record('healNode'),
    planJoin: record('planJoin'),
    commitJoin: record('commitJoin'),
    cancelJoin: record('cancelJoin'),
    listBuckets: record('listBuckets', [{ bucket: 'b', keys: 1, keysWithSiblings: 0 }]),
    listKeys: record('listKeys', { keys: [] }),
    keyDetail: record('keyDetail'),
    writeKey: record('writeKey'),
    runAntiEntropy: record('runAntiEntropy', []),
    antiEntropyRuns: record('antiEntropyRuns', { runs: [], unreachable: [] }),
    handoff: record('handoff'),
    metricsHistory: record('metricsHistory'),
    listTraces: record('listTraces', { traces: [], unreachable: [] }),
    trace: record('trace'),
    traceRequest: record('traceRequest'),
    subscribe: () => () => {},
  } as AdminApi;
}

describe('registerAdminIpc', () => {
  function setUp() {
    const ipcMain = fakeIpcMain();
    const calls: Array<[string, unknown[]]> = [];
    const refusals: string[] = [];
    const registered = registerAdminIpc({
      ipcMain,
      api: Promise.resolve(fakeConsole(calls)),
      isTrustedSender: rendererSenderCheck(rendererUrl, () => ourWindow),
      onRefused: (channel, reason) => refusals.push(`${channel} ${reason}`),
    });
    const invoke = (method: string, from: IpcInvokeEventLike, ...args: unknown[]) =>
      Promise.resolve(ipcMain.handlers.get(ipcChannel(method as never))!(from, ...args));
    return { ipcMain, calls, refusals, invoke, ...registered };
  }

  it('handles exactly the AdminApi methods, on the fixed prefix', () => {
    const { ipcMain, dispose } = setUp();

    expect([...ipcMain.handlers.keys()].sort()).toEqual(adminMethods.map((method) => `${ipcChannelPrefix}${method}`).sort());
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('answers our renderer with the value', async () => {
    const { invoke, calls } = setUp();

    expect(await invoke('clusterView', event(rendererUrl))).toEqual({ ok: true, value: { mode: 'local', members: [] } });
    expect(await invoke('isolateNode', event(`${rendererUrl}#/cluster`), 'n2', ['n1'])).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual([
      ['clusterView', []],
      ['isolateNode', ['n2', ['n1']]],
    ]);
  });

  it('rejects another origin or frame without calling the console, and counts it', async () => {
    const { invoke, calls, counters, refusals } = setUp();

    await expect(invoke('killNode', event('https://evil.example/'), 'n1')).rejects.toThrow('refused');
    await expect(invoke('killNode', event(rendererUrl, { subframe: true }), 'n1')).rejects.toThrow('refused');

    expect(calls).toEqual([]);
    expect(counters.untrustedSender).toBe(2);
    expect(refusals[0]).toContain('https://evil.example/');
  });

  it('answers bad arguments with bad_request without calling the console', async () => {
    const { invoke, calls, counters } = setUp();

    const reply = await invoke('killNode', event(rendererUrl), { toString: 'n1' });

    expect(reply).toMatchObject({ ok: false, failure: { code: 'bad_request' } });
    expect(calls).toEqual([]);
    expect(counters.badArguments).toBe(1);
  });

  it('carries the keys methods with their arguments', async () => {
    const { invoke, calls } = setUp();

    expect(await invoke('listBuckets', event(rendererUrl))).toEqual({ ok: true, value: [{ bucket: 'b', keys: 1, keysWithSiblings: 0 }] });
    expect(await invoke('listKeys', event(rendererUrl), { bucket: 'b', limit: 10 })).toEqual({ ok: true, value: { keys: [] } });
    await invoke('keyDetail', event(rendererUrl), 'b', 'k/1');
    await invoke('writeKey', event(rendererUrl), { bucket: 'b', key: 'k', value: '', contentType: 'text/plain', context: 'c1' });
    expect(calls).toEqual([
      ['listBuckets', []],
      ['listKeys', [{ bucket: 'b', limit: 10 }]],
      ['keyDetail', ['b', 'k/1']],
      ['writeKey', [{ bucket: 'b', key: 'k', value: '', contentType: 'text/plain', context: 'c1' }]],
    ]);
  });

  it("passes the console's refusals on with their code, and hides anything else behind internal", async () => {
    const { invoke } = setUp();

    expect(await invoke('killNode', event(rendererUrl), 'n404')).toEqual({
      ok: false,
      failure: { code: 'not_found', message: 'n404 is not a node of this console' },
    });
    expect(await invoke('restartNode', event(rendererUrl), 'boom')).toEqual({
      ok: false,
      failure: { code: 'internal', message: 'something broke' },
    });
  });
});

describe('forwardConsoleEvents', () => {
  it('sends each event on the events channel until stopped or the window is gone', () => {
    let listener: ((event: ConsoleEvent) => void) | undefined;
    let unsubscribed = 0;
    const api = {
      subscribe: (next: (event: ConsoleEvent) => void) => {
        listener = next;
        return () => void unsubscribed++;
      },
    };
    const sent: unknown[][] = [];
    let destroyed = false;
    const stop = forwardConsoleEvents(api, { isDestroyed: () => destroyed, send: (...args) => void sent.push(args) });
    const event: ConsoleEvent = { type: 'connection', node: 'n1', at: 1, connected: true };

    listener!(event);
    destroyed = true;
    listener!(event);
    stop();

    expect(sent).toEqual([[ipcEventsChannel, event]]);
    expect(unsubscribed).toBe(1);
  });
});
