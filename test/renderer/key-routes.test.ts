// The Keys page's addresses: a key's page and the browser's filter round-trip through the hash,
// buckets and keys holding "/", "?", "#", "%" or spaces included; a malformed address names no
// key and says why.

import { describe, expect, it } from 'vitest';
import { browserHref, emptyFilter, keyHref, keysPerPageDefault, parseKeysRoute } from '../../renderer/lib/key-routes.js';

describe('key routes', () => {
  it.each([
    ['carts', 'cart-1'],
    ['a/b', 'k?x#y%z w'],
    ['ünï', '日本/語'],
  ])('round-trips the key page of %s/%s', (bucket, key) => {
    expect(parseKeysRoute(keyHref(bucket, key))).toEqual({ view: 'key', bucket, key });
  });

  it('keeps the filter in the query, leaving defaults out', () => {
    expect(browserHref()).toBe('#/keys');
    expect(browserHref({ bucket: 'carts' })).toBe('#/keys?bucket=carts');
    const filter = { bucket: 'a b', prefix: 'user/1', siblingsOnly: true, limit: 10 };
    expect(browserHref(filter)).toBe('#/keys?bucket=a+b&prefix=user%2F1&siblings=only&limit=10');
    expect(parseKeysRoute(browserHref(filter))).toEqual({ view: 'browser', filter });
    expect(parseKeysRoute('#/keys')).toEqual({ view: 'browser', filter: emptyFilter });
    expect(parseKeysRoute('#/keys?limit=7')).toEqual({ view: 'browser', filter: { ...emptyFilter, limit: keysPerPageDefault } });
  });

  it('names no key in a malformed address', () => {
    expect(parseKeysRoute('#/keys/only-bucket').view).toBe('invalid');
    expect(parseKeysRoute('#/keys/a/b/c').view).toBe('invalid');
    expect(parseKeysRoute('#/keys/%E0%A4%A/k')).toMatchObject({ view: 'invalid', reason: expect.stringContaining('percent-encoding') });
  });
});
