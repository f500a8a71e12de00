// The pure core of an anti-entropy exchange between two replicas of a partition (Dynamo paper
// §4.7): compare the roots of their hash trees and, where they differ, walk down only the
// differing branches to the differing segments; then compare the key lists of just those
// segments. The node runs it over its request/response transport; this module only decides.
//
//   const walker = new ExchangeWalker(localTree);
//   for (let request = walker.next(); request; request = walker.next()) {
//     walker.receive(await peer.call('aae_hashes', request)); // peer: answerHashRequest(tree, request)
//   }
//   const { segments, bytesSent } = walker.result();
//   // for each differing segment: fetch both key lists, diffKeyLists(local, remote), repair.
//
// One request per depth, so an exchange takes levels() round trips (3 for 1024 segments of
// width 32), and it asks for the children of differing branches only: the hashes it moves grow
// with the number of differing segments, not with the number of keys.
//
// Writes keep landing while an exchange runs, and both trees are read live. A write in flight
// can make a branch differ whose children then all match (the walk finds nothing under it), or
// land under a branch already passed (the next exchange finds it). Neither loses anything: the
// repair that follows is a merge, idempotent and commutative, and exchanges repeat.

import { assert } from '../common/assert.js';
import { type HashTree, itemHashBytes } from './hash-tree.js';
import { CodedError } from '../common/coded-error.js';

/** What the walker needs from the remote: its hashes at `depth` of `indices` (ascending). */
export interface HashRequest {
  /** The shape the walker expects the remote tree to have; a mismatch is refused. */
  segments: number;
  width: number;
  depth: number;
  indices: number[];
}

export interface ExchangeResult {
  /** Segments whose hashes differ, ascending; empty when the roots match. */
  segments: number[];
  /** Requests sent (round trips): 1 when the roots match, at most levels(). */
  rounds: number;
  /** Hashes received from the remote, and compared with ours. */
  hashesReceived: number;
  /**
   * Hash bytes the remote sent (hashesReceived · itemHashBytes). Requests are not counted: they
   * name one index per hash received, a few bytes each.
   */
  bytesSent: number;
}

export type ExchangeErrorCode =
  | 'shape_mismatch' // the two trees have different segments or width
  | 'bad_request' // a hash request from a peer is malformed
  | 'bad_reply' // a peer's reply is not the hashes asked for
  | 'bad_key_list'; // a key list is malformed: not pairs of (string, 8-byte hash), or a key twice

/** Malformed input from a peer (or a mismatched configuration); nothing is changed by it. */
export class ExchangeError extends CodedError<ExchangeErrorCode> {
  override name = 'ExchangeError';
}

/**
 * The remote side of a walk step: validates a hash request from a peer against `tree` and
 * answers with the hashes asked for, concatenated in request order (indices.length · 8 bytes).
 * Throws ExchangeError on a malformed request or a tree of another shape.
 */
export function answerHashRequest(tree: HashTree, request: unknown): Uint8Array {
  if (typeof request !== 'object' || request === null) throw new ExchangeError('bad_request', 'hash request: not an object');
  const { segments, width, depth, indices } = request as Record<string, unknown>;
  if (segments !== tree.segments || width !== tree.width) {
    throw new ExchangeError(
      'shape_mismatch',
      `hash request: for a tree of ${String(segments)} segments and width ${String(width)}, ours has ${tree.segments} and ${tree.width}`,
    );
  }
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0 || depth >= tree.levels()) {
    throw new ExchangeError('bad_request', 'hash request: bad depth');
  }
  const size = tree.levelSize(depth);
  if (!Array.isArray(indices) || indices.length === 0 || indices.length > size) {
    throw new ExchangeError('bad_request', 'hash request: bad index list');
  }
  let previous = -1;
  for (const index of indices) {
    // Strictly ascending, so a request holds each hash at most once and at most `size` in all.
    if (typeof index !== 'number' || !Number.isInteger(index) || index <= previous || index >= size) {
      throw new ExchangeError('bad_request', 'hash request: indices must be ascending integers within the level');
    }
    previous = index;
  }
  return tree.hashesAt(depth, indices as number[]);
}

/**
 * Walks two trees from the root down the differing branches, one depth per request. next()
 * says what to ask the remote (the same request until a reply arrives, so a lost reply is
 * retried by asking again); receive() consumes the reply; result() is read once done.
 */
export class ExchangeWalker {
  private request: HashRequest | undefined;
  private differing: number[] = [];
  private finished = false;
  private rounds = 0;
  private hashesReceived = 0;

  constructor(private readonly local: HashTree) {
    this.request = { segments: local.segments, width: local.width, depth: 0, indices: [0] };
  }

