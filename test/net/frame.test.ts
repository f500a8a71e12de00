// Proves the frame codec: frames survive any chunking of the stream, and everything that is
// not a well-formed envelope of plain data is refused with a typed error, without touching
// any prototype and without buffering past the length limit.

import fc from 'fast-check';
import { pack, Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  checkEnvelope,
  decodeBody,
  encodeFrame,
  FrameDecoder,
  FrameError,
  FrameKind,
  type Envelope,
} from '../../core/net/frame.js';

function withHeader(body: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.byteLength, 0);
  return Buffer.concat([header, body]);
}

function frameErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof FrameError ? error.code : `untyped: ${String(error)}`;
  }
}

// Plain data as a peer message may hold it.
const plainValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)), // msgpackr sends -0 as the integer 0
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }).filter((key) => key !== '__proto__'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const message = fc.record(
  {
    type: fc.string({ minLength: 1, maxLength: 20 }),
    body: plainValue,
  },
  { noNullPrototype: true },
);

describe('frames', () => {
  it('decodes any sequence of frames however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 1, 3), fc.nat(), message), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (frames, cuts) => {
          const stream = Buffer.concat(frames.map(([kind, id, m]) => encodeFrame(kind as 0 | 1 | 3, id >>> 0, m)));
          const decoder = new FrameDecoder();
          const got: Envelope[] = [];
          let offset = 0;
          for (let index = 0; offset < stream.length; index++) {
            const size = cuts[index % cuts.length];
            decoder.push(stream.subarray(offset, offset + size), (envelope) => {
              got.push(envelope);
            });
            offset += size;
          }
          expect(got.map((e) => [e.k, e.i])).toEqual(frames.map(([kind, id]) => [kind, id >>> 0]));
          expect(got.map((e) => e.m)).toEqual(frames.map(([, , m]) => m));
          expect(decoder.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a length past the limit as soon as the header arrives', () => {
    const decoder = new FrameDecoder(1000);
    expect(frameErrorCode(() => decoder.push(Buffer.from([0, 0, 3, 0xe6]), () => undefined))).toBe('too_large'); // 998 + 4
    const exact = new FrameDecoder(1000);
    const body = pack({ k: 0, i: 1, m: { type: 'q', pad: 'x'.repeat(960) } });
    expect(body.byteLength + 4).toBeLessThanOrEqual(1000);
    let seen = 0;
    exact.push(withHeader(body), () => {
      seen++;
    });
    expect(seen).toBe(1);
  });

  it('refuses to encode a message larger than the limit', () => {
    expect(frameErrorCode(() => encodeFrame(FrameKind.request, 1, { type: 'q', v: Buffer.alloc(2000) }, 1000))).toBe('too_large');
  });

  it('stops after an error or when the sink says so', () => {
    const decoder = new FrameDecoder();
    expect(frameErrorCode(() => decoder.push(withHeader(Buffer.from([0xc1])), () => undefined))).toMatch(/^bad_/);
    let seen = 0;
    decoder.push(encodeFrame(FrameKind.request, 1, { type: 'q' }), () => {
      seen++;
    });
    expect(seen).toBe(0);
    const stopping = new FrameDecoder();
    const two = Buffer.concat([encodeFrame(0, 1, { type: 'a' }), encodeFrame(0, 2, { type: 'b' })]);
    stopping.push(two, () => {
      seen++;
      return false;
    });
    expect(seen).toBe(1);
  });

  it('refuses envelopes that are not exactly {k, i, m} with valid types', () => {
    const bad: unknown[] = [
      [0, 1, { type: 'q' }],
      { k: 4, i: 1, m: { type: 'q' } },
      { k: 0, i: 1.5, m: { type: 'q' } },
      { k: 0, i: 2 ** 32, m: { type: 'q' } },
      { k: 0, i: '1', m: { type: 'q' } },
      { k: 0, i: 1, m: { type: 7 } },
      { k: 0, i: 1, m: { type: '' } },
      { k: 0, i: 1, m: { type: 'x'.repeat(65) } },
      { k: 0, i: 1, m: 'q' },
      { k: 0, i: 1 },
      { k: 0, i: 1, m: { type: 'q' }, extra: true },
      { k: 2, i: 1, m: { type: 'error', code: 5, message: 'x' } },
      { k: 2, i: 1, m: { type: 'oops', code: 'c', message: 'x' } },
    ];
    // msgpackr's extension types decode to objects that are not plain data: all refused.
    const extensions = new Packr({ moreTypes: true, useRecords: false, useBigIntExtension: true });
    const badExtensions: unknown[] = [
      { k: 0, i: 1, m: { type: 'q', set: new Set([1]) } },
      { k: 0, i: 1, m: { type: 'q', big: 2n ** 70n } },
      { k: 0, i: 1, m: { type: 'q', re: /x/ } },
      { k: 0, i: 1, m: { type: 'q', error: new Error('x') } },
      { k: 0, i: 1, m: { type: 'q', ints: new Int32Array(2) } },
      { k: 0, i: 1, m: { type: 'q', when: new Date(0) } },
    ];
    for (const value of [...bad, ...badExtensions]) {
      const body = bad.includes(value) ? pack(value) : extensions.pack(value);
      expect(frameErrorCode(() => decodeBody(body)), JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toMatch(
        /^bad_(envelope|msgpack)$/,
      );
    }
    expect(frameErrorCode(() => checkEnvelope({ k: 0, i: 0, m: { type: 'ok' } }))).toBeUndefined();
    // A map with integer keys is still a map: it arrives as an object with string keys.
    expect(decodeBody(extensions.pack({ k: 0, i: 1, m: { type: 'q', map: new Map([[1, 2]]) } })).m.map).toEqual({ '1': 2 });
  });

  it('refuses messages nested too deep, at the sender and on arrival', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(frameErrorCode(() => encodeFrame(0, 1, { type: 'q', deep }))).toBe('bad_message');
    expect(frameErrorCode(() => decodeBody(pack({ k: 0, i: 1, m: { type: 'q', deep } })))).toBe('bad_envelope');
    // Nesting far beyond the stack: still a typed error, never a crash.
    const nested = Buffer.alloc(200_000, 0x91);
    expect(frameErrorCode(() => decodeBody(nested))).toMatch(/^bad_(envelope|msgpack)$/);
  });

  it('never lets a __proto__ key reach a prototype', () => {
    // {k:0, i:1, m:{type:'x', __proto__:{polluted:true}}} written by hand.
    const raw = Buffer.from('83a16b00a16901a16d82a474797065a178a95f5f70726f746f5f5f81a8706f6c6c75746564c3', 'hex');
    const envelope = decodeBody(raw);
    expect(Object.getPrototypeOf(envelope.m)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((envelope.m as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a header that promises more elements than the body holds, without allocating them', () => {
    // An array32 claiming 2^32-1 elements in a 10-byte body.
    const body = Buffer.from([0x83, 0xa1, 0x6d, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00]);
    expect(frameErrorCode(() => decodeBody(body))).toBe('bad_msgpack');
  });
});
