// The desktop shell's bridge (electron/preload.ts exposes it through contextBridge as
// `window[desktopBridgeName]`): the least the renderer needs to reach the console service in the
// main process, on one fixed channel prefix. Types and names only.

import type { AdminMethod } from './admin-api.js';
import type { ConsoleEvent } from './events.js';

/** The global name under which the preload exposes the bridge. */
export const desktopBridgeName = 'dynamoDesktop';

/** Every IPC channel of the console starts with this; the main process ignores any other. */
export const ipcChannelPrefix = 'dynamo-admin:';

/** The invoke channel of an AdminApi method, and the channel events arrive on. */
export function ipcChannel(method: AdminMethod): string {
  return ipcChannelPrefix + method;
}
export const ipcEventsChannel = `${ipcChannelPrefix}events`;

export interface DesktopBridge {
  /** Calls an AdminApi method in the main process; rejects with an AdminFailure-shaped error. */
  invoke(method: AdminMethod, args: unknown[]): Promise<unknown>;
  /** Follows the console's events; returns the function that stops following. */
  subscribe(listener: (event: ConsoleEvent) => void): () => void;
}
