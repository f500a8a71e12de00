// DynamoNode: one storage node, wired from the pure parts (ring, versioning, coordinator
// machines) and the injected world (Store, Transport, Clock). The same class runs as a real
// process over TCP and LevelDB, and many times over in the deterministic simulator.
//
// Data path (Dynamo §4.5): any node coordinates a GET (it reads the key's N replicas and
// answers after R); a PUT is coordinated by a node of the key's preference list, which mints
// the new version against its own replica and sends the result to the others (W acks answer).
// A node outside the preference list forwards a PUT to the first preference-list node that
// answers.

import { createHash } from 'node:crypto';
import { createActor } from 'xstate';
import type { Clock } from '../common/clock.js';
import { requestTimeoutMsDefault } from '../common/limits.js';
import type { Member, NodeId } from '../common/types.js';
import { repairs as repairsOf } from '../coordinator/get-core.js';
import type { GetResponse } from '../coordinator/get-core.js';
import { getMachine } from '../coordinator/get.machine.js';
import type { GetEvent } from '../coordinator/get.machine.js';
import { putMachine } from '../coordinator/put.machine.js';
import type { PutEvent, PutInput, PutResponse, PutWrite } from '../coordinator/put.machine.js';
import type { PeerMessage, Transport } from '../net/transport.js';
import { TransportError } from '../net/transport.js';
import { partitionOfDigest } from '../ring/partitioner.js';
import { Ring } from '../ring/ring.js';
import { encodeDataKey } from '../storage/keys.js';
import type { Store } from '../storage/store.js';
import { coordinatePut, mergeSiblingSets, siblingSetEquals } from '../version/sibling-set.js';
import type { SiblingSet } from '../version/sibling-set.js';
import type { CausalContext } from '../version/causal-context.js';
import { KeyLocks } from './key-locks.js';
import { MessageError, validatePeerRequest } from './messages.js';
import type { CoordinatePut, PutDone, ReplicaState } from './messages.js';
import { decodeRecord, encodeRecord, validateCausalContext } from './record-codec.js';

export interface DynamoNodeOptions {
  id: NodeId;
  store: Store;
  transport: Transport;
  clock: Clock;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  members: Member[];
  requestTimeoutMs?: number;
}

export type GetOutcome =
  | { kind: 'ok'; state: SiblingSet }
  | { kind: 'quorum'; replies: number; required: number };

export type PutOutcome =
  | { kind: 'ok'; state: SiblingSet; dot: [NodeId, number] }
  | { kind: 'quorum'; acks: number; required: number }
  | { kind: 'error'; code: string; message: string };

export interface PutRequest {
  /** What the client has seen: every sibling it covers is superseded by this write. */
  context: CausalContext;
  value: Uint8Array;
  contentType: string;
  deleted: boolean;
  w?: number;
}

export interface NodeCounters {
  gets: number;
  puts: number;
  forwardedPuts: number;
  readRepairs: number;
  peerRequests: number;
  peerRequestsRejected: number;
}

const membersKey = new TextEncoder().encode('members');

type Sender<E> = { send(event: E): void; getSnapshot(): { status: string } };

/** Sends to an actor only while it runs: replies that arrive after it answered are dropped. */
function deliver<E>(actor: Sender<E>, event: E): void {
  if (actor.getSnapshot().status === 'active') actor.send(event);
}

export class DynamoNode {
  readonly id: NodeId;
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly requestTimeoutMs: number;
  readonly counters: NodeCounters = {
    gets: 0,
    puts: 0,
    forwardedPuts: 0,
    readRepairs: 0,
    peerRequests: 0,
    peerRequestsRejected: 0,
  };
  private members: Member[];
  private ringValue: Ring;
  private readonly store: Store;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly locks = new KeyLocks();
  private readonly getLogic;
  private readonly putLogic;

