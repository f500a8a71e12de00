// The stored form of a key: its whole sibling set with its version vector, as one msgpack
// array. The same bytes go to the other replicas on a put, so a coordinated write is encoded
// once. Decoding validates every field: the bytes may come from a peer.
//
//   [1, {node: counter, ...}, [[node, counter, value, contentType, lastModifiedMs, deleted, past?], ...]]
//   optionally followed by the dot cloud: [[node, counter], ...] or null (core/version/sibling-set.ts)
//   and the history: [[node, counter, past, lastModifiedMs, size, hash, deleted], ...] (history.ts)
// A sibling's `past` (the clock it was written with) is left out when empty, and so are a
// trailing null cloud and an empty history, so records written before either existed decode.

import { CodedError } from '../common/coded-error.js';
import { Packr } from 'msgpackr';
import { contextDotsMax, historyVersionsMax, siblingsStoredMax, valueBytesMax } from '../common/limits.js';
import type { HistoryEntry } from '../version/history.js';
import type { CausalContext, Dot } from '../version/causal-context.js';
import { isValidSiblingSet } from '../version/sibling-set.js';
import { isValidNodeId, isValidVersionVector, vvSize } from '../version/vector-clock.js';
import type { Sibling, SiblingSet } from '../version/sibling-set.js';
import type { VersionVector } from '../version/vector-clock.js';
import { cloudDotsStoredMax, contentTypeBytesMax, vvEntriesStoredMax } from './limits.js';

const recordFormat = 1;

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

/** A stored or received record that does not decode to a valid sibling set. */
export class RecordError extends CodedError<'bad_record'> {
  override name = 'RecordError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_record', message, options);
  }
}

export function encodeRecord(state: SiblingSet): Uint8Array {
  const siblings = new Array(state.siblings.length);
  for (let i = 0; i < state.siblings.length; i++) {
    const s = state.siblings[i];
    siblings[i] =
      s.past === undefined
        ? [s.node, s.counter, s.value, s.contentType, s.lastModified, s.deleted]
        : [s.node, s.counter, s.value, s.contentType, s.lastModified, s.deleted, s.past];
  }
  if (state.history !== undefined) {
    const history = state.history.map((e) => [e.node, e.counter, e.past, e.lastModified, e.size, e.hash, e.deleted]);
    return packr.pack([recordFormat, state.vv, siblings, state.cloud ?? null, history]);
  }
  return packr.pack(state.cloud === undefined ? [recordFormat, state.vv, siblings] : [recordFormat, state.vv, siblings, state.cloud]);
}

/**
 * Decodes and validates a stored or received record; throws RecordError when malformed. The
 * shape is checked here; canonical form (siblings sorted and distinct, each covered by the
 * vector, a canonical dot cloud) is checked by core/version's isValidSiblingSet, so a peer can
 * never hand the merge a state that breaks its invariants.
 */
export function decodeRecord(bytes: Uint8Array): SiblingSet {
  let raw: unknown;
  try {
    raw = packr.unpack(bytes);
  } catch (error) {
    throw new RecordError('record: not msgpack', { cause: error });
  }
  if (!Array.isArray(raw) || raw.length < 3 || raw.length > 5 || raw[0] !== recordFormat) {
    throw new RecordError('record: bad header');
  }
  const list = raw[2];
  if (!Array.isArray(list) || list.length > siblingsStoredMax) throw new RecordError('record: bad sibling list');
  const siblings: Sibling[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (!Array.isArray(s) || (s.length !== 6 && s.length !== 7)) throw new RecordError('record: bad sibling');
    const [node, counter, value, contentType, lastModified, deleted, past] = s;
    if (value instanceof Uint8Array && value.byteLength > valueBytesMax) throw new RecordError('record: value too large');
    if (typeof contentType === 'string' && contentType.length > contentTypeBytesMax) throw new RecordError('record: bad content type');
    if (s.length === 7 && vvSize(past) > vvEntriesStoredMax) throw new RecordError('record: bad sibling clock');
    siblings[i] = s.length === 6 ? { node, counter, value, contentType, lastModified, deleted } : { node, counter, value, contentType, lastModified, deleted, past };
  }
  const vv = raw[1];
  if (!isValidVersionVector(vv) || vvSize(vv) > vvEntriesStoredMax) throw new RecordError('record: bad version vector');
  const cloud = raw[3] ?? undefined;
  if (cloud !== undefined && (!Array.isArray(cloud) || cloud.length > cloudDotsStoredMax)) throw new RecordError('record: bad cloud');
  const state: SiblingSet = cloud === undefined ? { vv, siblings } : { vv, siblings, cloud };
  if (raw.length === 5) state.history = decodeHistory(raw[4]);
  if (!isValidSiblingSet(state)) throw new RecordError('record: not a canonical sibling set');
  return state;
}

function decodeHistory(raw: unknown): HistoryEntry[] {
  if (!Array.isArray(raw) || raw.length > historyVersionsMax) throw new RecordError('record: bad history');
  const history: HistoryEntry[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i];
    if (!Array.isArray(e) || e.length !== 7) throw new RecordError('record: bad history entry');
    const [node, counter, past, lastModified, size, hash, deleted] = e;
    if (vvSize(past) > vvEntriesStoredMax) throw new RecordError('record: bad history entry');
    history[i] = { node, counter, past, lastModified, size, hash, deleted };
  }
  return history;
}

/** Checks a version vector received from a peer (inside a forwarded put's context). */
export function validateVersionVector(raw: unknown): VersionVector {
  if (!isValidVersionVector(raw) || vvSize(raw) > vvEntriesStoredMax) throw new RecordError('record: bad version vector');
  return raw;
}

/** Checks a causal context received from a peer (a forwarded put's `{vv, dots}`). */
export function validateCausalContext(raw: unknown): CausalContext {
  if (typeof raw !== 'object' || raw === null) throw new RecordError('context: not an object');
  const { vv, dots } = raw as { vv?: unknown; dots?: unknown };
  if (!Array.isArray(dots) || dots.length > contextDotsMax) throw new RecordError('context: bad dots');
  const checked: Dot[] = [];
  for (const dot of dots) {
    if (!Array.isArray(dot) || dot.length !== 2 || !isNodeId(dot[0]) || !isCounter(dot[1])) {
      throw new RecordError('context: bad dot');
    }
    checked.push([dot[0], dot[1]]);
  }
  return { vv: validateVersionVector(vv), dots: checked };
}

/** Node ids as version vectors accept them (core/version/vector-clock.ts). */
export const isNodeId = isValidNodeId;

function isCounter(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
