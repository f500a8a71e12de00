// Tests of sealed contexts: round trips, tamper evidence, scoping to one key.

import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockEntriesMax, contextCharsMax, nodeIdBytesMax } from '../../core/common/limits.js';
import { contextMac } from '../../core/node/context-mac.js';
import { base64urlDecode, base64urlEncode } from '../../core/version/base64url.js';
import { ContextCodec, contextScope } from '../../core/version/context.js';
import { isValidNodeId, type VersionVector } from '../../core/version/vector-clock.js';

const codec = new ContextCodec(contextMac('cluster secret'));

/** Any Unicode scalar value, small ones more often. */
const codePoint = fc
  .oneof(fc.integer({ min: 0, max: 0x7ff }), fc.integer({ min: 0, max: 0x10ffff }))
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));

const nodeId = fc.string({ unit: codePoint, minLength: 1, maxLength: 20 }).filter(isValidNodeId);
const counterArb = fc.oneof(
  fc.integer({ min: 1, max: 300 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);
const vvArb: fc.Arbitrary<VersionVector> = fc
  .dictionary(nodeId, counterArb, { minKeys: 1, maxKeys: clockEntriesMax })
  .map((record) => ({ ...record }));

const sample: VersionVector = { n1: 3, n2: 1, 'node-ü': 200, n10: 2 ** 40 };

/** Seals arbitrary payload bytes as the codec would, to test the parser behind a valid tag. */
function seal(payload: number[], secret = 'cluster secret'): string {
  const tag = contextMac(secret)(new Uint8Array([0, ...payload]));
  return base64urlEncode(new Uint8Array([...payload, ...tag]));
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

describe('ContextCodec', () => {
  it('round-trips any valid vector under any scope', () => {
    // Proves encode and decode are inverse on random vectors (unicode node ids, counters up to
    // 2^53 - 1, up to clockEntriesMax entries), and that the result is canonical.
    fc.assert(
      fc.property(vvArb, fc.string(), (vv, scope) => {
        const context = codec.encode(vv, scope);
        expect(context.length).toBeLessThanOrEqual(contextCharsMax);
        expect(context).toMatch(/^[A-Za-z0-9_-]+$/);
        const decoded = codec.decode(context, scope);
        expect(decoded).toEqual(vv);
        // Keys are inserted in sorted order; JavaScript still lists integer-like keys first, so
        // compare with an object built the same way (equal vectors enumerate alike).
        const canonical = Object.fromEntries(Object.entries(vv).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(Object.keys(decoded!)).toEqual(Object.keys(canonical));
        expect(codec.encode(decoded!, scope)).toBe(context);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes the empty vector as the empty string and back', () => {
    // Proves the empty context (a blind put) needs no seal: '' means {} under any scope.
    expect(codec.encode({})).toBe('');
    expect(codec.decode('')).toEqual({});
    expect(codec.decode('', 'b/k')).toEqual({});
  });

  it('is compact', () => {
    // Proves the layout is small for a typical N = 3 clock: about 40 characters.
    const context = codec.encode({ n1: 12, n2: 7, n3: 1 });
    expect(context.length).toBeLessThanOrEqual(40);
  });

  it('refuses every single flipped bit, in the bytes or in the string', () => {
    // Proves tamper evidence exhaustively on a few contexts: each bit of the sealed bytes is
    // flipped in turn (and re-encoded), and each of the low 7 bits of each character.
    for (const vv of [sample, { a: 1 }, { n1: 5, n2: 9, n3: 1 }]) {
      const context = codec.encode(vv, 'scope');
      const bytes = base64urlDecode(context)!;
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        expect(codec.decode(base64urlEncode(flipBit(bytes, bit)), 'scope')).toBeUndefined();
      }
      for (let i = 0; i < context.length; i++) {
        for (let bit = 0; bit < 7; bit++) {
          const changed = String.fromCharCode(context.charCodeAt(i) ^ (1 << bit));
          const tampered = context.slice(0, i) + changed + context.slice(i + 1);
          expect(codec.decode(tampered, 'scope')).toBeUndefined();
        }
      }
    }
  });

  it('refuses every truncation and extension', () => {
    // Proves a cut or padded context never decodes: every non-empty proper prefix, and the
    // context with characters appended. (The empty prefix is the empty context, {}.)
    const tailArb = fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(vvArb, tailArb, (vv, tail) => {
        const context = codec.encode(vv);
        for (let end = 1; end < context.length; end++) {
          expect(codec.decode(context.slice(0, end))).toBeUndefined();
        }
        expect(codec.decode(context + tail)).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  });

  it('refuses random strings', () => {
    // Proves no string a client makes up decodes, whether random text or well-formed base64url
    // of random bytes.
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 200 }),
          fc.uint8Array({ minLength: 1, maxLength: 200 }).map(base64urlEncode),
        ),
        (s) => {
          expect(codec.decode(s)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('survives being passed between nodes that share the secret, and only those', () => {
    // Proves a context issued by one node's codec decodes at another's built from the same
    // cluster secret, and is refused under another secret or for another key.
    const other = new ContextCodec(contextMac('cluster secret'));
    const stranger = new ContextCodec(contextMac('another secret'));
    const scope = contextScope('bucket', 'key');
    const context = codec.encode(sample, scope);
    expect(other.decode(context, scope)).toEqual(sample);
    expect(stranger.decode(context, scope)).toBeUndefined();
    expect(other.decode(context, contextScope('bucket', 'other key'))).toBeUndefined();
    expect(other.decode(context, contextScope('bucke', 'tkey'))).toBeUndefined();
    expect(other.decode(context)).toBeUndefined();
  });

  it('refuses well-sealed payloads that are not canonical or not bounded', () => {
    // Proves the parser behind a valid tag: each payload below carries a correct MAC but breaks
    // one rule of the layout, and decodes to undefined; the control case decodes.
    const id = (s: string) => [s.length, ...Buffer.from(s)];
    expect(codec.decode(seal([1, 1, ...id('a'), 1]))).toEqual({ a: 1 });
    const bad: Record<string, number[]> = {
      'wrong version': [2, 1, ...id('a'), 1],
      'no entries': [1, 0],
      'count above the entries': [1, 2, ...id('a'), 1],
      'trailing byte': [1, 1, ...id('a'), 1, 0],
      'zero counter': [1, 1, ...id('a'), 0],
      'non-minimal varint': [1, 1, ...id('a'), 0x81, 0x00],
      'counter past 2^53': [1, 1, ...id('a'), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
      'nine-byte varint': [1, 1, ...id('a'), 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
      'unsorted ids': [1, 2, ...id('b'), 1, ...id('a'), 1],
      'duplicate ids': [1, 2, ...id('a'), 1, ...id('a'), 2],
      'empty id': [1, 1, 0, 1],
      'id too long': [1, 1, ...id('x'.repeat(nodeIdBytesMax + 1)), 1],
      'invalid UTF-8': [1, 1, 2, 0xc0, 0x80, 1],
      'lone surrogate': [1, 1, 3, 0xed, 0xa0, 0x80, 1],
      '__proto__': [1, 1, ...id('__proto__'), 1],
      'too many entries': [
        1,
        clockEntriesMax + 1,
        ...Array.from({ length: clockEntriesMax + 1 }, (_, i) => [
          ...id(`n${String(i).padStart(2, '0')}`),
          1,
        ]).flat(),
      ],
    };
    for (const [name, payload] of Object.entries(bad)) {
      expect(codec.decode(seal(payload)), name).toBeUndefined();
    }
    expect(codec.decode('A'.repeat(contextCharsMax + 4))).toBeUndefined();
  });

  it('keeps node ids at their limit and refuses a clock past its bound', () => {
    // Proves the bounds from the encoding side: a full clock of maximal ids round-trips within
    // contextCharsMax; one entry more encodes but is refused on the way back.
    const full: VersionVector = {};
    for (let i = 0; i < clockEntriesMax; i++) {
      const id = `${String(i).padStart(2, '0')}${'x'.repeat(nodeIdBytesMax - 2)}`;
      full[id] = Number.MAX_SAFE_INTEGER;
    }
    const context = codec.encode(full);
    expect(context.length).toBeLessThanOrEqual(contextCharsMax);
    expect(codec.decode(context)).toEqual(full);
    expect(codec.decode(codec.encode({ ...full, extra: 1 }))).toBeUndefined();
  });
});

describe('contextMac', () => {
  it('is HMAC-SHA256 under an HKDF key of the secret, truncated to 16 bytes', () => {
    // Proves the construction against node:crypto directly, and that it depends on the secret.
    const data = new Uint8Array([1, 2, 3]);
    const key = Buffer.from(
      hkdfSync('sha256', Buffer.from('s3cret'), 'dynamo-desk', 'dynamo-desk context v1', 32),
    );
    const expected = createHmac('sha256', key).update(data).digest().subarray(0, 16);
    const tag = contextMac('s3cret')(data);
    expect(tag.length).toBe(16);
    expect(Buffer.from(tag).equals(expected)).toBe(true);
    expect(Buffer.from(contextMac('other')(data)).equals(expected)).toBe(false);
  });
});
