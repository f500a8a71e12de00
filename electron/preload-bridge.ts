// The desktop bridge the preload exposes to the renderer (core/admin/bridge.ts): `invoke` and
// `subscribe` on the fixed channel prefix, and nothing else; no Electron object, no IPC event,
// no Node API reaches the page. Electron is injected (preload.ts passes the real contextBridge
// and ipcRenderer), so this is tested without Electron.
//
// A refusal rejects with a plain AdminFailure object `{code, message}` rather than an Error:
// contextBridge copies an Error's message but drops its other properties, `code` included.

import { adminMethods, type AdminFailure, type AdminMethod } from '../core/admin/admin-api.js';
import { desktopBridgeName, ipcChannel, ipcEventsChannel, type DesktopBridge } from '../core/admin/bridge.js';
import type { ConsoleEvent } from '../core/admin/events.js';
import { isIpcReply } from './ipc-reply.js';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** Electron's ipcRenderer, as far as the bridge uses it. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/** Electron's contextBridge, as far as the preload uses it. */
export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

const knownMethods: ReadonlySet<string> = new Set(adminMethods);

/** The bridge over `ipc`: what `window.dynamoDesktop` is in the renderer. */
export function createDesktopBridge(ipc: IpcRendererLike): DesktopBridge {
  return Object.freeze({
    async invoke(method: AdminMethod, args: unknown[]): Promise<unknown> {
      if (typeof method !== 'string' || !knownMethods.has(method)) {
        throw failure('bad_request', `${String(method)} is not an AdminApi method`);
      }
      if (!Array.isArray(args)) throw failure('bad_request', `${method}: the arguments must be an array`);
      const reply = await ipc.invoke(ipcChannel(method), ...args);
      if (!isIpcReply(reply)) throw failure('internal', `${method}: the main process answered something unexpected`);
      if (!reply.ok) throw failure(reply.failure.code, reply.failure.message);
      return reply.value;
    },
    subscribe(listener: (event: ConsoleEvent) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function');
      // The IpcRendererEvent stays here: it carries the sender and ports, which the page must not see.
      const onEvent: IpcListener = (_event, consoleEvent) => listener(consoleEvent as ConsoleEvent);
      ipc.on(ipcEventsChannel, onEvent);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(ipcEventsChannel, onEvent);
      };
    },
  });
}

/** What preload.ts runs: exposes the bridge, and only it, as `window.dynamoDesktop`. */
export function exposeDesktopBridge(contextBridge: ContextBridgeLike, ipc: IpcRendererLike): void {
  contextBridge.exposeInMainWorld(desktopBridgeName, createDesktopBridge(ipc));
}

function failure(code: AdminFailure['code'], message: string): AdminFailure {
  return { code, message };
}
