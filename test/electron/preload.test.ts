// Proves the preload exposes exactly `invoke` and `subscribe`, as `window.dynamoDesktop`, and
// nothing else: calls go out on the fixed channel prefix, unknown methods never reach IPC, a
// refusal rejects with the AdminFailure, events reach the listener without the IPC event, and
// unsubscribing stops them. The last case builds the real preload bundle (as `npm run build`
// does) and runs it the way a sandboxed window does: one script whose `require` knows only
// 'electron'.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { desktopBridgeName, ipcEventsChannel, type DesktopBridge } from '../../core/admin/bridge.js';
import type { ConsoleEvent } from '../../core/admin/events.js';
import { createDesktopBridge, exposeDesktopBridge, type IpcRendererLike } from '../../electron/preload-bridge.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer(answer: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: 'answer' })) {
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererLike & { emit(channel: string, ...args: unknown[]): void } = {
    async invoke(channel, ...args) {
      invoked.push({ channel, args });
      return answer(channel, args);
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
    emit(channel, ...args) {
      for (const listener of listeners.get(channel) ?? []) listener({ sender: 'the IPC event' }, ...args);
    },
  };
  return { ipc, invoked, listeners };
}

function fakeContextBridge() {
  const exposed: Array<{ key: string; api: unknown }> = [];
  return { exposed, exposeInMainWorld: (key: string, api: unknown) => void exposed.push({ key, api }) };
}

describe('the desktop bridge', () => {
  it('is exposed once, as window.dynamoDesktop, with exactly invoke and subscribe', () => {
    const contextBridge = fakeContextBridge();
    exposeDesktopBridge(contextBridge, fakeIpcRenderer().ipc);

    expect(contextBridge.exposed).toHaveLength(1);
    expect(contextBridge.exposed[0].key).toBe(desktopBridgeName);
    expect(desktopBridgeName).toBe('dynamoDesktop');
    const api = contextBridge.exposed[0].api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'subscribe']);
    expect(typeof api.invoke).toBe('function');
    expect(typeof api.subscribe).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('invokes on the fixed channel prefix and answers the value', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const bridge = createDesktopBridge(ipc);

    expect(await bridge.invoke('isolateNode', ['n2', ['n1']])).toBe('answer');
    expect(invoked).toEqual([{ channel: 'dynamo-admin:isolateNode', args: ['n2', ['n1']] }]);
  });

  it('refuses an unknown method or bad arguments without any IPC', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const bridge = createDesktopBridge(ipc);

    await expect(bridge.invoke('events' as never, [])).rejects.toEqual({ code: 'bad_request', message: 'events is not an AdminApi method' });
    await expect(bridge.invoke('__proto__' as never, [])).rejects.toMatchObject({ code: 'bad_request' });
    await expect(bridge.invoke('killNode', 'n1' as never)).rejects.toMatchObject({ code: 'bad_request' });
    expect(invoked).toEqual([]);
  });

  it('rejects with the AdminFailure the main process answered, or internal for anything else', async () => {
    const failing = createDesktopBridge(
      fakeIpcRenderer(() => ({ ok: false, failure: { code: 'not_found', message: 'n9 is not a node of this console' } })).ipc,
    );
    const strange = createDesktopBridge(fakeIpcRenderer(() => 'what?').ipc);

    await expect(failing.invoke('killNode', ['n9'])).rejects.toEqual({ code: 'not_found', message: 'n9 is not a node of this console' });
    await expect(strange.invoke('clusterView', [])).rejects.toMatchObject({ code: 'internal' });
  });

  it('gives listeners the console event only, until they unsubscribe', () => {
    const { ipc, listeners } = fakeIpcRenderer();
    const bridge = createDesktopBridge(ipc);
    const received: unknown[][] = [];
    const event: ConsoleEvent = { type: 'process', node: 'n3', at: 5, state: 'crashed', reason: 'oom' };

    const unsubscribe = bridge.subscribe((...args) => void received.push(args));
    ipc.emit(ipcEventsChannel, event);
    unsubscribe();
    unsubscribe();
    ipc.emit(ipcEventsChannel, event);

    expect(received).toEqual([[event]]);
    expect(listeners.get(ipcEventsChannel)?.size).toBe(0);
  });
});

describe('the bundled preload (dist/electron/preload.cjs)', () => {
  it('runs as a sandboxed preload: one script, requiring only electron, exposing only the bridge', async () => {
    const { build } = await import('vite');
    const outDir = mkdtempSync(path.join(tmpdir(), 'dynamo-preload-'));
    try {
      await build({
        configFile: fileURLToPath(new URL('../../electron/preload.vite.config.mjs', import.meta.url)),
        logLevel: 'silent',
        build: { outDir },
      });
      const code = readFileSync(path.join(outDir, 'preload.cjs'), 'utf8');
      const contextBridge = fakeContextBridge();
      const { ipc, invoked } = fakeIpcRenderer();
      const required: string[] = [];
      const sandboxRequire = (name: string) => {
        required.push(name);
        if (name === 'electron') return { contextBridge, ipcRenderer: ipc };
        throw new Error(`a sandboxed preload cannot require ${name}`);
      };

      vm.runInNewContext(code, { require: sandboxRequire }, { filename: 'preload.cjs' });

      expect(code).not.toMatch(/^\s*(import|export)\s/m);
      expect(required).toEqual(['electron']);
      expect(contextBridge.exposed.map((exposure) => exposure.key)).toEqual(['dynamoDesktop']);
      const bridge = contextBridge.exposed[0].api as DesktopBridge;
      expect(Object.keys(bridge).sort()).toEqual(['invoke', 'subscribe']);
      expect(await bridge.invoke('clusterView', [])).toBe('answer');
      expect(invoked).toEqual([{ channel: 'dynamo-admin:clusterView', args: [] }]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