  constructor(options: DynamoNodeOptions) {
    this.id = options.id;
    this.n = options.n;
    this.r = options.r;
    this.w = options.w;
    this.requestTimeoutMs = options.requestTimeoutMs ?? requestTimeoutMsDefault;
    this.store = options.store;
    this.transport = options.transport;
    this.clock = options.clock;
    this.members = options.members;
    this.ringValue = Ring.create(options.ringSize, options.members, options.n);
    for (const member of options.members) {
      if (member.id !== this.id) this.transport.setPeerAddress(member.id, member.peer);
    }
    this.getLogic = this.provideGet();
    this.putLogic = this.providePut();
  }

  get ring(): Ring {
    return this.ringValue;
  }

  get memberList(): readonly Member[] {
    return this.members;
  }

  async start(): Promise<void> {
    await this.store.meta.put(membersKey, new TextEncoder().encode(JSON.stringify(this.members)));
    this.transport.onRequest((from, message) => this.handlePeer(from, message));
  }

  /** Where a key lives: its partition and preference list. */
  locate(bucket: string, key: string): { partition: number; preference: readonly NodeId[] } {
    const partition = partitionOfDigest(keyDigest(bucket, key), this.ringValue.ringSize);
    return { partition, preference: this.ringValue.preferenceList(partition) };
  }

  // ── Client operations ───────────────────────────────────────────────────────────────────

  get(bucket: string, key: string, r = this.r): Promise<GetOutcome> {
    this.counters.gets++;
    const { partition, preference } = this.locate(bucket, key);
    return new Promise((resolve) => {
      const respond = (response: GetResponse) =>
        resolve(response.kind === 'ok' ? { kind: 'ok', state: response.state } : response);
      createActor(this.getLogic, {
        clock: this.clock,
        input: { bucket, key, partition, targets: preference, r, timeoutMs: this.requestTimeoutMs, respond },
      }).start();
    });
  }

  put(bucket: string, key: string, request: PutRequest): Promise<PutOutcome> {
    this.counters.puts++;
    const w = request.w ?? this.w;
    const { partition, preference } = this.locate(bucket, key);
    if (!preference.includes(this.id)) return this.forwardPut(bucket, key, request, w, preference);
    const targets = [this.id, ...preference.filter((node) => node !== this.id)];
    const write: PutWrite = { value: request.value, contentType: request.contentType, deleted: request.deleted };
    return this.coordinate({ bucket, key, partition, targets, w, context: request.context, write });
  }

  /** This node's own replica of a key, without quorum or forwarding. */
  async localState(bucket: string, key: string): Promise<SiblingSet | undefined> {
    const { partition } = this.locate(bucket, key);
    const bytes = await this.store.data.get(encodeDataKey(partition, bucket, key));
    return bytes === undefined ? undefined : decodeRecord(bytes);
  }

  // ── Coordination ────────────────────────────────────────────────────────────────────────

  private coordinate(request: Omit<PutInput, 'timeoutMs' | 'respond'>): Promise<PutOutcome> {
    return new Promise((resolve) => {
      const respond = (response: PutResponse) => {
        if (response.kind !== 'ok') return resolve(response);
        const counter = response.state.vv[this.id];
        resolve({ kind: 'ok', state: response.state, dot: [this.id, counter] });
      };
      createActor(this.putLogic, {
        clock: this.clock,
        input: { ...request, timeoutMs: this.requestTimeoutMs, respond },
      }).start();
    });
  }

