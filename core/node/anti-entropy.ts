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
//
// Every manual run and every background tick is a run with a report (core/admin's
// AntiEntropyRun): its exchanges, and the keys it repaired with the side that was behind and
// that side's versions before and after (listed up to repairedKeysListedMax, counted past it).
// The last antiEntropyRunsKept runs are kept for the console. A manual run reports each
// exchange on the event stream as it ends (`anti-entropy-progress`) and the whole run at its end
// (`anti-entropy`); a background tick reports only a run that repaired something.

import type { AntiEntropyReport, AntiEntropyRun, AntiEntropyTrigger, RepairedKey, VersionSummary } from '../admin/events.js';
import { errorText } from '../common/coded-error.js';
import { createHash } from 'node:crypto';
import { md5 } from '../ring/key-digest.js';
import type { NodeId } from '../common/types.js';
import { diffKeyLists, ExchangeWalker, answerHashRequest, type KeyItem } from '../merkle/exchange.js';
import { HashTree, itemHashBytes } from '../merkle/hash-tree.js';
import type { PeerMessage } from '../net/transport.js';
import { dataKeyPartition, decodeDataKey, partitionRange } from '../storage/keys.js';
import type { Bytes } from '../storage/store.js';
import { MessageError } from './messages.js';
import { clockOf } from '../version/history.js';
import { decodeRecord } from './record-codec.js';
import { antiEntropyExchangesListedMax, antiEntropyRunsKept, exchangeKeysMax, repairedKeysListedMax, repairedVersionsListedMax } from './limits.js';
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

/** What a manual run compares: every partition this node replicates, or one; with every other replica, or one. */
export interface AntiEntropyTarget {
  peer?: NodeId;
  partition?: number;
}

/**
 * A key an exchange found behind on one side or both, with the stored bytes it saw: the local
 * record before the merge (undefined: this node lacked the key), the peer's (undefined: the peer
 * lacked it), and the state both hold after. Decoded into a RepairedKey only when listed.
 */
interface KeyRepair {
  id: string;
  localBefore: Bytes | undefined;
  peerBefore: Bytes | undefined;
  after: Bytes;
  localBehind: boolean;
  peerBehind: boolean;
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
  /** Keys stored per partition, kept with the trees (a transfer's size is read from it). */
  private readonly keyCounts = new Map<number, number>();
  private readonly loop: PeriodicTask;
  private cursor = 0;
  /** The last antiEntropyRunsKept runs, newest first. */
  private readonly recent: AntiEntropyRun[] = [];
  private runCount = 0;
  readonly totals = { exchanges: 0, keysRepaired: 0, bytesSent: 0, skipped: 0 };

  constructor(private readonly options: AntiEntropyOptions) {
    this.loop = new PeriodicTask(options.clock, options.intervalMs, () => this.tick(), (error) =>
      options.failures.record('anti-entropy', error),
    );
  }

  /** Builds every partition's tree from the store; `visit` sees every stored key on the way (one scan at start serves more than the trees). */
  async rebuild(visit?: (dataKey: Bytes) => void): Promise<void> {
    this.trees.clear();
    this.keyCounts.clear();
    for await (const [dataKey, bytes] of this.options.store.data.range({})) {
      this.record(dataKeyPartition(dataKey), dataKey, undefined, bytes);
      visit?.(dataKey);
    }
  }

  /** Keeps the trees current: called for every write of a data key. */
  record(partition: number, dataKey: Bytes, before: Bytes | undefined, after: Bytes | undefined): void {
    const tree = this.tree(partition);
    tree.update(tree.segmentOf(digest(dataKey)), before && itemHash(dataKey, before), after && itemHash(dataKey, after));
    const added = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
    if (added !== 0) this.keyCounts.set(partition, (this.keyCounts.get(partition) ?? 0) + added);
  }

