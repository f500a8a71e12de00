// Tests of the small pure encoders used by contexts (base64url, UTF-8).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode } from '../../core/version/base64url.js';
import { utf8ByteLength, utf8Decode, utf8Encode } from '../../core/version/utf8.js';

/** Any Unicode scalar value, small ones more often. */
const codePoint = fc
  .oneof(fc.integer({ min: 0, max: 0x7ff }), fc.integer({ min: 0, max: 0x10ffff }))
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));

/** Strings of arbitrary UTF-16 code units, lone surrogates included. */
const anyUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 })
  .map((units) => String.fromCharCode(...units));

describe('utf8', () => {
  it('matches Node on well-formed strings, both ways', () => {
    // Proves the pure encoder and decoder against Buffer on random unicode strings.
    fc.assert(
      fc.property(fc.string({ unit: codePoint, maxLength: 40 }), (s) => {
        const bytes = utf8Encode(s);
        expect(Buffer.from(bytes).equals(Buffer.from(s, 'utf8'))).toBe(true);
        expect(utf8ByteLength(s)).toBe(bytes.length);
        expect(utf8Decode(bytes)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('is one-to-one on every string and refuses lone surrogates when decoding', () => {
    // Proves two different strings, lone surrogates included, never share an encoding (the
    // MAC scope relies on it), and that the strict decoder refuses what is not UTF-8.
    fc.assert(
      fc.property(anyUnits, anyUnits, (a, b) => {
        const same = Buffer.from(utf8Encode(a)).equals(Buffer.from(utf8Encode(b)));
        expect(same).toBe(a === b);
        const wellFormed = utf8ByteLength(a) >= 0;
        expect(utf8Decode(utf8Encode(a))).toBe(wellFormed ? a : undefined);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses malformed bytes that Node would repair', () => {
    // Proves strictness: whenever Node's lenient decoder has to substitute U+FFFD for random
    // bytes, ours refuses them; otherwise both agree.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const lenient = Buffer.from(bytes).toString('utf8');
        const exact = Buffer.from(lenient, 'utf8').equals(Buffer.from(bytes));
        expect(utf8Decode(bytes)).toBe(exact ? lenient : undefined);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('base64url', () => {
  it('matches Node and round-trips', () => {
    // Proves the pure codec against Buffer's base64url on random bytes.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const s = base64urlEncode(bytes);
        expect(s).toBe(Buffer.from(bytes).toString('base64url'));
        expect(base64urlDecode(s)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts only canonical strings', () => {
    // Proves every string decodes to bytes whose encoding is that very string, or is refused,
    // so no two strings carry the same bytes (a tampered last character cannot slip through).
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 12 }), (s) => {
        const bytes = base64urlDecode(s);
        if (bytes !== undefined) expect(base64urlEncode(bytes)).toBe(s);
      }),
      { numRuns: 2000 },
    );
    expect(base64urlDecode('AB')).toBeUndefined();
    expect(base64urlDecode('AQ==')).toBeUndefined();
    expect(base64urlDecode('A')).toBeUndefined();
    expect(base64urlDecode('AQ')).toEqual(new Uint8Array([1]));
  });
});