  private async forwardPut(
    bucket: string,
    key: string,
    request: PutRequest,
    w: number,
    preference: readonly NodeId[],
  ): Promise<PutOutcome> {
    this.counters.forwardedPuts++;
    const message: CoordinatePut = {
      type: 'coord.put',
      b: bucket,
      k: key,
      ctx: request.context,
      v: request.value,
      ct: request.contentType,
      del: request.deleted,
      w,
    };
    let acks = 0;
    for (const node of preference) {
      let reply: PeerMessage;
      try {
        reply = await this.transport.request(node, message, { timeoutMs: this.requestTimeoutMs * 2 });
      } catch (error) {
        // Only a coordinator that never got the request may be replaced by the next one: a
        // timed-out request may still be applied, and a retry elsewhere would add a sibling.
        if (error instanceof TransportError && (error.code === 'unreachable' || error.code === 'overloaded')) continue;
        return { kind: 'quorum', acks, required: w };
      }
      const done = reply as PutDone;
      if (done.type !== 'coord.put.done') return { kind: 'error', code: 'internal', message: 'bad reply from coordinator' };
      if (done.outcome === 'ok' && done.rec instanceof Uint8Array) {
        const state = decodeRecord(done.rec);
        return { kind: 'ok', state, dot: [String(done.node), Number(done.counter)] };
      }
      if (done.outcome === 'quorum') {
        acks = Number(done.acks ?? 0);
        return { kind: 'quorum', acks, required: w };
      }
      return { kind: 'error', code: String(done.code ?? 'internal'), message: String(done.message ?? '') };
    }
    return { kind: 'quorum', acks: 0, required: w };
  }

  private provideGet() {
    return getMachine.provide({
      actions: {
        sendReads: ({ context, self }) => {
          const request = context.request;
          for (const node of request.targets) {
            this.readReplica(node, request.partition, request.bucket, request.key).then(
              (state) => deliver<GetEvent>(self, { type: 'REPLY', node, state }),
              () => deliver<GetEvent>(self, { type: 'FAILED', node }),
            );
          }
        },
        sendRepairs: ({ context }) => {
          const request = context.request;
          let encoded: Uint8Array | undefined;
          for (const repair of repairsOf(context.core)) {
            encoded ??= encodeRecord(repair.state);
            this.counters.readRepairs++;
            this.writeReplica(repair.node, request.partition, request.bucket, request.key, encoded).catch(() => {});
          }
        },
      },
    });
  }

  private providePut() {
    return putMachine.provide({
      actions: {
        coordinateLocally: ({ context, self }) => {
          const request = context.request;
          this.coordinateLocally(request).then(
            (stored) => deliver<PutEvent>(self, stored),
            (error: unknown) =>
              deliver<PutEvent>(self, { type: 'REJECTED', code: 'internal', message: String(error) }),
          );
        },
        sendWrites: ({ context, self }) => {
          const request = context.request;
          const encoded = context.encoded!;
          for (let i = 1; i < request.targets.length; i++) {
            const node = request.targets[i];
            this.writeReplica(node, request.partition, request.bucket, request.key, encoded).then(
              () => deliver<PutEvent>(self, { type: 'ACK', node }),
              () => deliver<PutEvent>(self, { type: 'FAILED', node }),
            );
          }
        },
      },
    });
  }

  // ── Replica operations ──────────────────────────────────────────────────────────────────

  private async readReplica(node: NodeId, partition: number, bucket: string, key: string): Promise<SiblingSet | null> {
    if (node === this.id) {
      const bytes = await this.store.data.get(encodeDataKey(partition, bucket, key));
      return bytes === undefined ? null : decodeRecord(bytes);
    }
    const reply = (await this.transport.request(
      node,
      { type: 'replica.get', b: bucket, k: key },
      { timeoutMs: this.requestTimeoutMs },
    )) as ReplicaState;
    if (reply.type !== 'replica.state') throw new MessageError('bad reply to replica.get');
    return reply.rec === null ? null : decodeRecord(reply.rec);
  }

  private async writeReplica(node: NodeId, partition: number, bucket: string, key: string, encoded: Uint8Array): Promise<void> {
    if (node === this.id) return this.mergeLocally(partition, bucket, key, encoded);
    const reply = await this.transport.request(
      node,
      { type: 'replica.merge', b: bucket, k: key, rec: encoded },
      { timeoutMs: this.requestTimeoutMs },
    );
    if (reply.type !== 'ack') throw new MessageError('bad reply to replica.merge');
  }

