// The Conflicts page's address for one key, `#/conflicts/<bucket>/<key>`: each part
// percent-encoded, so keys holding "/", "?", "#" or spaces survive the round trip, and anything
// else (the list, a malformed address) selects no key.

import { describe, expect, it } from 'vitest';
import { conflictHash, keyFromHash } from '../../renderer/pages/conflicts/conflict-route.js';

describe('conflict route', () => {
  it('round-trips any bucket and key', () => {
    for (const ref of [
      { bucket: 'carts', key: 'alice' },
      { bucket: 'a b', key: 'x/y?z#1' },
      { bucket: 'ü', key: '100%' },
    ]) {
      expect(keyFromHash(conflictHash(ref))).toEqual(ref);
    }
    expect(conflictHash({ bucket: 'carts', key: 'a/b' })).toBe('#/conflicts/carts/a%2Fb');
  });

  it('selects no key for the list or a malformed address', () => {
    for (const hash of ['', '#/conflicts', '#/conflicts/', '#/conflicts/carts', '#/conflicts/carts/a/b', '#/conflicts//a', '#/conflicts/carts/%E0%A4%A', '#/keys/carts/a']) {
      expect(keyFromHash(hash)).toBeUndefined();
    }
  });
});
