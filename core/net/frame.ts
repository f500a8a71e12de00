// Framing of peer messages on a byte stream, and the validation of everything that arrives.
//
//   frame    = [length: uint32 BE][body: `length` bytes of msgpack]
//   body     = envelope, a msgpack map of exactly three fields:
//              { k: kind, i: request id, m: message }
//   kind     = 0 request | 1 reply | 2 error reply | 3 hello (handshake)
//   id       = uint32; a reply carries its request's id; hello frames carry 0
//   message  = a map with a string `type`, holding only plain data: null, booleans, numbers,
//              strings, byte strings (Uint8Array), arrays and string-keyed maps, nested at
//              most messageDepthMax deep. An error reply's message is
//              { type: 'error', code: string, message: string }.
//
// Bad input never crashes a node (DESIGN.md rule 6): the decoder checks the length before it
// buffers a body, decodes with msgpackr (which bounds its allocations by the bytes present and
// renames a `__proto__` key, so no prototype is ever touched), then checks the result
// strictly; anything else is a typed FrameError and the caller closes that connection.
// The same checks run on outgoing messages, so a bad message fails at its sender, and in the
// simulator, which copies every message through this codec.

import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { errorMessageLengthMax, frameBytesMax, messageDepthMax, messageTypeLengthMax } from '../common/limits.js';
import type { PeerMessage } from './transport.js';
import { CodedError } from '../common/coded-error.js';

export const FrameKind = { request: 0, reply: 1, error: 2, hello: 3 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface Envelope {
  k: FrameKind;
  i: number;
  m: PeerMessage;
}

/** The message of an error reply (kind 2). */
export interface ErrorMessage extends PeerMessage {
  type: 'error';
  code: string;
  message: string;
}

export type FrameErrorCode =
  | 'too_large' // a length prefix past the limit, or an outgoing message that encodes too large
  | 'bad_msgpack' // the body is not exactly one msgpack value
  | 'bad_envelope' // the value is not an envelope as described above
  | 'bad_message'; // an outgoing message is not plain data

export class FrameError extends CodedError<FrameErrorCode> {
  override name = 'FrameError';
}

export const frameHeaderBytes = 4;

const uint32Max = 0xffffffff;

// Records off (plain maps on the wire, readable by any msgpack decoder), structured clone off
// (no shared references or cycles), no extension types of our own. Byte strings travel as
// msgpack `bin` and decode as Buffers, which are Uint8Arrays.
const packr = new Packr({ useRecords: false, structuredClone: false, moreTypes: false, bundleStrings: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, structuredClone: false });

/**
 * Encodes one frame: header and body in one buffer, encoded once, ready for one write.
 * Throws FrameError('bad_message') for a message that is not plain data and
 * FrameError('too_large') past `limit` bytes (header included).
 */
export function encodeFrame(kind: FrameKind, id: number, message: PeerMessage, limit = frameBytesMax): Buffer {
  const problem = messageProblem(message);
  if (problem !== undefined) throw new FrameError('bad_message', problem);
  let frame: Buffer;
  try {
    // RESERVE_START_SPACE leaves room for the length in front of the body: no second buffer.
    frame = packr.pack({ k: kind, i: id, m: message }, RESERVE_START_SPACE | frameHeaderBytes) as Buffer;
  } catch (error) {
    throw new FrameError('bad_message', `message cannot be encoded: ${(error as Error).message}`, { cause: error });
  }
  if (frame.byteLength > limit) {
    throw new FrameError('too_large', `message ${message.type} encodes to ${frame.byteLength} bytes, more than ${limit}`);
  }
  frame.writeUInt32BE(frame.byteLength - frameHeaderBytes, 0);
  return frame;
}

/** Decodes and checks one frame body (without its header). Throws FrameError. */
export function decodeBody(body: Uint8Array): Envelope {
  let value: unknown;
  try {
    value = unpackr.unpack(body);
  } catch (error) {
    // Includes a RangeError from a pathologically deep body: caught here like any other.
    throw new FrameError('bad_msgpack', `body is not msgpack: ${(error as Error).message}`, { cause: error });
  }
  return checkEnvelope(value);
}

/** Returns `value` as an Envelope, or throws FrameError('bad_envelope') saying what is wrong. */
export function checkEnvelope(value: unknown): Envelope {
  if (!isPlainObject(value)) throw new FrameError('bad_envelope', 'envelope is not a map');
  let fields = 0;
  for (const field in value) {
    if (field !== 'k' && field !== 'i' && field !== 'm') {
      throw new FrameError('bad_envelope', `envelope has an unknown field ${JSON.stringify(field.slice(0, 32))}`);
    }
    fields++;
  }
  if (fields !== 3) throw new FrameError('bad_envelope', 'envelope needs exactly the fields k, i and m');
  const { k, i, m } = value as { k: unknown; i: unknown; m: unknown };
  if (k !== 0 && k !== 1 && k !== 2 && k !== 3) throw new FrameError('bad_envelope', 'envelope kind is not 0…3');
  if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i > uint32Max) {
    throw new FrameError('bad_envelope', 'envelope id is not a uint32');
  }
  const problem = messageProblem(m);
  if (problem !== undefined) throw new FrameError('bad_envelope', problem);
  if (k === FrameKind.error && errorMessageProblem(m as PeerMessage) !== undefined) {
    throw new FrameError('bad_envelope', errorMessageProblem(m as PeerMessage) as string);
  }
  return value as unknown as Envelope;
}

