// Finding keys across the cluster (GET /v1/admin/keys and /v1/admin/buckets): any node answers,
// by asking the replicas of each partition what they hold (key-index.ts), so no node ever holds
// every key, and no page reads more than its limit of keys (and a bounded scan) per replica.
//
// Keys. Partitions are walked in index order. Within one, every up replica of it (its preference
// list; this node answers itself) is asked for up to the page's remaining keys after the
// position, and their sorted answers are merged: a key any replica holds is listed once, with
// the most versions and the newest lastModified any of them reports. An answer that stopped
// early (at its limit or its scan budget) covers the partition only up to where it stopped, so
// the merge keeps what lies up to the first such point: every key between two positions is on
// the page between them, and every page is exact. A position is (partition, data key), and a
// key's partition never changes (the ring size is fixed), so paging stays exact while partitions
// move between nodes in a join or a leave: whichever nodes replicate a partition when a page
// reads it hold its keys (a transfer completes only once the data has arrived).
//
// The cursor is opaque to clients: base64url of [format 1][partition u16 BE][the data key of the
// last key listed, or nothing], checked strictly on the way in (`bad_request`).
//
// Buckets. Each partition's counts come from one replica: the first up node of its preference
// list (the next on failure), asked for all its partitions in one message; the counts are summed
// per bucket.