  /** How many keys (tombstones included) this node stores in `partition` now. */
  keyCount(partition: number): number {
    return this.keyCounts.get(partition) ?? 0;
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

  /** Whether this node replicates `partition` (a manual run may be limited to one it does). */
  replicates(partition: number): boolean {
    return this.options.partitions().includes(partition);
  }

  /** The other replicas of `partition` (its preference list without this node). */
  peersOf(partition: number): NodeId[] {
    return this.options.replicasOf(partition).filter((node) => node !== this.options.self);
  }

  /** The runs kept, newest first. */
  runs(): AntiEntropyRun[] {
    return [...this.recent];
  }

  /**
   * A manual run: exchanges every partition this node replicates (or `target.partition`) with
   * its other replicas (or `target.peer` only), one after the other; repaired keys are in place
   * when it resolves. Without a `target.peer`, a peer whose exchange fails (down, cut off, too
   * slow) is given up on for the rest of the run and named in `peersFailed`, and the run goes on
   * with the others: a run over a cluster with a node down repairs everything else. A peer named
   * in the target ends the run when it fails: the run is kept (and reported) with its error, and
   * the promise rejects.
   */
  async run(target: AntiEntropyTarget = {}): Promise<AntiEntropyRun> {
    const partitions = target.partition === undefined ? this.options.partitions() : [target.partition];
    const pairs: Array<[number, NodeId]> = [];
    for (const partition of partitions) {
      for (const peer of this.peersOf(partition)) if (target.peer === undefined || peer === target.peer) pairs.push([partition, peer]);
    }
    return this.runPairs('manual', target, pairs, target.peer === undefined);
  }

  private async runPairs(
    trigger: AntiEntropyTrigger,
    target: AntiEntropyTarget,
    pairs: ReadonlyArray<[number, NodeId]>,
    /** Go on without a peer whose exchange fails (a manual run over every peer). */
    giveUpOnFailedPeers = false,
  ): Promise<AntiEntropyRun> {
    const run: AntiEntropyRun = {
      runId: `${this.options.self}-${this.options.clock.now().toString(36)}-${++this.runCount}`,
      trigger,
      ...target,
      startedAt: this.options.clock.now(),
      finishedAt: 0,
      ...emptyReport(),
      exchanges: [],
      exchangesOmitted: 0,
      repairedKeys: [],
      repairedKeysOmitted: 0,
    };
    const failed = new Map<NodeId, string>();
    const events = this.options.events;
    try {
      for (const [partition, peer] of pairs) {
        if (failed.has(peer)) continue;
        let report: AntiEntropyReport;
        try {
          report = await this.exchange(partition, peer, (repair) => this.list(run, partition, peer, repair));
        } catch (error) {
          if (!giveUpOnFailedPeers) throw error;
          failed.set(peer, errorText(error));
          run.peersFailed = [...failed].map(([id, message]) => ({ peer: id, error: message }));
          continue;
        }
        addReports(run, report);
        const { segmentsDiffering, keysRepaired, bytesSent } = report;
        if (run.exchanges.length < antiEntropyExchangesListedMax) run.exchanges.push({ partition, peer, segmentsDiffering, keysRepaired, bytesSent });
        else run.exchangesOmitted++;
        if (trigger === 'manual') {
          events.emit({ type: 'anti-entropy-progress', runId: run.runId, partition, peer, done: run.partitionsCompared, total: pairs.length, segmentsDiffering, keysRepaired });
        }
      }
    } catch (error) {
      run.error = errorText(error);
      throw error;
    } finally {
      run.finishedAt = this.options.clock.now();
      this.recent.unshift(run);
      if (this.recent.length > antiEntropyRunsKept) this.recent.pop();
      if (trigger === 'manual' || run.keysRepaired > 0) {
        const { runId, startedAt, finishedAt, partitionsCompared, segmentsDiffering, keysRepaired, bytesSent } = run;
        const report = { partitionsCompared, segmentsDiffering, keysRepaired, bytesSent };
        const optional = { ...(run.partition === undefined ? {} : { partition: run.partition }), ...(run.error === undefined ? {} : { error: run.error }) };
        events.emit({ type: 'anti-entropy', peer: run.peer, trigger, report, runId, startedAt, finishedAt, ...optional });
      }
    }
    return run;
  }

  /** Lists a repaired key on its run, decoding its versions, or counts it once the list is full. */
  private list(run: AntiEntropyRun, partition: number, peer: NodeId, repair: KeyRepair): void {
    if (run.repairedKeys.length >= repairedKeysListedMax) {
      run.repairedKeysOmitted++;
      return;
    }
    const { bucket, key } = decodeDataKey(Buffer.from(repair.id, 'latin1'));
    const after = summarize(repair.after);
    const side = (before: Bytes | undefined) => ({ before: summarize(before), after });
    const versions: RepairedKey['versions'] = {};
    if (repair.localBehind) versions.local = side(repair.localBefore);
    if (repair.peerBehind) versions.peer = side(repair.peerBefore);
    const behind = repair.localBehind && repair.peerBehind ? 'both' : repair.localBehind ? 'local' : 'peer';
    run.repairedKeys.push({ bucket, key, partition, peer, behind, versions });
  }

  /**
   * One exchange of `partition` with `peer`; repaired keys are in place when it resolves, and
   * each is told to `repaired`. A key counts as repaired when the exchange changed a replica:
   * this one (the peer had versions it lacked) or the peer's (the other way), or both.
   */
  private async exchange(partition: number, peer: NodeId, repaired: (repair: KeyRepair) => void): Promise<ExchangeReport> {
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
    const different = new Set(diff.different);
    const repairs = new Map<string, KeyRepair>();

    // Theirs that differ or that we lack: fetch and merge here.
    const fetch = [...diff.different, ...diff.missingLocal].slice(0, exchangeKeysMax);
    if (fetch.length > 0) {
      const fetched = await this.call(peer, { type: 'ae.fetch', p: partition, keys: fetch });
      if (!Array.isArray(fetched.recs) || fetched.recs.length !== fetch.length) throw new MessageError('ae.fetch: bad reply');
      for (let i = 0; i < fetch.length; i++) {
        const rec = fetched.recs[i];
        if (!(rec instanceof Uint8Array)) continue;
        report.bytesSent += rec.byteLength;
        const { bucket, key } = decodeDataKey(Buffer.from(fetch[i], 'latin1'));
        const localBefore = different.has(fetch[i]) ? await this.options.replica.readBytes(partition, bucket, key) : undefined;
        await this.options.replica.mergeData(partition, bucket, key, decodeRecord(rec));
        const after = await this.options.replica.readBytes(partition, bucket, key);
        if (after === undefined) continue;
        // Stored states are canonical, so equal states have equal bytes on both replicas.
        const localBehind = localBefore === undefined || !sameBytes(localBefore, after);
        repairs.set(fetch[i], { id: fetch[i], localBefore, peerBefore: rec, after, localBehind, peerBehind: !sameBytes(rec, after) });
      }
    }
    // Ours that differ or that they lack, unless they already hold what we hold: push our (now merged) state.
    const push = [...diff.different, ...diff.missingRemote].slice(0, exchangeKeysMax);
    for (const id of push) {
      const known = repairs.get(id);
      if (known !== undefined && !known.peerBehind) continue;
      const { bucket, key } = decodeDataKey(Buffer.from(id, 'latin1'));
      const rec = known?.after ?? (await this.options.replica.readBytes(partition, bucket, key));
      if (rec === undefined) continue;
      report.bytesSent += rec.byteLength;
      await this.call(peer, { type: 'replica.merge', b: bucket, k: key, rec });
      repairs.set(id, known ?? { id, localBefore: rec, peerBefore: undefined, after: rec, localBehind: false, peerBehind: true });
    }
    for (const repair of repairs.values()) {
      if (!repair.localBehind && !repair.peerBehind) continue;
      report.keysRepaired++;
      repaired(repair);
    }
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
    await this.runPairs('background', { partition, peer }, [[partition, peer]]);
  }
}

/** md5(data key), which places a key in its tree's segment: the pure MD5, cheaper than node:crypto's on a few bytes. */
function digest(dataKey: Bytes): Uint8Array {
  return md5(dataKey);
}

/** The first 8 bytes of md5(data key ‖ stored record): equal states hash alike on every replica. */
function itemHash(dataKey: Bytes, record: Bytes): Uint8Array {
  return createHash('md5').update(dataKey).update(record).digest().subarray(0, itemHashBytes);
}

/** A stored record's versions as a repair report lists them (no values); none for an absent record. */
function summarize(record: Bytes | undefined): VersionSummary[] {
  if (record === undefined) return [];
  return decodeRecord(record)
    .siblings.slice(0, repairedVersionsListedMax)
    .map((sibling) => ({ dot: { node: sibling.node, counter: sibling.counter }, clock: clockOf(sibling), deleted: sibling.deleted, size: sibling.value.byteLength }));
}

function sameBytes(a: Bytes, b: Bytes): boolean {
  return Buffer.compare(a, b) === 0;
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
