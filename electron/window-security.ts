// The console window's security (Electron's security checklist, and VS Code's habits): its
// options built by a pure function, so a test can assert every flag; a strict Content Security
// Policy; and the handlers that block navigation, deny window.open and every permission request.
// Electron's objects are injected as the few methods used, so all of it is tested without
// Electron.

import { contentSecurityPolicy } from '../core/admin/content-security-policy.js';
import { windowHeight, windowHeightMin, windowWidth, windowWidthMin } from './limits.js';

export { contentSecurityPolicy };

/** The window's webPreferences: every protection on, Node nowhere in the page. */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  spellcheck: false;
  devTools: boolean;
}

export interface SecureWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  /** Shown on 'ready-to-show', so the window never flashes blank. */
  show: false;
  webPreferences: SecureWebPreferences;
}

/** The console window's options. Developer tools only where the app is not packaged. */
export function secureWindowOptions(options: { preload: string; title: string; developerTools: boolean }): SecureWindowOptions {
  return {
    width: windowWidth,
    height: windowHeight,
    minWidth: windowWidthMin,
    minHeight: windowHeightMin,
    title: options.title,
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: options.developerTools,
    },
  };
}

// ---- Electron's webContents and session, as far as they are used here.

interface PreventableEvent {
  preventDefault(): void;
}

/** What a navigation event says (Electron's will-navigate / will-frame-navigate / will-redirect). */
interface NavigationEvent extends PreventableEvent {
  url?: string;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface HeadersDetails {
  url: string;
  responseHeaders?: Record<string, string[]>;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (details: HeadersDetails, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void,
    ): void;
  };
}

/** What the hardening refused, for the log. */
export type Refusal = { kind: 'navigation' | 'window-open' | 'webview'; url: string } | { kind: 'permission'; permission: string };

/**
 * Makes a webContents stay on its page: every navigation (of the page or of any frame, and any
 * redirect) is blocked, window.open and target=_blank are denied, and no <webview> attaches.
 * The console is a single page whose routes live in the URL's #fragment, which is no navigation.
 */
export function lockDownWebContents(contents: WebContentsLike, onRefused: (refusal: Refusal) => void = () => {}): void {
  const block = (event: NavigationEvent) => {
    event.preventDefault();
    onRefused({ kind: 'navigation', url: event.url ?? '(unknown)' });
  };
  contents.on('will-navigate', block);
  contents.on('will-frame-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onRefused({ kind: 'webview', url: '(webview)' });
  });
  contents.setWindowOpenHandler(({ url }) => {
    onRefused({ kind: 'window-open', url });
    return { action: 'deny' };
  });
}

/**
 * Denies every permission request and check (camera, notifications, clipboard read, devices…)
 * and sends the CSP with every response the session loads. The CSP header is how Electron
 * recommends setting it; the page should also carry it in a <meta> tag, which works wherever a
 * file:// response's headers are not seen.
 */
export function lockDownSession(session: SessionLike, onRefused: (refusal: Refusal) => void = () => {}): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    onRefused({ kind: 'permission', permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

/** Response headers with ours as the only Content-Security-Policy. */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [contentSecurityPolicy];
  return result;
}