/** Throws FrameError('bad_message') unless `message` may be sent to a peer. */
export function checkMessage(message: unknown): asserts message is PeerMessage {
  const problem = messageProblem(message);
  if (problem !== undefined) throw new FrameError('bad_message', problem);
}

/** What is wrong with `message` as a peer message, or undefined if nothing is. */
export function messageProblem(message: unknown): string | undefined {
  if (!isPlainObject(message)) return 'message is not a map';
  const type = (message as { type?: unknown }).type;
  if (typeof type !== 'string' || type.length === 0 || type.length > messageTypeLengthMax) {
    return `message type is not a string of 1…${messageTypeLengthMax} characters`;
  }
  if (!isPlainData(message, 0)) {
    return `message ${type} holds something other than plain data, or nests deeper than ${messageDepthMax}`;
  }
  return undefined;
}

/** Builds the message of an error reply, within the limits checked on arrival. */
export function errorMessage(code: string, text: string): ErrorMessage {
  const safeCode = code.length > 0 && code.length <= messageTypeLengthMax ? code : 'internal';
  return { type: 'error', code: safeCode, message: text.slice(0, errorMessageLengthMax) };
}

function errorMessageProblem(message: PeerMessage): string | undefined {
  if (message.type !== 'error') return 'error reply type is not "error"';
  const { code, message: text } = message;
  if (typeof code !== 'string' || code.length === 0 || code.length > messageTypeLengthMax) {
    return 'error reply code is not a short string';
  }
  if (typeof text !== 'string' || text.length > errorMessageLengthMax) return 'error reply message is not a short string';
  return undefined;
}

/** An object literal, or a prototype-less dictionary (Object.create(null)). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Plain data only: what survives the codec unchanged, and nothing that can run code. */
function isPlainData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object':
      if (value === null || value instanceof Uint8Array) return true;
      if (depth >= messageDepthMax) return false;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          if (!isPlainData(value[index], depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const field in value) {
        if (!isPlainData((value as Record<string, unknown>)[field], depth + 1)) return false;
      }
      return true;
    default:
      return false; // bigint, symbol, function
  }
}

/** Called with each decoded envelope in order; returning false stops the decoder. */
export type EnvelopeSink = (envelope: Envelope, frameBytes: number) => boolean | void;

/**
 * Turns a stream of chunks into envelopes. A frame that lies inside one chunk is decoded from
 * a view of that chunk (no copy); one split across chunks is copied once into a buffer of its
 * exact size. The length prefix is checked before any of the body is kept, so a peer cannot
 * make us hold more than `frameBytesMax` plus one chunk. After a FrameError, or once the sink
 * returns false, the decoder ignores all further input.
 */
export class FrameDecoder {
  /** Largest frame accepted, header included; may be raised once a peer is authenticated. */
  frameBytesMax: number;
  private chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private offset = 0;
  /** Bytes held, not counting the consumed part of chunks[0]. */
  private buffered = 0;
  /** Body length of the frame being assembled, or -1 while waiting for a header. */
  private bodyBytes = -1;
  private stopped = false;

  constructor(limit = frameBytesMax) {
    this.frameBytesMax = limit;
  }

  /** Bytes received but not yet decoded. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feeds one chunk; calls `sink` for each complete frame. Throws FrameError on bad input. */
  push(chunk: Buffer, sink: EnvelopeSink): void {
    if (this.stopped || chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    for (;;) {
      if (this.bodyBytes < 0) {
        if (this.buffered < frameHeaderBytes) return;
        const length = this.readHeader();
        if (length + frameHeaderBytes > this.frameBytesMax) {
          this.stop();
          throw new FrameError('too_large', `frame of ${length + frameHeaderBytes} bytes, more than ${this.frameBytesMax}`);
        }
        this.bodyBytes = length;
      }
      if (this.buffered < this.bodyBytes) return;
      const frameBytes = this.bodyBytes + frameHeaderBytes;
      const body = this.take(this.bodyBytes);
      this.bodyBytes = -1;
      let envelope: Envelope;
      try {
        envelope = decodeBody(body);
      } catch (error) {
        this.stop();
        throw error;
      }
      if (sink(envelope, frameBytes) === false) {
        this.stop();
        return;
      }
      if (this.stopped) return;
    }
  }

  /** Drops buffered input and ignores everything after. */
  stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.buffered = 0;
    this.offset = 0;
  }

  private readHeader(): number {
    const first = this.chunks[0];
    if (first.byteLength - this.offset >= frameHeaderBytes) {
      const length = first.readUInt32BE(this.offset);
      this.skip(frameHeaderBytes);
      return length;
    }
    const header = this.take(frameHeaderBytes);
    return header.readUInt32BE(0);
  }

  private skip(count: number): void {
    this.offset += count;
    this.buffered -= count;
    if (this.offset === this.chunks[0].byteLength) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  private take(count: number): Buffer {
    const first = this.chunks[0];
    if (count === 0) return Buffer.alloc(0);
    if (first.byteLength - this.offset >= count) {
      const view = first.subarray(this.offset, this.offset + count);
      this.skip(count);
      return view;
    }
    const out = Buffer.allocUnsafe(count);
    let written = 0;
    while (written < count) {
      const chunk = this.chunks[0];
      const available = chunk.byteLength - this.offset;
      const part = Math.min(available, count - written);
      chunk.copy(out, written, this.offset, this.offset + part);
      written += part;
      this.skip(part);
    }
    return out;
  }
}
