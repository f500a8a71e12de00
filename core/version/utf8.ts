// A small UTF-8 encoder and strict decoder for the pure folders, which have no TextEncoder
// (lib ES2023 without DOM or Node types). Node ids and context scopes are short, so plain loops
// over code units are all we need.
//
// Encoding is one-to-one on every JS string: a lone surrogate is written as its own three-byte
// sequence (WTF-8) rather than replaced by U+FFFD, so two different strings never encode to the
// same bytes (which matters when the bytes are MACed). The decoder is strict UTF-8: it refuses
// lone surrogates, overlong forms, code points past U+10FFFF and truncated sequences, so what it
// returns is always a well-formed string.

/** The UTF-8 length of `s` in bytes, or -1 when `s` holds a lone surrogate (not well-formed). */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) return -1;
      bytes += 4;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return -1;
    else bytes += 3;
  }
  return bytes;
}

/** Writes `s` into `out` at `offset` and returns the offset after it. `out` must have room. */
export function utf8Write(s: string, out: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < s.length; i++) {
    let code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) {
      out[at++] = code;
    } else if (code < 0x800) {
      out[at++] = 0xc0 | (code >> 6);
      out[at++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      out[at++] = 0xe0 | (code >> 12);
      out[at++] = 0x80 | ((code >> 6) & 0x3f);
      out[at++] = 0x80 | (code & 0x3f);
    } else {
      out[at++] = 0xf0 | (code >> 18);
      out[at++] = 0x80 | ((code >> 12) & 0x3f);
      out[at++] = 0x80 | ((code >> 6) & 0x3f);
      out[at++] = 0x80 | (code & 0x3f);
    }
  }
  return at;
}

/** The UTF-8 (WTF-8 for lone surrogates) bytes of `s`. */
export function utf8Encode(s: string): Uint8Array {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  const out = new Uint8Array(bytes);
  utf8Write(s, out, 0);
  return out;
}

/** Decodes bytes[start, end) as strict UTF-8; undefined when they are not exactly that. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string | undefined {
  let out = '';
  let i = start;
  while (i < end) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i += 1;
      continue;
    }
    let code: number;
    let length: number;
    let min: number;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      code = b0 & 0x1f;
      length = 2;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      code = b0 & 0x0f;
      length = 3;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      code = b0 & 0x07;
      length = 4;
      min = 0x10000;
    } else {
      return undefined;
    }
    if (i + length > end) return undefined;
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k];
      if ((b & 0xc0) !== 0x80) return undefined;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    out += String.fromCodePoint(code);
    i += length;
  }
  return out;
}