import type { BucketView, KeyListing as AdminKeyListing, KeyPage as AdminKeyPage, KeyQuery } from '../admin/admin-api.js';
import { CodedError } from '../common/coded-error.js';
import { bucketBytesMax, keyBytesMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import type { PeerMessage } from '../net/transport.js';
import { dataKeyPartition, decodeDataKey, isDataKey } from '../storage/keys.js';
import { compareBytes, type Bytes } from '../storage/store.js';
import { addCount, type BucketCount, type KeyIndex, type KeyScanResult, type ScannedKey } from './key-index.js';
import type { KeyPlacement } from './key-placement.js';
import { bucketsListedMax, keyPageLimitDefault, keyPageLimitMax, keyPageScanMax } from './limits.js';
import { MessageError, type BucketCountsReply, type KeyPageReply, type ReplicaBuckets, type ReplicaKeys } from './messages.js';

/** A listing the node refuses (a bad query or cursor) or cannot answer (no replica of a partition answered). */
export class KeyListingError extends CodedError<'bad_request' | 'unavailable'> {
  override name = 'KeyListingError';
}

/** The node's answers are the console's shapes (core/admin); a node's page always reports progress. */
export type { KeyQuery } from '../admin/admin-api.js';
export type ListedKey = Required<AdminKeyListing>;
export type KeyPage = AdminKeyPage & { keys: ListedKey[]; progress: NonNullable<AdminKeyPage['progress']> };

export type BucketTotal = BucketView;

export interface BucketsView {
  /** Sorted by name. */
  buckets: BucketTotal[];
  /** Present when a replica held more than bucketsListedMax buckets: the list stops at the first names. */
  truncated?: true;
}

export interface KeyListingOptions {
  self: NodeId;
  placement: KeyPlacement;
  index: KeyIndex;
  /** A request to a peer that keeps the failure detector informed (replica-rpc.ts). */
  request: (node: NodeId, message: PeerMessage) => Promise<PeerMessage>;
}

/** Where a listing stands: a partition, and the last key listed in it. */
export interface CursorPosition {
  partition: number;
  /** The last data key listed in the partition. */
  after?: Bytes;
}

interface Filter {
  bucket?: string;
  prefix?: string;
  siblingsOnly: boolean;
}

const cursorFormat = 1;
const cursorCharsMax = 2048;

export class KeyListing {
  constructor(private readonly options: KeyListingOptions) {}

  /** One page of keys across the cluster, each key once. */
  async list(query: KeyQuery): Promise<KeyPage> {
    const { limit, filter } = checkQuery(query);
    const ringSize = this.options.placement.ring().ringSize;
    let position: CursorPosition = query.cursor === undefined ? { partition: 0 } : decodeCursor(query.cursor, ringSize);
    const keys: ListedKey[] = [];
    let budget = keyPageScanMax;
    while (position.partition < ringSize && keys.length < limit && budget > 0) {
      const round = await this.partitionPage(position, filter, limit - keys.length, budget);
      for (const scanned of round.keys) keys.push(listed(scanned));
      budget -= round.scanned;
      position = round.through === undefined ? { partition: position.partition + 1 } : { partition: position.partition, after: round.through };
    }
    const progress = { partitionsDone: position.partition, partitions: ringSize };
    return position.partition < ringSize ? { keys, cursor: encodeCursor(position), progress } : { keys, progress };
  }

  /** Every bucket with its keys and keys with siblings across the cluster, sorted by name. */
  async buckets(): Promise<BucketsView> {
    const { placement, self } = this.options;
    const ring = placement.ring();
    const candidates = Array.from({ length: ring.ringSize }, (_, p) =>
      ring.preferenceList(p).filter((node) => node === self || placement.isUp(node)),
    );
    const tried = new Array<number>(ring.ringSize).fill(0);
    const totals = new Map<string, BucketCount>();
    let cut: string | undefined;
    let pending = candidates.map((_, p) => p);
    while (pending.length > 0) {
      const byNode = new Map<NodeId, number[]>();
      for (const p of pending) {
        const node = candidates[p][tried[p]];
        if (node === undefined) throw new KeyListingError('unavailable', `no replica of partition ${p} answered`);
        byNode.set(node, [...(byNode.get(node) ?? []), p]);
      }
      const failed: number[] = [];
      await Promise.all(
        [...byNode].map(async ([node, partitions]) => {
          let reply: BucketCountsReply;
          try {
            reply = await this.askBuckets(node, { type: 'replica.buckets', ps: partitions });
          } catch {
            for (const p of partitions) tried[p]++;
            failed.push(...partitions);
            return;
          }
          for (const [bucket, keys, withSiblings] of reply.counts) addCount(totals, bucket, { keys, withSiblings });
          const last = reply.counts.at(-1)?.[0];
          if (reply.more && last !== undefined && (cut === undefined || last < cut)) cut = last;
        }),
      );
      pending = failed;
    }
    const buckets = [...totals]
      .filter(([bucket]) => cut === undefined || bucket <= cut)
      .sort(([a], [b]) => compareNames(a, b))
      .map(([bucket, count]) => ({ bucket, keys: count.keys, keysWithSiblings: count.withSiblings }));
    return cut === undefined ? { buckets } : { buckets, truncated: true };
  }

  /** A replica's answer to `replica.keys` (validated by messages.ts). */
  async answerKeys(request: ReplicaKeys): Promise<KeyPageReply> {
    const result = await this.options.index.scan({
      partition: request.p,
      after: request.a,
      bucket: request.b,
      prefix: request.pre,
      siblingsOnly: request.sib,
      limit: request.lim,
      scanMax: request.scan,
    });
    const keys = result.keys.map((key): [Uint8Array, number, number] => [key.dataKey, key.versions, key.lastModified]);
    return { type: 'key.page', keys, thru: result.through ?? null, scanned: result.scanned };
  }

  /** A replica's answer to `replica.buckets` (validated by messages.ts): its counts, the first bucketsListedMax names. */
  answerBuckets(request: ReplicaBuckets): BucketCountsReply {
    const counts = [...this.options.index.bucketCounts(request.ps)].sort(([a], [b]) => compareNames(a, b));
    const listed = counts.slice(0, bucketsListedMax).map(([bucket, count]): [string, number, number] => [bucket, count.keys, count.withSiblings]);
    return { type: 'bucket.counts', counts: listed, more: counts.length > bucketsListedMax };
  }

  /** The keys of one partition from position on, merged from every up replica of it. */
  private async partitionPage(position: CursorPosition, filter: Filter, want: number, scanMax: number): Promise<KeyScanResult> {
    const { placement, self } = this.options;
    const p = position.partition;
    const request: ReplicaKeys = { type: 'replica.keys', p, sib: filter.siblingsOnly, lim: want, scan: Math.min(scanMax, keyPageScanMax) };
    if (position.after !== undefined) request.a = position.after;
    if (filter.bucket !== undefined) request.b = filter.bucket;
    if (filter.prefix !== undefined) request.pre = filter.prefix;
    const replicas = placement.ring().preferenceList(p).filter((node) => node === self || placement.isUp(node));
    const settled = await Promise.allSettled(replicas.map((node) => this.askKeys(node, request)));
    const answers = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    if (answers.length === 0) throw new KeyListingError('unavailable', `no replica of partition ${p} answered`);
    return mergeAnswers(answers, want);
  }

  private async askKeys(node: NodeId, request: ReplicaKeys): Promise<KeyScanResult> {
    const reply = node === this.options.self ? await this.answerKeys(request) : await this.options.request(node, request);
    return checkKeyPage(reply, request);
  }

  private async askBuckets(node: NodeId, request: ReplicaBuckets): Promise<BucketCountsReply> {
    const reply = node === this.options.self ? this.answerBuckets(request) : await this.options.request(node, request);
    return checkBucketCounts(reply);
  }
}

/**
 * The replicas' answers for one partition as one: the union of their keys up to the first point
 * where an answer stopped early, at most `want` of them, and how far that covers the partition.
 */
export function mergeAnswers(answers: readonly KeyScanResult[], want: number): KeyScanResult {
  let bound: Bytes | undefined;
  for (const answer of answers) {
    if (answer.through !== undefined && (bound === undefined || compareBytes(answer.through, bound) < 0)) bound = answer.through;
  }
  const merged = new Map<string, ScannedKey>();
  for (const answer of answers) {
    for (const key of answer.keys) {
      if (bound !== undefined && compareBytes(key.dataKey, bound) > 0) continue;
      const id = Buffer.from(key.dataKey.buffer, key.dataKey.byteOffset, key.dataKey.byteLength).toString('latin1');
      const seen = merged.get(id);
      merged.set(
        id,
        seen === undefined
          ? key
          : { dataKey: seen.dataKey, versions: Math.max(seen.versions, key.versions), lastModified: Math.max(seen.lastModified, key.lastModified) },
      );
    }
  }
  const keys = [...merged.values()].sort((a, b) => compareBytes(a.dataKey, b.dataKey)).slice(0, want);
  const through = keys.length === want ? keys[want - 1].dataKey : bound;
  const scanned = Math.max(...answers.map((answer) => answer.scanned));
  return through === undefined ? { keys, scanned } : { keys, through, scanned };
}

export function encodeCursor(position: CursorPosition): string {
  const header = Buffer.from([cursorFormat, position.partition >>> 8, position.partition & 0xff]);
  return Buffer.concat([header, position.after ?? Buffer.alloc(0)]).toString('base64url');
}

/** The position a cursor names; KeyListingError('bad_request') unless it is one this ring could have made. */
export function decodeCursor(cursor: string, ringSize: number): CursorPosition {
  const bad = () => new KeyListingError('bad_request', 'the cursor is malformed');
  if (typeof cursor !== 'string' || cursor.length > cursorCharsMax || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor || bytes.byteLength < 3 || bytes[0] !== cursorFormat) throw bad();
  const partition = bytes.readUInt16BE(1);
  if (partition >= ringSize) throw bad();
  const after = bytes.subarray(3);
  if (after.byteLength === 0) return { partition };
  if (!isDataKey(after) || dataKeyPartition(after) !== partition) throw bad();
  return { partition, after };
}

function checkQuery(query: KeyQuery): { limit: number; filter: Filter } {
  const { bucket, prefix, siblingsOnly, limit = keyPageLimitDefault } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > keyPageLimitMax) {
    throw new KeyListingError('bad_request', `limit must be an integer from 1 to ${keyPageLimitMax}`);
  }
  if (bucket !== undefined && (typeof bucket !== 'string' || bucket.length === 0 || Buffer.byteLength(bucket) > bucketBytesMax)) {
    throw new KeyListingError('bad_request', `a bucket is 1 to ${bucketBytesMax} bytes of UTF-8`);
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || Buffer.byteLength(prefix) > keyBytesMax)) {
    throw new KeyListingError('bad_request', `a prefix is at most ${keyBytesMax} bytes of UTF-8`);
  }
  if (siblingsOnly !== undefined && typeof siblingsOnly !== 'boolean') throw new KeyListingError('bad_request', 'siblingsOnly is a boolean');
  return { limit, filter: { bucket, prefix: prefix === '' ? undefined : prefix, siblingsOnly: siblingsOnly ?? false } };
}

