// Proves the console window is built locked down (electron/window-security.ts): every
// webPreferences flag, the CSP (no inline script, no eval, no remote origin), blocked
// navigation and redirects, denied window.open and <webview>, denied permission requests and
// checks, and the CSP header on every response. webContents and session are fakes.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  lockDownSession,
  lockDownWebContents,
  secureWindowOptions,
  withContentSecurityPolicy,
  type HeadersDetails,
  type Refusal,
} from '../../electron/window-security.js';

describe('secureWindowOptions', () => {
  it('turns every protection on', () => {
    const options = secureWindowOptions({ preload: '/app/dist/electron/preload.cjs', title: 'dynamo-desk', developerTools: false });

    expect(options.webPreferences).toEqual({
      preload: '/app/dist/electron/preload.cjs',
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
      devTools: false,
    });
    expect(options).toMatchObject({ width: 1280, height: 800, show: false, title: 'dynamo-desk' });
  });

  it('offers developer tools only when asked (an unpackaged app)', () => {
    expect(secureWindowOptions({ preload: 'p', title: 't', developerTools: true }).webPreferences.devTools).toBe(true);
  });
});

describe('contentSecurityPolicy', () => {
  const directives = new Map(
    contentSecurityPolicy.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it("allows scripts only from the app's own files: no inline script, no eval", () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
  });

  it('names no remote origin and no wildcard anywhere', () => {
    for (const [name, values] of directives) {
      for (const value of values) {
        expect(value, `${name} ${value}`).toMatch(/^('self'|'none'|'unsafe-inline'|data:)$/);
      }
    }
    expect(directives.get('style-src')).toContain("'unsafe-inline'");
    expect(contentSecurityPolicy).not.toContain('unsafe-eval');
  });

  it('shuts plugins, frames, workers, forms and <base> out', () => {
    for (const name of ['object-src', 'frame-src', 'worker-src', 'base-uri', 'form-action', 'frame-ancestors']) {
      expect(directives.get(name), name).toEqual(["'none'"]);
    }
  });
});

class FakeWebContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
}

function preventable(url?: string) {
  return { url, prevented: false, preventDefault() { this.prevented = true; } };
}

describe('lockDownWebContents', () => {
  it('blocks navigation of the page and its frames, redirects and webviews, and denies window.open', () => {
    const contents = new FakeWebContents();
    const refusals: Refusal[] = [];
    lockDownWebContents(contents, (refusal) => refusals.push(refusal));
    const events = {
      navigate: preventable('https://evil.example/'),
      fileNavigate: preventable('file:///etc/passwd'),
      frame: preventable('https://ads.example/'),
      redirect: preventable('https://evil.example/next'),
      webview: preventable(),
    };

    contents.emit('will-navigate', events.navigate, events.navigate.url);
    contents.emit('will-navigate', events.fileNavigate, events.fileNavigate.url);
    contents.emit('will-frame-navigate', events.frame);
    contents.emit('will-redirect', events.redirect, events.redirect.url);
    contents.emit('will-attach-webview', events.webview, {}, {});
    const opened = contents.openHandler!({ url: 'https://evil.example/popup' });

    for (const [name, event] of Object.entries(events)) expect(event.prevented, name).toBe(true);
    expect(opened).toEqual({ action: 'deny' });
    expect(refusals).toContainEqual({ kind: 'window-open', url: 'https://evil.example/popup' });
    expect(refusals).toContainEqual({ kind: 'navigation', url: 'https://evil.example/' });
  });
});

describe('lockDownSession', () => {
  type RequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
  type HeadersListener = (details: HeadersDetails, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void;

  function fakeSession() {
    const handlers: {
      request?: RequestHandler;
      check?: (contents: unknown, permission: string) => boolean;
      device?: (details: unknown) => boolean;
      headers?: HeadersListener;
    } = {};
    const session = {
      setPermissionRequestHandler: (handler: RequestHandler) => void (handlers.request = handler),
      setPermissionCheckHandler: (handler: (contents: unknown, permission: string) => boolean) => void (handlers.check = handler),
      setDevicePermissionHandler: (handler: (details: unknown) => boolean) => void (handlers.device = handler),
      webRequest: { onHeadersReceived: (listener: HeadersListener) => void (handlers.headers = listener) },
    };
    return { session, handlers };
  }

  it('denies every permission request, check and device', () => {
    const { session, handlers } = fakeSession();
    const refusals: Refusal[] = [];
    lockDownSession(session, (refusal) => refusals.push(refusal));

    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: boolean | undefined;
      handlers.request!({}, permission, (answer) => (granted = answer));
      expect(granted, permission).toBe(false);
      expect(handlers.check!({}, permission), permission).toBe(false);
    }
    expect(handlers.device!({ deviceType: 'usb' })).toBe(false);
    expect(refusals).toContainEqual({ kind: 'permission', permission: 'media' });
  });

  it('sends our CSP with every response, replacing any other', () => {
    const { session, handlers } = fakeSession();
    lockDownSession(session);
    let response: { responseHeaders?: Record<string, string | string[]> } | undefined;

    handlers.headers!(
      { url: 'file:///app/dist/renderer/index.html', responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } },
      (answer) => (response = answer),
    );

    expect(response?.responseHeaders).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [contentSecurityPolicy] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [contentSecurityPolicy] });
  });
});
