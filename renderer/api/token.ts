// The web console's token (`dynamo console --token T`): given in the address as `#token=T` (a
// fragment never reaches a server or its logs) or as `?token=T` (the address the console
// prints, which also lets the server set the cookie its static files load with). The renderer
// moves it into sessionStorage (this tab only, gone when it closes) and takes it out of the
// address bar, so a copied link or a screenshot does not carry it.

export const tokenStorageKey = 'dynamo-console-token';

/** The token in a location hash ("#token=abc" or "#/cluster&token=abc"), if any. */
export function tokenFromFragment(hash: string): string | undefined {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of fragment.split(/[&?]/)) {
    const [name, value] = part.split('=', 2);
    if (name === 'token' && value !== undefined && value.length > 0) return decodeURIComponent(value);
  }
  return undefined;
}

/** The hash without its token part ("#token=abc" → "", "#/cluster&token=abc" → "#/cluster"). */
export function fragmentWithoutToken(hash: string): string {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  const kept = fragment.split('&').filter((part) => !part.startsWith('token='));
  const rest = kept.join('&');
  return rest.length === 0 ? '' : `#${rest}`;
}

export interface TokenPlaces {
  location: { hash: string; pathname: string; search: string };
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  replaceUrl: (url: string) => void;
}

/** The query string without its token ("?token=abc" → "", "?a=1&token=abc" → "?a=1"). */
export function searchWithoutToken(search: string): string {
  const params = new URLSearchParams(search);
  params.delete('token');
  const rest = params.toString();
  return rest.length === 0 ? '' : `?${rest}`;
}

/** Takes a token from the address (keeping it for the session) or from the session. */
export function takeToken({ location, storage, replaceUrl }: TokenPlaces): string | undefined {
  const fromQuery = new URLSearchParams(location.search).get('token') ?? undefined;
  const found = tokenFromFragment(location.hash) ?? (fromQuery === '' ? undefined : fromQuery);
  if (found !== undefined) {
    storage.setItem(tokenStorageKey, found);
    replaceUrl(`${location.pathname}${searchWithoutToken(location.search)}${fragmentWithoutToken(location.hash)}`);
    return found;
  }
  return storage.getItem(tokenStorageKey) ?? undefined;
}
