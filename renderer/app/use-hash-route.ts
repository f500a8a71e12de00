// Which page is shown: the `#/<path>` part of the address, so a page can be linked to, the
// back button works, and the file:// load in the desktop shell needs no server routes. A page
// may keep more in its address (the Keys page: `#/keys/<bucket>/<key>`, `#/keys?bucket=…`):
// useHash gives the whole of it, and replaceHash changes it without a new history entry (a
// filter typed letter by letter is one step back, not twenty).

import { useSyncExternalStore } from 'react';

export function routeFromHash(hash: string): string | undefined {
  const match = /^#\/([\w-]+)/.exec(hash);
  return match?.[1];
}

const watchers = new Set<() => void>();

function subscribe(onChange: () => void): () => void {
  watchers.add(onChange);
  if (watchers.size === 1) window.addEventListener('hashchange', notify);
  return () => {
    watchers.delete(onChange);
    if (watchers.size === 0) window.removeEventListener('hashchange', notify);
  };
}

function notify(): void {
  for (const watcher of [...watchers]) watcher();
}

const currentHash = () => window.location.hash;

/** The whole `#…` of the address, following it as it changes. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, currentHash);
}

export function useHashRoute(): string | undefined {
  return routeFromHash(useHash());
}

/** Sets the `#…` of the address in place (no history entry), and tells every page that follows it. */
export function replaceHash(hash: string): void {
  if (window.location.hash === hash) return;
  window.history.replaceState(window.history.state, '', hash);
  notify();
}
