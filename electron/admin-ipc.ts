// The main process's side of the desktop bridge (core/admin/bridge.ts): one ipcMain handler per
// AdminApi method on the fixed channel prefix, and the console's events forwarded to the window.
// Every call is checked before it reaches the console: the sender must be the main frame of our
// own renderer (file://…/dist/renderer/index.html) and the arguments must be what AdminApi
// takes; anything else is refused and counted. Electron is injected (main.ts passes ipcMain and
// the window's webContents), so all of this is tested without Electron.

import { adminMethods, type AdminApi, type AdminMethod } from '../core/admin/admin-api.js';
import { ipcChannel, ipcEventsChannel } from '../core/admin/bridge.js';
import type { ConsoleEvent } from '../core/admin/events.js';
import { adminArgsProblem } from '../core/console/admin-dispatch.js';
import { checkNodeId } from '../core/console/console-service.js';
import { toAdminFailure } from '../core/console/errors.js';
import type { IpcReply } from './ipc-reply.js';
import { isolateFromMax, planIdLengthMax } from './limits.js';

/** The frame that sent an IPC message (Electron's WebFrameMain, as far as it is read here). */
export interface SenderFrameLike {
  readonly url: string;
  /** Null for a window's main frame. */
  readonly parent: unknown;
}

/** Electron's IpcMainInvokeEvent, as far as it is read here. */
export interface IpcInvokeEventLike {
  readonly sender: unknown;
  /** Null when the frame has navigated away or been destroyed since it sent. */
  readonly senderFrame: SenderFrameLike | null;
}

type InvokeHandler = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

/** Electron's ipcMain, as far as it is used here. */
export interface IpcMainLike {
  handle(channel: string, listener: InvokeHandler): void;
  removeHandler(channel: string): void;
}

/** Where console events go: the window's webContents. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/**
 * Accepts only the main frame of our renderer page: a file: URL whose path is exactly the
 * renderer's index.html (any #route is the page's own) and, when `sender` says which, only the
 * console window's webContents. Another origin, another file, a subframe or a frame that is
 * gone are all refused.
 */
export function rendererSenderCheck(rendererUrl: string, sender?: () => unknown): (event: IpcInvokeEventLike) => boolean {
  const expected = new URL(rendererUrl);
  if (expected.protocol !== 'file:') throw new Error(`the renderer must be a file: URL, not ${rendererUrl}`);
  return (event) => {
    const frame = event.senderFrame;
    if (frame === null || frame === undefined || frame.parent !== null) return false;
    if (sender !== undefined && event.sender !== sender()) return false;
    let url: URL;
    try {
      url = new URL(frame.url);
    } catch {
      return false;
    }
    return url.protocol === 'file:' && url.host === expected.host && url.pathname === expected.pathname && url.search === '';
  };
}

/** An AdminApi call's arguments as the console will get them, or why they are refused. */
export type CheckedArgs = { ok: true; args: unknown[] } | { ok: false; message: string };

