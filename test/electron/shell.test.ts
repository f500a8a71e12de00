// Proves the rest of the main process's plain code: quitting holds the first 'before-quit' until
// the cluster has stopped (once, however often quit is asked), quits anyway when stopping fails
// or takes too long; the application menu uses standard roles, offers developer tools only in
// development, and follows each platform's conventions.

import { describe, expect, it } from 'vitest';
import { appMenuTemplate, type MenuItemOptions } from '../../electron/app-menu.js';
import { createQuitGuard } from '../../electron/quit-guard.js';

function quitEvent() {
  return { prevented: false, preventDefault() { this.prevented = true; } };
}

describe('createQuitGuard', () => {
  it('holds the quit until the cluster has stopped, then quits once', async () => {
    let finishClose!: () => void;
    let closes = 0;
    let quits = 0;
    const guard = createQuitGuard({
      close: () => {
        closes++;
        return new Promise<void>((resolve) => (finishClose = resolve));
      },
      quit: () => quits++,
      timeoutMs: 5_000,
    });

    const first = quitEvent();
    guard(first);
    const again = quitEvent();
    guard(again);
    expect([first.prevented, again.prevented, closes, quits]).toEqual([true, true, 1, 0]);

    finishClose();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(quits).toBe(1);
    const last = quitEvent();
    guard(last);
    expect(last.prevented).toBe(false);
    expect(closes).toBe(1);
  });

  it('quits anyway when stopping fails or hangs, saying why', async () => {
    const errors: string[] = [];
    let quits = 0;
    const failing = createQuitGuard({ close: async () => Promise.reject(new Error('LevelDB is busy')), quit: () => quits++, timeoutMs: 5_000, onError: (m) => errors.push(m) });
    const hanging = createQuitGuard({ close: () => new Promise<void>(() => {}), quit: () => quits++, timeoutMs: 20, onError: (m) => errors.push(m) });

    failing(quitEvent());
    hanging(quitEvent());
    await new Promise((resolve) => setTimeout(resolve, 60));

    expect(quits).toBe(2);
    expect(errors).toEqual(['stopping the cluster failed: LevelDB is busy', 'the cluster did not stop within 20 ms; quitting anyway']);
  });
});

function roles(items: MenuItemOptions[]): string[] {
  return items.flatMap((item) => [...(item.role === undefined ? [] : [item.role]), ...roles(item.submenu ?? [])]);
}

describe('appMenuTemplate', () => {
  const options = { platform: 'linux', developerTools: false, showDataFolder: () => {} };

  it('has File, Edit, View, Window and Help, with quit and an item for the data folder', () => {
    let shown = 0;
    const menu = appMenuTemplate({ ...options, showDataFolder: () => void shown++ });

    expect(menu.map((item) => item.label ?? item.role)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'Help']);
    const file = menu[0].submenu!;
    file.find((item) => item.label === 'Show Cluster Data Folder')!.click!();
    expect(shown).toBe(1);
    expect(roles(menu)).toContain('quit');
  });

  it('offers developer tools only in development', () => {
    expect(roles(appMenuTemplate(options))).not.toContain('toggleDevTools');
    expect(roles(appMenuTemplate({ ...options, developerTools: true }))).toEqual(expect.arrayContaining(['toggleDevTools', 'forceReload']));
  });

  it('follows macOS: the app menu first, the File menu closes the window', () => {
    const menu = appMenuTemplate({ ...options, platform: 'darwin' });

    expect(menu[0].role).toBe('appMenu');
    expect(roles(menu[1].submenu!)).toEqual(['close']);
  });
});
