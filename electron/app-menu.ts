// The application menu, as a template built by a pure function (main.ts hands it to
// Menu.buildFromTemplate). Standard roles only, so every platform's shortcuts work; developer
// tools only where the app is not packaged; one item of ours: the folder holding the nodes'
// data and logs.

/** The roles used here (a subset of Electron's MenuItemConstructorOptions['role']). */
export type MenuRole =
  | 'appMenu'
  | 'editMenu'
  | 'windowMenu'
  | 'quit'
  | 'close'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'about';

/** One menu item (structurally a MenuItemConstructorOptions). */
export interface MenuItemOptions {
  label?: string;
  role?: MenuRole;
  type?: 'separator' | 'submenu';
  submenu?: MenuItemOptions[];
  click?: () => void;
}

export interface AppMenuOptions {
  platform: string;
  /** Reload without cache and the developer tools: for development only. */
  developerTools: boolean;
  /** Opens the cluster's data folder (node data and node.log files) in the file manager. */
  showDataFolder: () => void;
}

export function appMenuTemplate(options: AppMenuOptions): MenuItemOptions[] {
  const mac = options.platform === 'darwin';
  const separator: MenuItemOptions = { type: 'separator' };
  const file: MenuItemOptions = {
    label: 'File',
    submenu: [
      { label: 'Show Cluster Data Folder', click: options.showDataFolder },
      separator,
      // macOS quits from the app menu; its File menu closes the window.
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(options.developerTools ? [{ role: 'forceReload' } as const, { role: 'toggleDevTools' } as const] : []),
      separator,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemOptions = { label: 'Help', submenu: [{ role: 'about' }] };
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    ...(mac ? [] : [help]),
  ];
}
