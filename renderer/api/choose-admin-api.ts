// The renderer's one way to the back end: the desktop shell's bridge when the preload put one on
// the window, otherwise `dynamo console`'s HTTP wire on the origin the page came from.

import type { AdminApi } from '../../core/admin/admin-api.js';
import { type DesktopBridge, desktopBridgeName } from '../../core/admin/bridge.js';
import { desktopTransport } from './desktop-transport.js';
import { type EventSourceLike, httpTransport } from './http-transport.js';
import { takeToken } from './token.js';
import { adminApiOver } from './transport.js';

export interface ChosenAdminApi {
  api: AdminApi;
  shell: 'desktop' | 'web';
}

export function chooseAdminApi(win: Window & typeof globalThis): ChosenAdminApi {
  const bridge = (win as unknown as Record<string, DesktopBridge | undefined>)[desktopBridgeName];
  if (bridge !== undefined) return { api: adminApiOver(desktopTransport(bridge)), shell: 'desktop' };
  const token = takeToken({
    location: win.location,
    storage: win.sessionStorage,
    replaceUrl: (url) => win.history.replaceState(win.history.state, '', url),
  });
  const transport = httpTransport({
    origin: win.location.origin,
    token,
    fetch: (url, init) => win.fetch(url, init),
    // The DOM types its handlers with `this`; the transport needs only the fields it uses.
    openEventSource: (url) => new win.EventSource(url) as unknown as EventSourceLike,
    now: () => Date.now(),
    setTimer: (run, ms) => win.setTimeout(run, ms),
    clearTimer: (timer) => win.clearTimeout(timer as number),
  });
  return { api: adminApiOver(transport), shell: 'web' };
}
