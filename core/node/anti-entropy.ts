// Anti-entropy (Dynamo §4.7, made incremental as Riak's tictac AAE): one hash tree per
// partition, updated on every write of a data key (the old record's item hash out, the new
// one's in), rebuilt from the store at start. An exchange with another replica of a partition
// walks down only the differing branches (core/merkle), compares the key lists of just the
// differing segments, and repairs both ways: keys the peer has that differ or are missing here
// are fetched and merged, and the merged state goes back to the peer. Its cost grows with the
// number of differing keys, not with the data.
//
// A background scheduler runs one partition exchange per tick, round-robin over this node's
// partitions and their other replicas, and skips its turn while client traffic is heavy (the
// paper's §6.5 admission control).

import type { AntiEntropyReport } from '../admin/events.js';
import { createHash } from 'node:crypto';
import type { NodeId } from '../common/types.js';
import { diffKeyLists, ExchangeWalker, answerHashRequest, type KeyItem } from '../merkle/exchange.js';
import { HashTree, itemHashBytes } from '../merkle/hash-tree.js';
import type { PeerMessage } from '../net/transport.js';
import { dataKeyPartition, decodeDataKey, partitionRange } from '../storage/keys.js';
import type { Bytes } from '../storage/store.js';
import { MessageError } from './messages.js';
import { decodeRecord } from './record-codec.js';
import { exchangeKeysMax } from './limits.js';
import { PeriodicTask } from './periodic-task.js';
import type { ReplicaServiceOptions } from './replica.js';

/** What an exchange (or a run of them) compared and repaired (core/admin's AntiEntropyReport). */
export type ExchangeReport = AntiEntropyReport;

export interface AntiEntropyOptions extends ReplicaServiceOptions {
  /** Partitions this node replicates. */
  partitions: () => number[];
  /** Client requests in flight now; the scheduler skips its turn above `foregroundMax`. */
  foreground: () => number;
  foregroundMax: number;
  intervalMs: number;
}


export function emptyReport(): ExchangeReport {
  return { partitionsCompared: 0, segmentsDiffering: 0, keysRepaired: 0, bytesSent: 0 };
}

export function addReports(into: ExchangeReport, from: ExchangeReport): ExchangeReport {
  into.partitionsCompared += from.partitionsCompared;
  into.segmentsDiffering += from.segmentsDiffering;
  into.keysRepaired += from.keysRepaired;
  into.bytesSent += from.bytesSent;
  return into;
}

export class AntiEntropy {
  private readonly trees = new Map<number, HashTree>();
  private readonly loop: PeriodicTask;
  private cursor = 0;
  readonly totals = { exchanges: 0, keysRepaired: 0, bytesSent: 0, skipped: 0 };

  constructor(private readonly options: AntiEntropyOptions) {
    this.loop = new PeriodicTask(options.clock, options.intervalMs, () => this.tick(), (error) =>
      options.failures.record('anti-entropy', error),
    );
  }

  /** Builds every partition's tree from the store. */
  async rebuild(): Promise<void> {
    this.trees.clear();
    for await (const [dataKey, bytes] of this.options.store.data.range({})) {
      this.record(dataKeyPartition(dataKey), dataKey, undefined, bytes);
    }
  }

  /** Keeps the trees current: called for every write of a data key. */
  record(partition: number, dataKey: Bytes, before: Bytes | undefined, after: Bytes | undefined): void {
    const tree = this.tree(partition);
    tree.update(tree.segmentOf(digest(dataKey)), before && itemHash(dataKey, before), after && itemHash(dataKey, after));
  }

