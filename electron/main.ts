// The desktop shell's main process (DESIGN.md, "The console"): glue only, and the one module
// that imports Electron's main-process API. It holds the single-instance lock, sets the
// application menu, runs the console service (core/console) over a local cluster whose nodes are
// utility processes (utility-process-launcher.ts) keeping their data under <userData>/cluster,
// serves AdminApi to one locked-down window over IPC (admin-ipc.ts, window-security.ts) and
// stops the cluster cleanly on quit (quit-guard.ts). Everything it calls is tested headless.
//
// Layout (`npm run build`): this file is dist/electron/main.js, the bundled preload
// dist/electron/preload.cjs, the page dist/renderer/index.html, the node entry
// dist/core/host/node-main.js. Start it with `electron dist/electron/main.js`.

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  session,
  shell,
  utilityProcess,
} from 'electron';
import type { ConsoleService } from '../core/console/console-service.js';
import { createLocalConsole } from '../core/console/local-console.js';
import { forwardConsoleEvents, registerAdminIpc, rendererSenderCheck } from './admin-ipc.js';
import { appMenuTemplate } from './app-menu.js';
import { quitCloseWaitMs } from './limits.js';
import { createQuitGuard } from './quit-guard.js';
import { utilityProcessSpawner } from './utility-process-launcher.js';
import { lockDownSession, lockDownWebContents, secureWindowOptions, type Refusal } from './window-security.js';

const productName = 'dynamo-desk';
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererIndex = path.join(here, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
const preloadScript = path.join(here, 'preload.cjs');

// Before 'ready': the same user-data folder however the app is started (`electron <file>` would
// otherwise name it "Electron"), and every renderer sandboxed.
app.setName(productName);
app.setPath('userData', path.join(app.getPath('appData'), productName));
const clusterDir = path.join(app.getPath('userData'), 'cluster');
app.enableSandbox();

function log(message: string): void {
  console.warn(`[${productName}] ${message}`);
}

function logRefusal(refusal: Refusal): void {
  log(refusal.kind === 'permission' ? `denied permission ${refusal.permission}` : `blocked ${refusal.kind} to ${refusal.url}`);
}

if (!app.requestSingleInstanceLock()) {
  // Another instance runs this cluster already; it is told (second-instance) and shows itself.
  app.quit();
} else {
  run();
}

function run(): void {
  let window: BrowserWindow | undefined;

  // The cluster starts once Electron is ready (utility processes need it); the window opens
  // at once and its first calls wait for the console.
  const started: Promise<ConsoleService> = app.whenReady().then(() =>
    createLocalConsole({
      dir: clusterDir,
      spawn: utilityProcessSpawner({ utilityProcess, MessageChannelMain, app }),
    }),
  );
  started.catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log(`the cluster did not start: ${message}`);
    dialog.showErrorBox(`${productName} could not start its cluster`, `${message}\n\nData folder: ${clusterDir}`);
    app.quit();
  });

  const ipc = registerAdminIpc({
    ipcMain,
    api: started,
    isTrustedSender: rendererSenderCheck(rendererUrl, () => (window?.isDestroyed() === false ? window.webContents : undefined)),
    onRefused: (channel, reason) => log(`refused ${channel}: ${reason}`),
  });

  app.on(
    'before-quit',
    createQuitGuard({
      close: async () => {
        ipc.dispose();
        const service = await started.catch(() => undefined);
        await service?.close();
      },
      quit: () => app.quit(),
      timeoutMs: quitCloseWaitMs,
      onError: log,
    }),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

  // Every webContents, ours and any other, stays on its page and opens no window.
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents, logRefusal));
  app.on('second-instance', () => {
    if (!app.isReady()) return;
    window ??= openWindow();
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  // macOS keeps an app (and here its cluster) running without windows; elsewhere closing quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady()) window ??= openWindow();
  });

  void app.whenReady().then(() => {
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate({
          platform: process.platform,
          developerTools: !app.isPackaged,
          showDataFolder: () => void shell.openPath(clusterDir),
        }),
      ),
    );
    lockDownSession(session.defaultSession, logRefusal);
    window ??= openWindow();
  });

  function openWindow(): BrowserWindow {
    const opened = new BrowserWindow(
      secureWindowOptions({ preload: preloadScript, title: productName, developerTools: !app.isPackaged }),
    );
    let stopEvents: (() => void) | undefined;
    started.then(
      (service) => {
        if (!opened.isDestroyed()) stopEvents = forwardConsoleEvents(service, opened.webContents);
      },
      () => undefined,
    );
    opened.once('ready-to-show', () => opened.show());
    opened.on('closed', () => {
      stopEvents?.();
      if (window === opened) window = undefined;
    });
    opened.loadFile(rendererIndex).catch((error: unknown) => {
      // Without its page the window would never show: say so and quit.
      const message = error instanceof Error ? error.message : String(error);
      dialog.showErrorBox(`${productName} could not load its page`, `${rendererIndex}: ${message}\n\nRun \`npm run build\` first.`);
      app.quit();
    });
    return opened;
  }
}
