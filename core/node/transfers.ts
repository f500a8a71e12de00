// Ownership handoff (Dynamo §4.9, adding and removing nodes): when the ring says partition p
// moves from this node to another, this node streams the data to it (a range scan per
// partition, in batches), the receiver merges every record, and on the last batch answers
// whether it is still p's pending owner in its own view; then this node completes the transfer
// and gossip spreads the new owner. Besides p itself, the stream carries every partition whose
// future preference list gains the new owner and whose data this node holds, so the newcomer
// is a full replica wherever it becomes one. Writes during a transfer also go to the future
// replicas (DynamoNode.targetsOf), so nothing written meanwhile is lost.
//
// Progress is exact: every transfer the current ring implies is listed with its keys sent and
// its state; `pending` counts them from the moment this node adopts the ring until the
// partition has arrived. A transfer this node sends also says how many keys it will send in all
// (the keys it held in the partitions it streams when it started: an estimate, as writes go on),
// when it started, and the time left at the pace so far; the same figures go on the event stream
// when it starts, at most once a second while it runs (`transfer-progress`), and when it ends.

import type { Clock } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import type { PeerMessage, Transport } from '../net/transport.js';
import { dataKeyPartition, decodeDataKey, partitionRange } from '../storage/keys.js';
import type { Bytes, Store } from '../storage/store.js';
import type { ClusterMembership } from './cluster-membership.js';
import { MessageError } from './messages.js';
import type { BackgroundFailures } from './background-failures.js';
import { transferBatchBytesMax, transferBatchKeysMax, transferProgressIntervalMs } from './limits.js';
import type { NodeEvents } from './node-events.js';
import { PeriodicTask } from './periodic-task.js';
import { decodeRecord } from './record-codec.js';
import type { Replica } from './replica.js';

export type TransferState = 'waiting' | 'sending' | 'done' | 'failed';

export interface TransferView {
  index: number;
  from: NodeId;
  to: NodeId;
  keysSent: number;
  state: TransferState;
  /** On a transfer this node sends: the keys it will send in all (an estimate), when it started (clock ms), and the time left. */
  keysTotal?: number;
  startedAt?: number;
  etaMs?: number;
}

export interface TransfersOptions {
  self: NodeId;
  membership: ClusterMembership;
  store: Store;
  replica: Replica;
  transport: Transport;
  clock: Clock;
  requestTimeoutMs: number;
  /** Partitions streamed at once. */
  inFlightMax: number;
  retryIntervalMs: number;
  failures: BackgroundFailures;
  events: NodeEvents;
  /** Keys this node stores in a partition now. */
  keysIn: (partition: number) => number;
}

export class Transfers {
  private readonly progress = new Map<string, TransferView>();
  private readonly active = new Set<string>();
  /** Streams to new replicas already sent ("partition>target") for the future ring `streamedFor`. */
  private readonly streamed = new Set<string>();
  private streamedFor = -1;
  private readonly loop: PeriodicTask;
  private readonly running = new Set<Promise<void>>();
  private stopping = false;
  /** When each transfer in flight last reported its progress (clock ms). */
  private readonly reportedAt = new WeakMap<TransferView, number>();
  completed = 0;