  tree(partition: number): HashTree {
    let tree = this.trees.get(partition);
    if (tree === undefined) {
      tree = new HashTree();
      this.trees.set(partition, tree);
    }
    return tree;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Exchanges every partition this node replicates with its other replicas (or with `peer` only). */
  async exchangeAll(peer?: NodeId): Promise<ExchangeReport> {
    const report = emptyReport();
    for (const partition of this.options.partitions()) {
      for (const other of this.options.replicasOf(partition)) {
        if (other === this.options.self || (peer !== undefined && other !== peer)) continue;
        addReports(report, await this.exchange(partition, other));
      }
    }
    this.options.events.emit({ type: 'anti-entropy', peer, trigger: 'manual', report });
    return report;
  }

  /** One exchange of `partition` with `peer`; repaired keys are in place when it resolves. */
  async exchange(partition: number, peer: NodeId): Promise<ExchangeReport> {
    const report = emptyReport();
    report.partitionsCompared = 1;
    const walker = new ExchangeWalker(this.tree(partition));
    for (let request = walker.next(); request !== undefined; request = walker.next()) {
      const reply = await this.call(peer, { type: 'ae.hashes', p: partition, req: request });
      walker.receive(reply.h);
    }
    const walk = walker.result();
    report.segmentsDiffering = walk.segments.length;
    report.bytesSent += walk.bytesSent;
    if (walk.segments.length === 0) return this.count(report);

    const local = await this.keyItems(partition, walk.segments);
    const remoteReply = await this.call(peer, { type: 'ae.keys', p: partition, segs: walk.segments });
    const remote = validateKeyItems(remoteReply.items);
    report.bytesSent += keyListBytes(local) + keyListBytes(remote);
    const diff = diffKeyLists(local, remote);

    // Theirs that differ or that we lack: fetch, merge here, and send the merged state back.
    const fetch = [...diff.different, ...diff.missingLocal].slice(0, exchangeKeysMax);
    if (fetch.length > 0) {
      const fetched = await this.call(peer, { type: 'ae.fetch', p: partition, keys: fetch });
      if (!Array.isArray(fetched.recs) || fetched.recs.length !== fetch.length) throw new MessageError('ae.fetch: bad reply');
      for (let i = 0; i < fetch.length; i++) {
        const rec = fetched.recs[i];
        if (!(rec instanceof Uint8Array)) continue;
        report.bytesSent += rec.byteLength;
        const { bucket, key } = decodeDataKey(Buffer.from(fetch[i], 'latin1'));
        await this.options.replica.mergeData(partition, bucket, key, decodeRecord(rec));
      }
    }
    // Ours that differ or that they lack: push our (now merged) state.
    const push = [...diff.different, ...diff.missingRemote].slice(0, exchangeKeysMax);
    for (const id of push) {
      const dataKey = Buffer.from(id, 'latin1');
      const { bucket, key } = decodeDataKey(dataKey);
      const rec = await this.options.replica.readBytes(partition, bucket, key);
      if (rec === undefined) continue;
      report.bytesSent += rec.byteLength;
      await this.call(peer, { type: 'replica.merge', b: bucket, k: key, rec });
    }
    report.keysRepaired = new Set([...fetch, ...push]).size;
    return this.count(report);
  }

  /** Answers a peer's exchange request; throws MessageError on a malformed one. */
  async answer(message: PeerMessage): Promise<PeerMessage> {
    const partition = message.p;
    if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition > 0xffff) {
      throw new MessageError(`${message.type}: bad partition`);
    }
    switch (message.type) {
      case 'ae.hashes':
        return { type: 'ae.hashes', h: answerHashRequest(this.tree(partition), message.req) };
      case 'ae.keys': {
        const segments = message.segs;
        if (!Array.isArray(segments) || segments.length > this.tree(partition).segments || !segments.every(Number.isInteger)) {
          throw new MessageError('ae.keys: bad segments');
        }
        return { type: 'ae.keys', items: await this.keyItems(partition, segments as number[]) };
      }
      case 'ae.fetch': {
        const keys = message.keys;
        if (!Array.isArray(keys) || keys.length > exchangeKeysMax || !keys.every((k) => typeof k === 'string')) {
          throw new MessageError('ae.fetch: bad keys');
        }
        const recs: Array<Bytes | null> = [];
        for (const id of keys as string[]) {
          const dataKey = Buffer.from(id, 'latin1');
          if (dataKey.length < 3 || dataKeyPartition(dataKey) !== partition) throw new MessageError('ae.fetch: key outside the partition');
          recs.push((await this.options.store.data.get(dataKey)) ?? null);
        }
        return { type: 'ae.records', recs };
      }
      default:
        throw new MessageError(`unknown anti-entropy message ${message.type}`);
    }
  }

  private count(report: ExchangeReport): ExchangeReport {
    this.totals.exchanges++;
    this.totals.keysRepaired += report.keysRepaired;
    this.totals.bytesSent += report.bytesSent;
    return report;
  }

  /** The (key id, item hash) of every key of `partition` in the given segments. */
  private async keyItems(partition: number, segments: readonly number[]): Promise<KeyItem[]> {
    const wanted = new Set(segments);
    const tree = this.tree(partition);
    const items: KeyItem[] = [];
    for await (const [dataKey, bytes] of this.options.store.data.range(partitionRange(partition))) {
      if (!wanted.has(tree.segmentOf(digest(dataKey)))) continue;
      items.push([Buffer.from(dataKey.buffer, dataKey.byteOffset, dataKey.byteLength).toString('latin1'), itemHash(dataKey, bytes)]);
      if (items.length > exchangeKeysMax * 4) break;
    }
    return items;
  }

  private async call(peer: NodeId, message: PeerMessage): Promise<PeerMessage> {
    return this.options.transport.request(peer, message, { timeoutMs: this.options.requestTimeoutMs * 4 });
  }

  /** One background exchange: the next (partition, peer) pair, unless clients are busy. */
  private async tick(): Promise<void> {
    if (this.options.foreground() > this.options.foregroundMax) {
      this.totals.skipped++;
      return;
    }
    const pairs: Array<[number, NodeId]> = [];
    for (const partition of this.options.partitions()) {
      for (const peer of this.options.replicasOf(partition)) {
        if (peer !== this.options.self && this.options.isUp(peer)) pairs.push([partition, peer]);
      }
    }
    if (pairs.length === 0) return;
    // A peer that goes away or answers badly fails this exchange only; the next tick moves on.
    const [partition, peer] = pairs[this.cursor++ % pairs.length];
    const report = await this.exchange(partition, peer);
    if (report.keysRepaired > 0) this.options.events.emit({ type: 'anti-entropy', peer, trigger: 'background', report });
  }
}

function digest(dataKey: Bytes): Buffer {
  return createHash('md5').update(dataKey).digest();
}

/** The first 8 bytes of md5(data key ‖ stored record): equal states hash alike on every replica. */
function itemHash(dataKey: Bytes, record: Bytes): Uint8Array {
  return createHash('md5').update(dataKey).update(record).digest().subarray(0, itemHashBytes);
}

function validateKeyItems(raw: unknown): KeyItem[] {
  if (!Array.isArray(raw) || raw.length > exchangeKeysMax * 4) throw new MessageError('ae.keys: bad reply');
  for (const item of raw) {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || !(item[1] instanceof Uint8Array)) {
      throw new MessageError('ae.keys: bad item');
    }
  }
  return raw as KeyItem[];
}

function keyListBytes(items: readonly KeyItem[]): number {
  let bytes = 0;
  for (const [id, hash] of items) bytes += id.length + hash.byteLength;
  return bytes;
}
