// Base64url (RFC 4648 §5) without padding, for the pure folders (no Buffer there). Contexts
// travel in HTTP headers and on command lines, so they use the URL- and shell-safe alphabet.
//
// Decoding is strict and canonical: every string decodes to at most one byte sequence and every
// byte sequence has exactly one encoding. Characters outside the alphabet, padding, a length of
// 1 mod 4 and non-zero leftover bits in the last character are all refused. Without the last
// rule, changing the final character could leave the bytes unchanged, so a tampered context
// would still verify.

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 6-bit value of each ASCII character, or -1. */
const sextets: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  const whole = bytes.length - (bytes.length % 3);
  let i = 0;
  for (; i < whole; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out +=
      alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
  }
  const rest = bytes.length - whole;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63];
  }
  return out;
}

/** The bytes of `s`, or undefined when `s` is not canonical unpadded base64url. */
export function base64urlDecode(s: string): Uint8Array | undefined {
  const rest = s.length % 4;
  if (rest === 1) return undefined;
  const out = new Uint8Array(((s.length - rest) / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let at = 0;
  let bits = 0;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const value = code < 128 ? sextets[code] : -1;
    if (value < 0) return undefined;
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[at++] = (bits >> count) & 0xff;
      bits &= (1 << count) - 1;
    }
  }
  if (bits !== 0) return undefined;
  return out;
}
