// The messages nodes send each other, and their validation at the edge. The transport checks
// the envelope; every body is checked here before the node acts on it, so a malformed message
// from a peer gets an error reply and never reaches the store.
//
// Sibling sets travel as their stored bytes (record-codec.ts): a replica answers a read with
// the bytes it has, and a coordinator sends the bytes it stored.
//
// Fields added later are optional and their absence means what the older nodes did: a
// replica.merge without `d` is a plain write, an ack without `d` is not durable, a coord.put
// without `dw` asks for no durable ack. So nodes of either version work together; a request
// that needs durable acks from an older node gets none and fails its DW honestly.

import { CodedError } from '../common/coded-error.js';
import { bucketBytesMax, keyBytesMax, valueBytesMax } from '../common/limits.js';
import type { PeerMessage } from '../net/transport.js';
import { dataKeyPartition, isDataKey, partitionMax } from '../storage/keys.js';
import { keyPageLimitMax, keyPageScanMax } from './limits.js';
import { isNodeId } from './record-codec.js';

/** Read this node's replica of a key. Answer: ReplicaState. */
export interface ReplicaGet extends PeerMessage {
  type: 'replica.get';
  b: string;
  k: string;
  /** Read the hint kept for this node instead (the receiver is a fallback). */
  h?: string;
}

/** Merge a sibling set into this node's replica (a replicated write or a read repair). Answer: Ack. */
export interface ReplicaMerge extends PeerMessage {
  type: 'replica.merge';
  b: string;
  k: string;
  rec: Uint8Array;
  /** Keep it as a hint for this down primary (the receiver is a fallback). */
  h?: string;
  /** Durable: store it with a synced write before acking (the request's dw > 0). Absent: a plain write. */
  d?: boolean;
}

/** Coordinate a write on behalf of a node outside the key's preference list. Answer: PutDone. */
export interface CoordinatePut extends PeerMessage {
  type: 'coord.put';
  b: string;
  k: string;
  /** The client's causal context, already unsealed by the forwarding node. */
  ctx: unknown;
  v: Uint8Array;
  ct: string;
  del: boolean;
  w: number;
  /** Durable acks required, 1…w; absent: 0 (none). */
  dw?: number;
  /** Trace the put (the forwarding node traces it): the answer names the trace (tracing.ts). */
  tr?: boolean;
}

export interface Ping extends PeerMessage {
  type: 'ping';
}

/** An anti-entropy exchange step; its fields are checked by AntiEntropy.answer. */
export interface AntiEntropyRequest extends PeerMessage {
  type: 'ae.hashes' | 'ae.keys' | 'ae.fetch';
}

/** Remove a key whose state is still exactly `rec` (tombstone collection). Answer: Reaped. */
export interface ReplicaReap extends PeerMessage {
  type: 'replica.reap';
  b: string;
  k: string;
  rec: Uint8Array;
}

/** Whether the receiver holds a hint for this key, for any target (tombstone collection). Answer: Hinted. */
export interface ReplicaHinted extends PeerMessage {
  type: 'replica.hinted';
  b: string;
  k: string;
}

export interface Hinted extends PeerMessage {
  type: 'hinted';
  any: boolean;
}

/**
 * Up to `lim` keys of partition `p` after the data key `a`, in `b` and starting with `pre`,
 * from the index of keys with siblings when `sib` (key-index.ts), examining at most `scan`
 * entries. Answer: KeyPageReply.
 */
export interface ReplicaKeys extends PeerMessage {
  type: 'replica.keys';
  p: number;
  a?: Uint8Array;
  b?: string;
  pre?: string;
  sib: boolean;
  lim: number;
  scan: number;
}

/** Keys of one partition on one replica, each [data key, versions, lastModified], in data-key order. */
export interface KeyPageReply extends PeerMessage {
  type: 'key.page';
  keys: Array<[Uint8Array, number, number]>;
  /** The answer covers the partition up to this data key; null: to its end. */
  thru: Uint8Array | null;
  scanned: number;
}

/** The receiver's counts of keys and keys with siblings per bucket, summed over partitions `ps`. Answer: BucketCountsReply. */
export interface ReplicaBuckets extends PeerMessage {
  type: 'replica.buckets';
  ps: number[];
}

/** Buckets as [bucket, keys, keys with siblings], sorted by name; `more` when cut at bucketsListedMax. */
export interface BucketCountsReply extends PeerMessage {
  type: 'bucket.counts';
  counts: Array<[string, number, number]>;
  more: boolean;
}

/** A partition transfer batch or a gossip message; validated by their own modules. */
export interface OtherRequest extends PeerMessage {
  type: 'transfer.batch' | 'membership.syn' | 'membership.ack' | 'membership.ack2';
}

export type PeerRequest =
  | ReplicaGet
  | ReplicaMerge
  | ReplicaReap
  | ReplicaHinted
  | ReplicaKeys
  | ReplicaBuckets
  | CoordinatePut
  | Ping
  | AntiEntropyRequest
  | OtherRequest;

export interface ReplicaState extends PeerMessage {
  type: 'replica.state';
  rec: Uint8Array | null;
}

export interface Ack extends PeerMessage {
  type: 'ack';
  /** The write is on stable storage (it was asked to be durable, or the node syncs every write). Absent: not known to be. */
  d?: boolean;
}

