// Contexts (Dynamo §4.4, "context"): the opaque string a GET returns with the siblings and a PUT
// or DELETE hands back. It is the read's merged version vector, encoded compactly and sealed
// with a MAC under the cluster secret, so that a client can neither forge nor alter one (a
// forged context could supersede versions the client never saw), and any node of the cluster
// can check one that another node issued.
//
// Layout, before base64url (unpadded, URL- and header-safe):
//
//   version byte (1) · varint entry count · per entry, in node-id order:
//   varint UTF-8 length · node id bytes · varint counter   ·   tag (the MAC's output, 16+ bytes)
//
// Varints are unsigned LEB128, minimal, at most 8 bytes (counters are safe integers). The tag
// covers the payload and a scope that is not transmitted: pass `contextScope(bucket, key)` so
// a context read from one key is refused on another. The empty vector encodes to the empty
// string (it carries no authority: a blind put is always allowed), and decodes back.
//
// Decoding is strict and bounded: anything malformed, truncated, too long, forged, for another
// scope or in a non-canonical form decodes to undefined, never to a corrupted clock.

import { assert } from '../common/assert.js';
import { clockEntriesMax, contextCharsMax, contextDotsMax, nodeIdBytesMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { base64urlDecode, base64urlEncode } from './base64url.js';
import { utf8ByteLength, utf8Decode, utf8Encode, utf8Write } from './utf8.js';
import type { CausalContext, Dot } from './causal-context.js';
import { isValidNodeId, vvGet, type VersionVector } from './vector-clock.js';

/** Computes a tag over `data` (HMAC-SHA256 truncated to 16 bytes in a node: context-mac.ts). */
export type ContextMac = (data: Uint8Array) => Uint8Array;

const formatVersion = 1;
const formatVersionWithDots = 2;
const tagBytesMin = 16;
const tagBytesMax = 32;
const varintBytesMax = 8;

// The longest context we can issue for a full clock must be one we accept back.
assert(
  Math.ceil(
    ((1 + 1 + clockEntriesMax * (1 + nodeIdBytesMax + varintBytesMax) + tagBytesMax) * 4) / 3,
  ) <= contextCharsMax,
  'contextCharsMax is too small for a full clock',
);

/** An unambiguous scope for the context of (bucket, key). */
export function contextScope(bucket: string, key: string): string {
  return `${bucket.length}:${bucket}${key}`;
}

export class ContextCodec {
  private readonly mac: ContextMac;
  private readonly tagBytes: number;

  constructor(mac: ContextMac) {
    this.mac = mac;
    this.tagBytes = mac(new Uint8Array(0)).length;
    assert(
      this.tagBytes >= tagBytesMin && this.tagBytes <= tagBytesMax,
      'ContextCodec: the MAC must return 16 to 32 bytes',
    );
  }

  /** The sealed context for `vv`. `vv` must be valid (vector-clock.ts). */
  encode(vv: VersionVector, scope = ''): string {
    return this.encodeContext({ vv, dots: [] }, scope);
  }

  /**
   * The sealed form of a causal context (causal-context.ts). Without loose dots it is the
   * format-1 layout above; with them, format 2 appends `varint dot count · per dot: varint
   * UTF-8 length · node id bytes · varint counter`, in (node, counter) order.
   */
  encodeContext(context: CausalContext, scope = ''): string {
    const vv = context.vv;
    const dots = context.dots;
    const nodes = Object.keys(vv);
    if (nodes.length === 0 && dots.length === 0) return '';
    nodes.sort();

    let payloadBytes = 1 + varintSize(nodes.length);
    if (dots.length > 0) {
      payloadBytes += varintSize(dots.length);
      for (let i = 0; i < dots.length; i++) {
        const [node, counter] = dots[i];
        assert(isValidNodeId(node) && Number.isSafeInteger(counter) && counter > 0, 'ContextCodec: invalid dot');
        const length = utf8ByteLength(node);
        payloadBytes += varintSize(length) + length + varintSize(counter);
      }
    }
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const counter = vv[node];
      assert(isValidNodeId(node), 'ContextCodec.encode: invalid node id');
      assert(Number.isSafeInteger(counter) && counter > 0, 'ContextCodec.encode: invalid counter');
      const length = utf8ByteLength(node);
      payloadBytes += varintSize(length) + length + varintSize(counter);
    }

    const scopeBytes = utf8Encode(scope);
    const prefixBytes = varintSize(scopeBytes.length) + scopeBytes.length;
    // One buffer: [scope prefix | payload | tag]; the MAC covers the first two parts, the
    // context is the last two.
    const buffer = new Uint8Array(prefixBytes + payloadBytes + this.tagBytes);
    let at = writeVarint(buffer, 0, scopeBytes.length);
    buffer.set(scopeBytes, at);
    at += scopeBytes.length;
    buffer[at++] = dots.length === 0 ? formatVersion : formatVersionWithDots;
    at = writeVarint(buffer, at, nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      at = writeVarint(buffer, at, utf8ByteLength(node));
      at = utf8Write(node, buffer, at);
      at = writeVarint(buffer, at, vv[node]);
    }
    if (dots.length > 0) {
      at = writeVarint(buffer, at, dots.length);
      for (let i = 0; i < dots.length; i++) {
        at = writeVarint(buffer, at, utf8ByteLength(dots[i][0]));
        at = utf8Write(dots[i][0], buffer, at);
        at = writeVarint(buffer, at, dots[i][1]);
      }
    }
    assert(at === prefixBytes + payloadBytes, 'ContextCodec.encode: size mismatch');
    const tag = this.mac(buffer.subarray(0, at));
    assert(tag.length === this.tagBytes, 'ContextCodec.encode: tag size changed');
    buffer.set(tag, at);
    return base64urlEncode(buffer.subarray(prefixBytes));
  }

  /** The vector sealed in `context`; undefined unless it is a format-1 context we issued for `scope`. */
  decode(context: string, scope = ''): VersionVector | undefined {
    const decoded = this.decodeContext(context, scope);
    return decoded === undefined || decoded.dots.length > 0 ? undefined : decoded.vv;
  }

  /** The causal context sealed in `context`; undefined unless we issued it for `scope`. */
  decodeContext(context: string, scope = ''): CausalContext | undefined {
    if (context === '') return { vv: {}, dots: [] };
    if (context.length > contextCharsMax) return undefined;
    const bytes = base64urlDecode(context);
    if (bytes === undefined) return undefined;
    const payloadBytes = bytes.length - this.tagBytes;
    if (payloadBytes < 2) return undefined;

    const scopeBytes = utf8Encode(scope);
    const prefixBytes = varintSize(scopeBytes.length) + scopeBytes.length;
    const signed = new Uint8Array(prefixBytes + payloadBytes);
    const at = writeVarint(signed, 0, scopeBytes.length);
    signed.set(scopeBytes, at);
    signed.set(bytes.subarray(0, payloadBytes), prefixBytes);
    if (!constantTimeEqual(this.mac(signed), bytes.subarray(payloadBytes))) return undefined;
    return parsePayload(bytes, payloadBytes);
  }
}