  constructor(private readonly options: TransfersOptions) {
    this.loop = new PeriodicTask(options.clock, options.retryIntervalMs, async () => this.reconcile(), (error) =>
      options.failures.record('transfers', error),
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Stops retrying; resolves once the transfers in progress have ended (each stops at its next batch). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
    await Promise.all(this.running);
  }

  /** Every transfer the current ring implies, with this node's progress on those it sends. */
  list(): { pending: number; partitions: TransferView[] } {
    const partitions: TransferView[] = [];
    for (const transfer of this.options.membership.transfers()) {
      const known = this.progress.get(key(transfer.partition, transfer.to));
      partitions.push(
        known === undefined
          ? { index: transfer.partition, from: transfer.from, to: transfer.to, keysSent: 0, state: 'waiting' }
          : this.withEta(known),
      );
    }
    return { pending: partitions.length, partitions };
  }

  /** Starts the transfers this node owes, up to inFlightMax at once. */
  reconcile(): void {
    const owed = this.options.membership.transfers().filter((t) => t.from === this.options.self);
    for (const transfer of owed) {
      if (this.stopping) break;
      if (this.active.size >= this.options.inFlightMax) break;
      const id = key(transfer.partition, transfer.to);
      if (this.active.has(id)) continue;
      this.active.add(id);
      const view: TransferView = { index: transfer.partition, from: transfer.from, to: transfer.to, keysSent: 0, state: 'sending', startedAt: this.options.clock.now() };
      this.progress.set(id, view);
      const running: Promise<void> = this.send(view).finally(() => {
        this.active.delete(id);
        this.running.delete(running);
        if (view.state === 'done') this.progress.delete(id);
        const { keysTotal = 0, startedAt = 0 } = view;
        this.options.events.emit({ type: 'transfer', partition: view.index, from: view.from, to: view.to, state: view.state === 'done' ? 'done' : 'failed', keysSent: view.keysSent, keysTotal, startedAt });
      });
      this.running.add(running);
    }
  }

  /** Receiver side: merges a batch; on the last one, says whether this node is still the pending owner. */
  async receive(message: PeerMessage): Promise<PeerMessage> {
    const { p, items, last } = message;
    if (typeof p !== 'number' || !Number.isInteger(p) || !Array.isArray(items) || typeof last !== 'boolean') {
      throw new MessageError('transfer.batch: bad fields');
    }
    if (items.length > transferBatchKeysMax) throw new MessageError('transfer.batch: too many items');
    for (const item of items) {
      if (!Array.isArray(item) || item.length !== 2 || !(item[0] instanceof Uint8Array) || !(item[1] instanceof Uint8Array)) {
        throw new MessageError('transfer.batch: bad item');
      }
    }
    for (const [dataKey, rec] of items as Array<[Bytes, Bytes]>) {
      const { bucket, key: k } = decodeDataKey(dataKey);
      await this.options.replica.mergeData(dataKeyPartition(dataKey), bucket, k, decodeRecord(rec));
    }
    if (!last) return { type: 'transfer.ack', accepted: true };
    return { type: 'transfer.ack', accepted: this.options.membership.pendingOwner(p) === this.options.self };
  }

  private async send(view: TransferView): Promise<void> {
    const { membership } = this.options;
    try {
      // The partition itself, to its new owner; and every partition this node holds whose
      // preference list gains a node once the pending transfers complete, to each such node
      // (a join or a leave shifts the preference lists of the partitions before it too).
      const streams: Array<[partition: number, to: NodeId]> = [[view.index, view.to]];
      const current = membership.ring();
      const future = membership.futureRing();
      if (current !== undefined && future !== undefined) {
        for (let p = 0; p < current.ringSize; p++) {
          const now = current.preferenceList(p);
          if (!now.includes(this.options.self)) continue;
          for (const node of future.preferenceList(p)) {
            if (!now.includes(node) && !(p === view.index && node === view.to)) streams.push([p, node]);
          }
        }
      }
      if (future !== undefined && future.version !== this.streamedFor) {
        this.streamed.clear();
        this.streamedFor = future.version;
      }
      const main = (partition: number, to: NodeId) => partition === view.index && to === view.to;
      const toSend = streams.filter(([partition, to]) => main(partition, to) || !this.streamed.has(key(partition, to)));
      view.keysTotal = toSend.reduce((sum, [partition]) => sum + this.options.keysIn(partition), 0);
      this.reportProgress(view);
      for (const [partition, to] of toSend) {
        // Another transfer may have sent this one meanwhile.
        if (!main(partition, to) && this.streamed.has(key(partition, to))) continue;
        await this.stream(view, partition, to);
        this.streamed.add(key(partition, to));
      }
      const ack = await this.call(view.to, { type: 'transfer.batch', p: view.index, items: [], last: true });
      if (ack.accepted !== true) {
        view.state = 'failed';
        return;
      }
      await membership.completeTransfer(view.index, view.to);
      this.completed++;
      view.state = 'done';
    } catch (error) {
      // The receiver went away or refused; the retry loop starts the transfer again.
      view.state = 'failed';
      if (!this.stopping) this.options.failures.record('transfers', error, { partition: view.index, to: view.to });
    }
  }

  /** Streams one partition's data to `to` in batches, counting keys sent on `view`. */
  private async stream(view: TransferView, partition: number, to: NodeId): Promise<void> {
    let batch: Array<[Bytes, Bytes]> = [];
    let bytes = 0;
    const flush = async () => {
      if (this.stopping) throw new Error('stopping');
      await this.call(to, { type: 'transfer.batch', p: view.index, items: batch, last: false });
      view.keysSent += batch.length;
      if (this.options.clock.now() - (this.reportedAt.get(view) ?? 0) >= transferProgressIntervalMs) this.reportProgress(view);
      batch = [];
      bytes = 0;
    };
    for await (const [dataKey, rec] of this.options.store.data.range(partitionRange(partition))) {
      batch.push([dataKey, rec]);
      bytes += dataKey.byteLength + rec.byteLength;
      if (batch.length >= transferBatchKeysMax || bytes >= transferBatchBytesMax) await flush();
    }
    if (batch.length > 0) await flush();
  }

  /** The view with the time left at the pace so far, while it is sent. */
  private withEta(view: TransferView): TransferView {
    const { keysTotal, startedAt, keysSent } = view;
    if (view.state !== 'sending' || keysTotal === undefined || startedAt === undefined || keysSent === 0) return { ...view };
    const elapsedMs = this.options.clock.now() - startedAt;
    return { ...view, etaMs: Math.round((Math.max(0, keysTotal - keysSent) * elapsedMs) / keysSent) };
  }

  private reportProgress(view: TransferView): void {
    this.reportedAt.set(view, this.options.clock.now());
    const { index: partition, from, to, keysSent, keysTotal = 0, startedAt = 0, etaMs } = this.withEta(view);
    this.options.events.emit({ type: 'transfer-progress', partition, from, to, keysSent, keysTotal, startedAt, ...(etaMs === undefined ? {} : { etaMs }) });
  }

  private call(to: NodeId, message: PeerMessage): Promise<PeerMessage> {
    return this.options.transport.request(to, message, { timeoutMs: this.options.requestTimeoutMs * 5 });
  }
}

function key(partition: number, to: NodeId): string {
  return `${partition}>${to}`;
}
