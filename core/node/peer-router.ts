// Requests from peers, validated at the edge (messages.ts) and routed to the part that answers
// them: replica reads and merges, forwarded puts, tombstone collection, key listings,
// anti-entropy, transfers and membership. A malformed request is refused (counted) with `bad_message`; it never reaches
// the store.

import type { NodeId } from '../common/types.js';
import type { PeerMessage } from '../net/transport.js';
import type { AntiEntropy } from './anti-entropy.js';
import type { ClusterMembership } from './cluster-membership.js';
import type { Coordination, PutOutcome } from './coordination.js';
import type { KeyListing } from './key-listing.js';
import { NotInClusterError, type KeyPlacement } from './key-placement.js';
import { validatePeerRequest, type Ack, type Hinted, type PutDone, type ReplicaState } from './messages.js';
import { decodeRecord, encodeRecord, validateCausalContext } from './record-codec.js';
import type { Replica } from './replica.js';
import type { Transfers } from './transfers.js';

export interface PeerRouterOptions {
  self: NodeId;
  n: number;
  placement: KeyPlacement;
  replica: Replica;
  coordination: Coordination;
  antiEntropy: AntiEntropy;
  transfers: Transfers;
  membership: ClusterMembership;
  keys: KeyListing;
}

export interface PeerCounters {
  peerRequests: number;
  peerRequestsRejected: number;
}

export class PeerRouter {
  readonly counters: PeerCounters = { peerRequests: 0, peerRequestsRejected: 0 };
  private readonly running = new Set<Promise<PeerMessage>>();
  private closed = false;

  constructor(private readonly options: PeerRouterOptions) {}

  /** Answers one peer request; while closing, refuses new ones with `unavailable`. */
  readonly handle = (from: NodeId, message: PeerMessage): Promise<PeerMessage> => {
    if (this.closed) return Promise.reject(new NotInClusterError('unavailable', `${this.options.self} is stopping`));
    const answer = this.answer(from, message);
    this.running.add(answer);
    const forget = () => this.running.delete(answer);
    answer.then(forget, forget);
    return answer;
  };

  /** Refuses new requests and resolves once those being answered are done. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }

  private async answer(from: NodeId, message: PeerMessage): Promise<PeerMessage> {
    this.counters.peerRequests++;
    let request;
    try {
      request = validatePeerRequest(message);
    } catch (error) {
      this.counters.peerRequestsRejected++;
      throw error;
    }
    const { placement, replica } = this.options;
    switch (request.type) {
      case 'replica.get': {
        const partition = placement.partitionOf(request.b, request.k);
        const rec =
          request.h === undefined
            ? await replica.readBytes(partition, request.b, request.k)
            : await replica.readHint(request.h, partition, request.b, request.k);
        return { type: 'replica.state', rec: rec ?? null } satisfies ReplicaState;
      }
      case 'replica.merge': {
        const partition = placement.partitionOf(request.b, request.k);
        const incoming = decodeRecord(request.rec);
        const durable = request.d === true;
        if (request.h === undefined || request.h === this.options.self) await replica.mergeData(partition, request.b, request.k, incoming, durable);
        else await replica.mergeHint(request.h, partition, request.b, request.k, incoming, durable);
        return durable || replica.syncsEveryWrite ? ({ type: 'ack', d: true } satisfies Ack) : ({ type: 'ack' } satisfies Ack);
      }
      case 'coord.put': {
        const context = validateCausalContext(request.ctx);
        const w = Math.min(request.w, this.options.n);
        const outcome = await this.options.coordination.put(request.b, request.k, {
          context,
          value: request.v,
          contentType: request.ct,
          deleted: request.del,
          w,
          dw: request.dw === undefined ? undefined : Math.min(request.dw, w),
          trace: request.tr === true,
        });
        return putDone(outcome);
      }
      case 'replica.reap': {
        const partition = placement.partitionOf(request.b, request.k);
        return { type: 'reaped', removed: await replica.reap(partition, request.b, request.k, request.rec) };
      }
      case 'replica.hinted': {
        const partition = placement.partitionOf(request.b, request.k);
        return { type: 'hinted', any: await replica.holdsHint(partition, request.b, request.k) } satisfies Hinted;
      }
      case 'replica.keys':
        return this.options.keys.answerKeys(request);
      case 'replica.buckets':
        return this.options.keys.answerBuckets(request);
      case 'ping':
        return { type: 'pong' };
      case 'ae.hashes':
      case 'ae.keys':
      case 'ae.fetch':
        return this.options.antiEntropy.answer(request);
      case 'transfer.batch':
        return this.options.transfers.receive(request);
      default:
        return this.options.membership.answer(from, request);
    }
  }
}

function putDone(outcome: PutOutcome): PutDone {
  const done = putDoneOf(outcome);
  if (outcome.traceId !== undefined) done.trace = outcome.traceId;
  return done;
}

function putDoneOf(outcome: PutOutcome): PutDone {
  switch (outcome.kind) {
    case 'ok':
      return { type: 'coord.put.done', outcome: 'ok', rec: encodeRecord(outcome.state), node: outcome.dot[0], counter: outcome.dot[1] };
    case 'quorum': {
      const done: PutDone = { type: 'coord.put.done', outcome: 'quorum', acks: outcome.acks, required: outcome.required };
      if (outcome.requiredDurable !== undefined) {
        done.durable = outcome.durable;
        done.requiredDurable = outcome.requiredDurable;
      }
      return done;
    }
    case 'error':
      return { type: 'coord.put.done', outcome: 'error', code: outcome.code, message: outcome.message };
  }
}
