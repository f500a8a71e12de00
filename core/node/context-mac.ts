// The MAC that seals contexts (core/version/context.ts) in a running node: HMAC-SHA256 under a
// key derived from the cluster secret, truncated to 16 bytes. Every node of a cluster derives
// the same key, so a context issued by one node is accepted by all of them; the HKDF label
// keeps this key apart from any other use of the same secret (peer authentication).

import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';

const label = 'dynamo-desk context v1';
const tagBytes = 16;

export function contextMac(secret: string): (data: Uint8Array) => Uint8Array {
  const key = createSecretKey(
    new Uint8Array(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'dynamo-desk', label, 32)),
  );
  return (data) => {
    const digest = createHmac('sha256', key).update(data).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, tagBytes);
  };
}
