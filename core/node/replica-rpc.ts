// Reads and writes of one key's replica on a target node, local or remote (Dynamo §4.5–4.6):
// the coordinator's side of `replica.get` and `replica.merge`. Every remote call keeps the
// failure detector informed. A write to a fallback carries the hint (the primary it is meant
// for); a write that fails on a primary goes on to the next healthy node beyond the request's
// targets, with a hint, so a node that dies mid-request costs no ack.
//
// A write may be asked to be durable (the request's dw > 0): the message carries `d`, the
// replica stores it with a synced write, and its ack says whether the write is durable.

import type { NodeId } from '../common/types.js';
import type { PeerMessage, Transport } from '../net/transport.js';
import type { SiblingSet } from '../version/sibling-set.js';
import type { FailureDetector } from './failure-detector.js';
import type { KeyPlacement } from './key-placement.js';
import { MessageError, type Ack, type ReplicaState } from './messages.js';
import { decodeRecord } from './record-codec.js';
import type { Replica } from './replica.js';

export interface ReplicaRpcOptions {
  self: NodeId;
  replica: Replica;
  transport: Transport;
  detector: FailureDetector;
  placement: KeyPlacement;
  hintedHandoff: boolean;
  requestTimeoutMs: number;
  /** Counts replica writes sent to fallbacks with a hint. */
  onHintedWrite: () => void;
}

/** Where one key's replica request goes. */
export interface ReplicaAddress {
  partition: number;
  bucket: string;
  key: string;
}

/** Watches a fallback's write (the fallback, the primary it holds the hint for); returns it unchanged. */
export type FallbackObserver = (fallback: NodeId, primary: NodeId, writing: Promise<boolean>) => Promise<boolean>;

export class ReplicaRpc {
  constructor(private readonly options: ReplicaRpcOptions) {}

  /** The state `node` holds for the key (null: none); a fallback answers from its hints for `hint`. */
  async read(node: NodeId, hint: NodeId | undefined, at: ReplicaAddress): Promise<SiblingSet | null> {
    if (node === this.options.self) {
      const bytes = await this.options.replica.readBytes(at.partition, at.bucket, at.key);
      return bytes === undefined ? null : decodeRecord(bytes);
    }
    const message: PeerMessage =
      hint === undefined ? { type: 'replica.get', b: at.bucket, k: at.key } : { type: 'replica.get', b: at.bucket, k: at.key, h: hint };
    const reply = (await this.request(node, message)) as ReplicaState;
    if (reply.type !== 'replica.state') throw new MessageError('bad reply to replica.get');
    return reply.rec === null ? null : decodeRecord(reply.rec);
  }

  /**
   * Merges the encoded state into `node`'s replica (or into its hints for `hint`), with a synced
   * write when `durable`. Resolves with whether the write is durable, as the node acked it (a
   * node that predates the flag never says so).
   */
  async write(node: NodeId, hint: NodeId | undefined, at: ReplicaAddress, encoded: Uint8Array, durable = false): Promise<boolean> {
    const { replica } = this.options;
    if (node === this.options.self) {
      await replica.mergeData(at.partition, at.bucket, at.key, decodeRecord(encoded), durable);
      return durable || replica.syncsEveryWrite;
    }
    if (hint !== undefined) this.options.onHintedWrite();
    const message: PeerMessage =
      hint === undefined
        ? { type: 'replica.merge', b: at.bucket, k: at.key, rec: encoded }
        : { type: 'replica.merge', b: at.bucket, k: at.key, rec: encoded, h: hint };
    if (durable) message.d = true;
    const reply = await this.request(node, message);
    if (reply.type !== 'ack') throw new MessageError('bad reply to replica.merge');
    return (reply as Ack).d === true;
  }

  /**
   * A primary failed a replicated write (§4.6: "if A is temporarily down or unreachable during
   * a write operation then a replica that would normally have lived on A will now be sent to
   * node D"): the write goes to the next healthy node beyond the request's targets (`used`),
   * with a hint for the primary; its ack stands for the primary's. Rethrows `error` when there
   * is no such node, when hinted handoff is off, or when the failed target was itself a fallback.
   * `observe` (a traced request's) sees the fallback's write as it is sent, and passes it on.
   *
   * A durable write stays durable on the fallback (its hint is stored with a synced write), and
   * the fallback's durable ack counts toward DW for the primary, as Riak counts fallbacks' DW:
   * the write is on stable storage on that many nodes, which is what DW promises; where it
   * lives is W's business (sloppy quorum), and the hint is handed to the primary later.
   */
  async writeToFallback(
    at: ReplicaAddress,
    primary: NodeId,
    hint: NodeId | undefined,
    used: Set<NodeId>,
    encoded: Uint8Array,
    durable: boolean,
    error: unknown,
    observe?: FallbackObserver,
  ): Promise<boolean> {
    if (!this.options.hintedHandoff || hint !== undefined) throw error;
    const { placement, detector } = this.options;
    const fallback = placement.ring().extendedPreferenceList(at.partition).find((node) => !used.has(node) && detector.isUp(node));
    if (fallback === undefined) throw error;
    used.add(fallback);
    const writing = this.write(fallback, primary, at, encoded, durable);
    return observe === undefined ? writing : observe(fallback, primary, writing);
  }

  /** A request to a peer that keeps the failure detector informed. */
  async request(node: NodeId, message: PeerMessage, timeoutMs = this.options.requestTimeoutMs): Promise<PeerMessage> {
    try {
      const reply = await this.options.transport.request(node, message, { timeoutMs });
      this.options.detector.reportSuccess(node);
      return reply;
    } catch (error) {
      this.options.detector.reportFailure(node, error);
      throw error;
    }
  }
}
