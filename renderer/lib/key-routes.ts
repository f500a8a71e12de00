// The addresses of the Keys page and of the pages it links to, in the `#/<page>` form of
// app/use-hash-route.ts: the key browser with its filter (`#/keys?bucket=carts&prefix=cart-`),
// and one key (`#/keys/<bucket>/<key>`), as the Conflicts page addresses a key's conflicts. Bucket
// and key are percent-encoded path segments, so a key holding "/", "?" or "#" survives the trip.

export interface KeyFilter {
  bucket: string;
  prefix: string;
  siblingsOnly: boolean;
  /** Keys per page. */
  limit: number;
}

export const keysPerPageChoices = [10, 25, 100, 500] as const;
export const keysPerPageDefault = 25;

export const emptyFilter: KeyFilter = { bucket: '', prefix: '', siblingsOnly: false, limit: keysPerPageDefault };

/** What a `#/keys…` address asks for: the browser with a filter, one key, or an address that names no key. */
export type KeysRoute = { view: 'browser'; filter: KeyFilter } | { view: 'key'; bucket: string; key: string } | { view: 'invalid'; reason: string };

/** `#/keys/<bucket>/<key>`. */
export function keyHref(bucket: string, key: string): string {
  return `#/keys/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`;
}

/** `#/keys` with the filter's non-default fields as its query. */
export function browserHref(filter: Partial<KeyFilter> = {}): string {
  const params = new URLSearchParams();
  if (filter.bucket) params.set('bucket', filter.bucket);
  if (filter.prefix) params.set('prefix', filter.prefix);
  if (filter.siblingsOnly) params.set('siblings', 'only');
  if (filter.limit !== undefined && filter.limit !== keysPerPageDefault) params.set('limit', String(filter.limit));
  const query = params.toString();
  return query === '' ? '#/keys' : `#/keys?${query}`;
}

/** Reads a `#/keys…` hash (anything else is the browser without a filter). */
export function parseKeysRoute(hash: string): KeysRoute {
  const match = /^#\/keys(?:\/([^?]*))?(?:\?(.*))?$/.exec(hash);
  if (match === null) return { view: 'browser', filter: emptyFilter };
  const [, path, query] = match;
  if (path !== undefined && path !== '') {
    const segments = path.split('/');
    if (segments.length !== 2 || segments[0] === '' || segments[1] === '') {
      return { view: 'invalid', reason: 'a key’s address is #/keys/<bucket>/<key>, each part percent-encoded' };
    }
    try {
      return { view: 'key', bucket: decodeURIComponent(segments[0]), key: decodeURIComponent(segments[1]) };
    } catch {
      return { view: 'invalid', reason: 'the address is not valid percent-encoding' };
    }
  }
  const params = new URLSearchParams(query ?? '');
  const limit = Number(params.get('limit'));
  return {
    view: 'browser',
    filter: {
      bucket: params.get('bucket') ?? '',
      prefix: params.get('prefix') ?? '',
      siblingsOnly: params.get('siblings') === 'only',
      limit: (keysPerPageChoices as readonly number[]).includes(limit) ? limit : keysPerPageDefault,
    },
  };
}
