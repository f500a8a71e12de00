// The stored form of a key: its whole sibling set with its version vector, as one msgpack
// array. The same bytes go to the other replicas on a put, so a coordinated write is encoded
// once. Decoding validates every field: the bytes may come from a peer.
//
//   [1, {node: counter, ...}, [[node, counter, value, contentType, lastModifiedMs, deleted], ...]]
//   optionally followed by the dot cloud: [[node, counter], ...] (core/version/sibling-set.ts)

import { CodedError } from '../common/coded-error.js';
import { Packr } from 'msgpackr';
import { contextDotsMax, siblingsStoredMax, valueBytesMax } from '../common/limits.js';
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
    siblings[i] = [s.node, s.counter, s.value, s.contentType, s.lastModified, s.deleted];
  }
  return packr.pack(
    state.cloud === undefined ? [recordFormat, state.vv, siblings] : [recordFormat, state.vv, siblings, state.cloud],
  );
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
  if (!Array.isArray(raw) || (raw.length !== 3 && raw.length !== 4) || raw[0] !== recordFormat) {
    throw new RecordError('record: bad header');
  }
  const list = raw[2];
  if (!Array.isArray(list) || list.length > siblingsStoredMax) throw new RecordError('record: bad sibling list');
  const siblings: Sibling[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (!Array.isArray(s) || s.length !== 6) throw new RecordError('record: bad sibling');
    const [node, counter, value, contentType, lastModified, deleted] = s;
    if (value instanceof Uint8Array && value.byteLength > valueBytesMax) throw new RecordError('record: value too large');
    if (typeof contentType === 'string' && contentType.length > contentTypeBytesMax) throw new RecordError('record: bad content type');
    siblings[i] = { node, counter, value, contentType, lastModified, deleted };
  }
  const vv = raw[1];
  if (!isValidVersionVector(vv) || vvSize(vv) > vvEntriesStoredMax) throw new RecordError('record: bad version vector');
  if (raw.length === 4 && (!Array.isArray(raw[3]) || raw[3].length > cloudDotsStoredMax)) throw new RecordError('record: bad cloud');
  const state: SiblingSet = raw.length === 3 ? { vv, siblings } : { vv, siblings, cloud: raw[3] };
  if (!isValidSiblingSet(state)) throw new RecordError('record: not a canonical sibling set');
  return state;
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