function listed(scanned: ScannedKey): ListedKey {
  const { bucket, key } = decodeDataKey(scanned.dataKey);
  return { bucket, key, siblings: scanned.versions, lastModified: scanned.lastModified };
}

/** A replica's answer to `replica.keys`, checked against the request: sorted keys of its partition after its position. */
function checkKeyPage(reply: PeerMessage, request: ReplicaKeys): KeyScanResult {
  const { keys, thru, scanned } = reply as Partial<KeyPageReply>;
  if (reply.type !== 'key.page' || !Array.isArray(keys) || keys.length > request.lim) throw new MessageError('replica.keys: bad reply');
  if (!Number.isInteger(scanned) || (scanned as number) < 0) throw new MessageError('replica.keys: bad reply');
  const inPartition = (bytes: unknown): bytes is Uint8Array => isDataKey(bytes) && dataKeyPartition(bytes) === request.p;
  const out: ScannedKey[] = [];
  let previous = request.a;
  for (const item of keys) {
    if (!Array.isArray(item) || item.length !== 3 || !inPartition(item[0])) throw new MessageError('replica.keys: bad key');
    const [dataKey, versions, lastModified] = item;
    if (!Number.isInteger(versions) || versions < 0 || !Number.isFinite(lastModified)) throw new MessageError('replica.keys: bad key');
    if (previous !== undefined && compareBytes(dataKey, previous) <= 0) throw new MessageError('replica.keys: keys out of order');
    out.push({ dataKey, versions, lastModified });
    previous = dataKey;
  }
  if (thru !== null && !inPartition(thru)) throw new MessageError('replica.keys: bad position');
  return thru === null ? { keys: out, scanned: scanned as number } : { keys: out, through: thru, scanned: scanned as number };
}

/** A replica's answer to `replica.buckets`: sorted, distinct names with sane counts. */
function checkBucketCounts(reply: PeerMessage): BucketCountsReply {
  const { counts, more } = reply as Partial<BucketCountsReply>;
  if (reply.type !== 'bucket.counts' || !Array.isArray(counts) || counts.length > bucketsListedMax || typeof more !== 'boolean') {
    throw new MessageError('replica.buckets: bad reply');
  }
  let previous: string | undefined;
  for (const item of counts) {
    if (!Array.isArray(item) || item.length !== 3 || typeof item[0] !== 'string') throw new MessageError('replica.buckets: bad count');
    const [bucket, keys, withSiblings] = item;
    if (!Number.isInteger(keys) || !Number.isInteger(withSiblings) || withSiblings < 0 || withSiblings > keys) {
      throw new MessageError('replica.buckets: bad count');
    }
    if (previous !== undefined && compareNames(bucket, previous) <= 0) throw new MessageError('replica.buckets: buckets out of order');
    previous = bucket;
  }
  return reply as BucketCountsReply;
}

/** Bucket names in one order on every node (UTF-16 code units, as JavaScript compares strings). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
