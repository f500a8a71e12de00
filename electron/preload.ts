// The window's preload script: exposes the desktop bridge (invoke and subscribe on the fixed
// channel prefix; preload-bridge.ts) through contextBridge, and nothing else. The window is
// sandboxed, so Electron runs this as one CommonJS script whose only `require` is Electron's:
// `npm run build` bundles it with what it imports into dist/electron/preload.cjs
// (electron/preload.vite.config.mjs).

import { contextBridge, ipcRenderer } from 'electron';
import { exposeDesktopBridge } from './preload-bridge.js';

exposeDesktopBridge(contextBridge, ipcRenderer);