  /** True once the differing segments are known. */
  get done(): boolean {
    return this.finished;
  }

  /** The request to send to the remote, or undefined when the walk is done. */
  next(): HashRequest | undefined {
    return this.request;
  }

  /**
   * Consumes the remote's answer to next()'s request: its hashes in request order, concatenated.
   * Throws ExchangeError (and keeps its state, so the request may be retried) when the reply is
   * not exactly that.
   */
  receive(reply: unknown): void {
    const request = this.request;
    assert(request !== undefined, 'ExchangeWalker.receive: no request outstanding');
    const { depth, indices } = request;
    if (!(reply instanceof Uint8Array) || reply.length !== indices.length * itemHashBytes) {
      throw new ExchangeError('bad_reply', `hash reply: expected ${indices.length} hashes of ${itemHashBytes} bytes`);
    }
    this.rounds++;
    this.hashesReceived += indices.length;
    const differing: number[] = [];
    for (let k = 0; k < indices.length; k++) {
      if (!this.local.hashEquals(depth, indices[k], reply, k * itemHashBytes)) differing.push(indices[k]);
    }
    this.differing = differing;
    if (differing.length === 0 || depth === this.local.levels() - 1) {
      this.request = undefined;
      this.finished = true;
      return;
    }
    const fan = this.local.fanOut(depth);
    const children: number[] = new Array(differing.length * fan);
    let n = 0;
    for (const parent of differing) for (let c = parent * fan; c < (parent + 1) * fan; c++) children[n++] = c;
    this.request = { segments: this.local.segments, width: this.local.width, depth: depth + 1, indices: children };
  }

  result(): ExchangeResult {
    assert(this.finished, 'ExchangeWalker.result: the walk is not done');
    return {
      segments: this.differing,
      rounds: this.rounds,
      hashesReceived: this.hashesReceived,
      bytesSent: this.hashesReceived * itemHashBytes,
    };
  }
}

/** One key of a segment as an exchange compares it: an id the caller chooses, and its item hash. */
export type KeyItem = readonly [keyId: string, itemHash: Uint8Array];

export interface KeyListDiff {
  /** Keys the remote has and we do not (ascending). */
  missingLocal: string[];
  /** Keys we have and the remote does not (ascending). */
  missingRemote: string[];
  /** Keys both have, with different item hashes (ascending). */
  different: string[];
}

/**
 * Compares the key lists of one segment on two replicas by a sorted merge. Lists are taken in
 * any order (sorted here, by UTF-16 code units, when they are not already); a list that is not
 * pairs of (string, 8-byte hash), or that names a key twice, throws ExchangeError('bad_key_list').
 */
export function diffKeyLists(local: readonly KeyItem[], remote: readonly KeyItem[]): KeyListDiff {
  const a = sortedKeyList(local, 'local');
  const b = sortedKeyList(remote, 'remote');
  const diff: KeyListDiff = { missingLocal: [], missingRemote: [], different: [] };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [keyA, hashA] = a[i];
    const [keyB, hashB] = b[j];
    if (keyA < keyB) {
      diff.missingRemote.push(keyA);
      i++;
    } else if (keyB < keyA) {
      diff.missingLocal.push(keyB);
      j++;
    } else {
      if (!bytesEqual(hashA, hashB)) diff.different.push(keyA);
      i++;
      j++;
    }
  }
  for (; i < a.length; i++) diff.missingRemote.push(a[i][0]);
  for (; j < b.length; j++) diff.missingLocal.push(b[j][0]);
  return diff;
}

/** Validates a key list and returns it sorted by key (the list itself when it already is). */
function sortedKeyList(list: readonly KeyItem[], side: string): readonly KeyItem[] {
  if (!Array.isArray(list)) throw new ExchangeError('bad_key_list', `${side} key list: not an array`);
  let sorted = true;
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (
      !Array.isArray(item) ||
      item.length !== 2 ||
      typeof item[0] !== 'string' ||
      !(item[1] instanceof Uint8Array) ||
      item[1].length !== itemHashBytes
    ) {
      throw new ExchangeError('bad_key_list', `${side} key list: entry ${i} is not [keyId, ${itemHashBytes}-byte hash]`);
    }
    if (i > 0 && !(list[i - 1][0] < list[i][0])) sorted = false;
  }
  const result = sorted ? list : [...list].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  for (let i = 1; i < result.length; i++) {
    if (result[i - 1][0] === result[i][0]) throw new ExchangeError('bad_key_list', `${side} key list: a key appears twice`);
  }
  return result;
}

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