/** Parses a verified payload; undefined unless it is exactly one canonical, bounded vector. */
function parsePayload(bytes: Uint8Array, end: number): CausalContext | undefined {
  const reader = new Reader(bytes, end);
  const format = bytes[reader.at++];
  if (format !== formatVersion && format !== formatVersionWithDots) return undefined;
  const count = reader.varint();
  if (count < (format === formatVersion ? 1 : 0) || count > clockEntriesMax) return undefined;
  const vv: VersionVector = {};
  let previous: NodeId = '';
  for (let i = 0; i < count; i++) {
    const length = reader.varint();
    if (length < 1 || length > nodeIdBytesMax || reader.at + length > end) return undefined;
    const node = utf8Decode(bytes, reader.at, reader.at + length);
    reader.at += length;
    // Strictly ascending: no duplicates, one encoding per vector.
    if (node === undefined || !isValidNodeId(node) || (i > 0 && node <= previous)) {
      return undefined;
    }
    const counter = reader.varint();
    if (counter < 1) return undefined;
    vv[node] = counter;
    previous = node;
  }
  const dots: Dot[] = [];
  if (format === formatVersionWithDots) {
    const dotCount = reader.varint();
    if (dotCount < 1 || dotCount > contextDotsMax) return undefined;
    for (let i = 0; i < dotCount; i++) {
      const length = reader.varint();
      if (length < 1 || length > nodeIdBytesMax || reader.at + length > end) return undefined;
      const node = utf8Decode(bytes, reader.at, reader.at + length);
      reader.at += length;
      const counter = reader.varint();
      if (node === undefined || !isValidNodeId(node) || counter < 1) return undefined;
      const last = dots[dots.length - 1];
      // Strictly ascending by (node, counter), and never covered by the vector: canonical.
      if (last !== undefined && (node < last[0] || (node === last[0] && counter <= last[1]))) return undefined;
      if (counter <= vvGet(vv, node)) return undefined;
      dots.push([node, counter]);
    }
  }
  return reader.at === end ? { vv, dots } : undefined;
}

class Reader {
  at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly end: number,
  ) {}

  /** The next minimal LEB128 varint as a safe integer, or -1. */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let k = 0; k < varintBytesMax; k++) {
      if (this.at >= this.end) return -1;
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && k > 0) return -1;
        return value <= Number.MAX_SAFE_INTEGER ? value : -1;
      }
      scale *= 128;
    }
    return -1;
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/** Compares two tags in time that depends only on their length. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}