export interface PutDone extends PeerMessage {
  type: 'coord.put.done';
  /** ok: the new state's bytes; quorum: acks / required; error: code / message. */
  outcome: 'ok' | 'quorum' | 'error';
  rec?: Uint8Array;
  /** ok: the dot of the new version. */
  node?: string;
  counter?: number;
  acks?: number;
  required?: number;
  /** quorum, when the put asked for durable acks: how many were durable, and how many had to be. */
  durable?: number;
  requiredDurable?: number;
  code?: string;
  message?: string;
  /** The coordinator's trace of the put, when it kept one. */
  trace?: string;
}

/** A peer message that fails validation: answered with the remote code `bad_message`. */
export class MessageError extends CodedError<'bad_message'> {
  override name = 'MessageError';
  constructor(message: string) {
    super('bad_message', message);
  }
}

function isBucket(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= bucketBytesMax * 3;
}

function isKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= keyBytesMax * 3;
}

/** Checks a request from a peer; throws MessageError naming what is wrong. */
export function validatePeerRequest(message: PeerMessage): PeerRequest {
  switch (message.type) {
    case 'replica.get':
      if (!isBucket(message.b) || !isKey(message.k)) throw new MessageError('replica.get: bad bucket or key');
      if (message.h !== undefined && !isNodeId(message.h)) throw new MessageError('replica.get: bad hint target');
      return message as ReplicaGet;
    case 'replica.merge':
      if (!isBucket(message.b) || !isKey(message.k)) throw new MessageError('replica.merge: bad bucket or key');
      if (!(message.rec instanceof Uint8Array)) throw new MessageError('replica.merge: bad record');
      if (message.h !== undefined && !isNodeId(message.h)) throw new MessageError('replica.merge: bad hint target');
      if (message.d !== undefined && typeof message.d !== 'boolean') throw new MessageError('replica.merge: bad durable flag');
      return message as ReplicaMerge;
    case 'replica.reap':
      if (!isBucket(message.b) || !isKey(message.k)) throw new MessageError('replica.reap: bad bucket or key');
      if (!(message.rec instanceof Uint8Array)) throw new MessageError('replica.reap: bad record');
      return message as ReplicaReap;
    case 'replica.hinted':
      if (!isBucket(message.b) || !isKey(message.k)) throw new MessageError('replica.hinted: bad bucket or key');
      return message as ReplicaHinted;
    case 'coord.put':
      if (!isBucket(message.b) || !isKey(message.k)) throw new MessageError('coord.put: bad bucket or key');
      if (!(message.v instanceof Uint8Array) || message.v.byteLength > valueBytesMax) {
        throw new MessageError('coord.put: bad value');
      }
      if (typeof message.ct !== 'string' || typeof message.del !== 'boolean') throw new MessageError('coord.put: bad fields');
      if (typeof message.w !== 'number' || !Number.isInteger(message.w) || message.w < 1) {
        throw new MessageError('coord.put: bad w');
      }
      if (message.dw !== undefined && (typeof message.dw !== 'number' || !Number.isInteger(message.dw) || message.dw < 0 || message.dw > message.w)) {
        throw new MessageError('coord.put: bad dw');
      }
      if (message.tr !== undefined && typeof message.tr !== 'boolean') throw new MessageError('coord.put: bad tr');
      return message as CoordinatePut;
    case 'replica.keys':
      return validateReplicaKeys(message);
    case 'replica.buckets':
      if (!Array.isArray(message.ps) || message.ps.length > partitionMax + 1 || !message.ps.every(isPartition)) {
        throw new MessageError('replica.buckets: bad partitions');
      }
      return message as ReplicaBuckets;
    case 'ping':
      return message as Ping;
    case 'ae.hashes':
    case 'ae.keys':
    case 'ae.fetch':
      return message as AntiEntropyRequest;
    case 'transfer.batch':
    case 'membership.syn':
    case 'membership.ack':
    case 'membership.ack2':
      // Checked field by field by Transfers.receive and the gossip core.
      return message as OtherRequest;
    default:
      throw new MessageError(`unknown message type ${JSON.stringify(String(message.type).slice(0, 40))}`);
  }
}

function validateReplicaKeys(message: PeerMessage): ReplicaKeys {
  const { p, a, b, pre, sib, lim, scan } = message;
  if (!isPartition(p)) throw new MessageError('replica.keys: bad partition');
  if (a !== undefined && !(isDataKey(a) && dataKeyPartition(a) === p)) throw new MessageError('replica.keys: bad position');
  if (b !== undefined && !(isBucket(b) && Buffer.byteLength(b) <= bucketBytesMax)) throw new MessageError('replica.keys: bad bucket');
  if (pre !== undefined && (typeof pre !== 'string' || Buffer.byteLength(pre) > keyBytesMax)) throw new MessageError('replica.keys: bad prefix');
  if (typeof sib !== 'boolean') throw new MessageError('replica.keys: bad sibling filter');
  if (!isCount(lim, keyPageLimitMax) || !isCount(scan, keyPageScanMax)) throw new MessageError('replica.keys: bad limit');
  return message as ReplicaKeys;
}

function isPartition(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= partitionMax;
}

function isCount(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}
