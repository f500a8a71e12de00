// Which page is shown: the `#/<path>` part of the address, so a page can be linked to, the
// back button works, and the file:// load in the desktop shell needs no server routes.

import { useEffect, useState } from 'react';

export function routeFromHash(hash: string): string | undefined {
  const match = /^#\/([\w-]+)/.exec(hash);
  return match?.[1];
}

export function useHashRoute(): string | undefined {
  const [route, setRoute] = useState(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