/** Checks the arguments of `method` against AdminApi's signature; trailing undefineds are dropped. */
export function checkAdminArgs(method: AdminMethod, given: unknown[]): CheckedArgs {
  const args = [...given];
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  const refuse = (message: string): CheckedArgs => ({ ok: false, message: `${method}: ${message}` });
  const count = (min: number, max: number) =>
    args.length >= min && args.length <= max ? undefined : refuse(`takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
  switch (method) {
    case 'clusterView':
    case 'planJoin':
      return count(0, 0) ?? { ok: true, args };
    case 'killNode':
    case 'restartNode':
    case 'leaveNode':
    case 'healNode':
      return count(1, 1) ?? nodeIds([args[0]], refuse) ?? { ok: true, args };
    case 'isolateNode': {
      const wrong = count(1, 2) ?? nodeIds([args[0]], refuse);
      if (wrong !== undefined) return wrong;
      if (args.length === 1) return { ok: true, args };
      const from = args[1];
      if (!Array.isArray(from) || from.length > isolateFromMax) return refuse(`from must be a list of at most ${isolateFromMax} node ids`);
      return nodeIds(from, refuse) ?? { ok: true, args: [args[0], [...from]] };
    }
    case 'commitJoin':
    case 'cancelJoin': {
      const wrong = count(1, 1);
      if (wrong !== undefined) return wrong;
      const planId = args[0];
      if (typeof planId !== 'string' || planId.length === 0 || planId.length > planIdLengthMax || !/^[\x21-\x7e]+$/.test(planId)) {
        return refuse(`a plan id is 1 to ${planIdLengthMax} printable characters`);
      }
      return { ok: true, args };
    }
    case 'listBuckets':
    case 'listKeys':
    case 'keyDetail':
    case 'writeKey':
    case 'runAntiEntropy':
    case 'antiEntropyRuns':
    case 'handoff':
    case 'metricsHistory':
    case 'listTraces':
    case 'trace':
    case 'traceRequest': {
      // The keys and operations methods take the web console's own checks (core/console/admin-dispatch.ts), so
      // both shells accept exactly the same buckets, keys, queries, writes, targets and requests.
      const problem = adminArgsProblem(method, args);
      return problem === undefined ? { ok: true, args } : refuse(problem);
    }
  }
}

/** Every id valid (the console's own rule, core/console), or the refusal. */
function nodeIds(ids: unknown[], refuse: (message: string) => CheckedArgs): CheckedArgs | undefined {
  for (const id of ids) {
    try {
      checkNodeId(id);
    } catch (error) {
      return refuse(toAdminFailure(error).message);
    }
  }
  return undefined;
}

export interface AdminIpcOptions {
  ipcMain: IpcMainLike;
  /** The console; a promise while it is starting (calls wait for it). */
  api: AdminApi | Promise<AdminApi>;
  isTrustedSender: (event: IpcInvokeEventLike) => boolean;
  /** Told of every refused call (for the log). */
  onRefused?: (channel: string, reason: string) => void;
}

/** What the handlers refused, by kind. */
export interface AdminIpcCounters {
  untrustedSender: number;
  badArguments: number;
}

/**
 * Registers a handler per AdminApi method. An untrusted sender's call is rejected with a bare
 * error (it learns nothing); bad arguments and the console's own refusals answer `{ok: false,
 * failure}`. Returns the counters and the function that removes the handlers.
 */
export function registerAdminIpc(options: AdminIpcOptions): { counters: AdminIpcCounters; dispose: () => void } {
  const { ipcMain, api, isTrustedSender, onRefused } = options;
  const counters: AdminIpcCounters = { untrustedSender: 0, badArguments: 0 };
  for (const method of adminMethods) {
    const channel = ipcChannel(method);
    ipcMain.handle(channel, async (event, ...given): Promise<IpcReply> => {
      if (!isTrustedSender(event)) {
        counters.untrustedSender++;
        onRefused?.(channel, `untrusted sender ${event.senderFrame?.url ?? '(no frame)'}`);
        throw new Error('refused');
      }
      const checked = checkAdminArgs(method, given);
      if (!checked.ok) {
        counters.badArguments++;
        onRefused?.(channel, checked.message);
        return { ok: false, failure: { code: 'bad_request', message: checked.message } };
      }
      try {
        const service = await api;
        const call = service[method] as (...args: unknown[]) => Promise<unknown>;
        const value = await call.apply(service, checked.args);
        return { ok: true, value };
      } catch (error) {
        return { ok: false, failure: toAdminFailure(error) };
      }
    });
  }
  return {
    counters,
    dispose: () => {
      for (const method of adminMethods) ipcMain.removeHandler(ipcChannel(method));
    },
  };
}

/**
 * Forwards the console's events to the window on the events channel while it exists; returns
 * the function that stops forwarding.
 */
export function forwardConsoleEvents(api: Pick<AdminApi, 'subscribe'>, target: EventTargetLike): () => void {
  let stop: (() => void) | undefined;
  stop = api.subscribe((event: ConsoleEvent) => {
    if (target.isDestroyed()) {
      stop?.();
      stop = undefined;
      return;
    }
    target.send(ipcEventsChannel, event);
  });
  return () => {
    stop?.();
    stop = undefined;
  };
}