  private coordinateLocally(request: PutInput): Promise<PutEvent> {
    const storageKey = encodeDataKey(request.partition, request.bucket, request.key);
    return this.locks.run(lockName(request.partition, request.bucket, request.key), async () => {
      const bytes = await this.store.data.get(storageKey);
      const local = bytes === undefined ? undefined : decodeRecord(bytes);
      const write = {
        value: request.write.value,
        contentType: request.write.contentType,
        deleted: request.write.deleted,
        lastModified: this.clock.now(),
      };
      const result = coordinatePut(local, request.context.vv, this.id, write, request.context.dots);
      if (!result.ok) return { type: 'REJECTED', code: result.code, message: result.message };
      const encoded = encodeRecord(result.state);
      await this.store.data.put(storageKey, encoded);
      return { type: 'STORED', state: result.state, encoded };
    });
  }

  /** Merges a sibling set from a peer (a replicated write or a repair) into the local replica. */
  private mergeLocally(partition: number, bucket: string, key: string, encoded: Uint8Array): Promise<void> {
    const incoming = decodeRecord(encoded);
    const storageKey = encodeDataKey(partition, bucket, key);
    return this.locks.run(lockName(partition, bucket, key), async () => {
      const bytes = await this.store.data.get(storageKey);
      if (bytes === undefined) {
        await this.store.data.put(storageKey, encodeRecord(mergeSiblingSets(incoming, incoming)));
        return;
      }
      const local = decodeRecord(bytes);
      const merged = mergeSiblingSets(local, incoming);
      if (!siblingSetEquals(merged, local)) await this.store.data.put(storageKey, encodeRecord(merged));
    });
  }

  // ── Peer requests ───────────────────────────────────────────────────────────────────────

  private async handlePeer(_from: NodeId, message: PeerMessage): Promise<PeerMessage> {
    this.counters.peerRequests++;
    let request;
    try {
      request = validatePeerRequest(message);
    } catch (error) {
      this.counters.peerRequestsRejected++;
      throw error;
    }
    switch (request.type) {
      case 'replica.get': {
        const { partition } = this.locate(request.b, request.k);
        const rec = await this.store.data.get(encodeDataKey(partition, request.b, request.k));
        return { type: 'replica.state', rec: rec ?? null } satisfies ReplicaState;
      }
      case 'replica.merge': {
        const { partition } = this.locate(request.b, request.k);
        await this.mergeLocally(partition, request.b, request.k, request.rec);
        return { type: 'ack' };
      }
      case 'coord.put': {
        const context = validateCausalContext(request.ctx);
        const outcome = await this.put(request.b, request.k, {
          context,
          value: request.v,
          contentType: request.ct,
          deleted: request.del,
          w: Math.min(request.w, this.n),
        });
        return putDone(outcome);
      }
      case 'ping':
        return { type: 'pong' };
    }
  }
}

function putDone(outcome: PutOutcome): PutDone {
  switch (outcome.kind) {
    case 'ok':
      return {
        type: 'coord.put.done',
        outcome: 'ok',
        rec: encodeRecord(outcome.state),
        node: outcome.dot[0],
        counter: outcome.dot[1],
      };
    case 'quorum':
      return { type: 'coord.put.done', outcome: 'quorum', acks: outcome.acks, required: outcome.required };
    case 'error':
      return { type: 'coord.put.done', outcome: 'error', code: outcome.code, message: outcome.message };
  }
}

function lockName(partition: number, bucket: string, key: string): string {
  return `${partition}:${bucket.length}:${bucket}${key}`;
}

const bucketLengthByte = Buffer.alloc(1);

/** md5(len(bucket) || bucket || key): the key's place on the ring (Dynamo §4.2). */
export function keyDigest(bucket: string, key: string): Buffer {
  bucketLengthByte[0] = Buffer.byteLength(bucket);
  return createHash('md5').update(bucketLengthByte).update(bucket).update(key).digest();
}
