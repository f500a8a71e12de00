// Versioning (Dynamo §4.4 with dotted version vectors): version vectors, sibling sets and
// sealed contexts. Pure: no I/O, no clock, no randomness.

export * from './vector-clock.js';
export * from './sibling-set.js';
export * from './context.js';
export { base64urlDecode, base64urlEncode } from './base64url.js';
export { utf8ByteLength, utf8Decode, utf8Encode } from './utf8.js';
export * from './causal-context.js';
