// The node's side of membership (Dynamo §4.8): it runs the pure GossipCore
// (core/membership/gossip.ts) over the transport once a second, persists its snapshot in the
// store's meta space whenever members or the ring change, keeps the transport's peer addresses
// current, and tells the node when to re-route and re-check transfers.

import type { Clock } from '../common/clock.js';
import type { Random } from '../common/random.js';
import type { Member, MemberState, NodeId } from '../common/types.js';
import { formedClusterSnapshot, GossipCore, type MemberView } from '../membership/gossip.js';
import { isMembershipMessageType } from '../membership/messages.js';
import { addressPeer, isAddressPeer } from '../net/address.js';
import { TransportError, type PeerMessage, type Transport } from '../net/transport.js';
import type { Ring } from '../ring/ring.js';
import type { Store } from '../storage/store.js';
import { CodedError } from '../common/coded-error.js';
import type { BackgroundFailures } from './background-failures.js';
import { PeriodicTask } from './periodic-task.js';

const snapshotKey = new TextEncoder().encode('membership');
const generationKey = new TextEncoder().encode('generation');

export class MembershipRefused extends CodedError<string> {
  override name = 'MembershipRefused';
}

export interface ClusterMembershipOptions {
  self: Member;
  store: Store;
  transport: Transport;
  clock: Clock;
  random: Random;
  ringSize: number;
  n: number;
  /** host:peerport (or node ids, in the simulator) of seed nodes. */
  seeds: readonly string[];
  /** A cluster formed from a static list (`cluster start` on a fresh directory). */
  formed?: { cluster: string; members: readonly Member[] };
  gossipIntervalMs: number;
  /** Phi above which a silent member is down (Cassandra's phi_convict_threshold; 8 by default). */
  phiThreshold?: number;
  requestTimeoutMs: number;
  /** Seeds are addressed by "host:port" over TCP (true) or by node id (the simulator). */
  seedsAreAddresses: boolean;
  failures: BackgroundFailures;
}

export class ClusterMembership {
  private core!: GossipCore;
  private readonly loop: PeriodicTask;
  private readonly listeners = new Set<() => void>();
  private lastSerial = -1;
  private persisting: Promise<void> = Promise.resolve();

  constructor(private readonly options: ClusterMembershipOptions) {
    this.loop = new PeriodicTask(options.clock, options.gossipIntervalMs, () => this.round(), (error) =>
      options.failures.record('gossip', error),
    );
  }

  /** Builds the core from the persisted snapshot, the formed cluster, or nothing (a new node). */
  async load(): Promise<void> {
    const { store, self, clock } = this.options;
    const generationBytes = await store.meta.get(generationKey);
    const generation = generationBytes === undefined ? 1 : Number(new TextDecoder().decode(generationBytes)) + 1;
    await store.meta.put(generationKey, new TextEncoder().encode(String(generation)));
    const persisted = await store.meta.get(snapshotKey);
    let snapshot: unknown;
    if (persisted !== undefined) snapshot = JSON.parse(new TextDecoder().decode(persisted));
    else if (this.options.formed !== undefined) {
      snapshot = formedClusterSnapshot(
        this.options.formed.cluster,
        this.options.formed.members,
        this.options.ringSize,
        this.options.n,
        this.options.seeds,
      );
    }
    this.core = new GossipCore({
      self,
      ringSize: this.options.ringSize,
      n: this.options.n,
      seeds: this.options.seeds,
      generation,
      nowMs: clock.now(),
      snapshot,
      gossipIntervalMs: this.options.gossipIntervalMs,
      phiThreshold: this.options.phiThreshold,
    });
    // A restart on other ports (or with another weight) updates this node's own record.
    const record = this.core.record(self.id);
    if (record !== undefined && (record.http !== self.http || record.peer !== self.peer || record.weight !== self.weight)) {
      this.core.updateSelf({ http: self.http, peer: self.peer, weight: self.weight }, clock.now());
    }
    await this.changed();
  }

  start(): void {
    this.loop.start();
  }

  /** Stops gossip; resolves once a round in progress and the last snapshot write have finished. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.persisting;
  }

  /** Called after every change of members or ring (the node re-routes, transfers re-check). */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  ring(): Ring | undefined {
    return this.core.ring();
  }

  futureRing(): Ring | undefined {
    return this.core.futureRing();
  }

  members(): MemberView[] {
    return this.core.members();
  }

  isUp(id: NodeId): boolean {
    return this.core.isUp(id, this.options.clock.now());
  }

  memberState(id: NodeId): MemberState | undefined {
    return this.core.memberState(id, this.options.clock.now());
  }

  reportUnreachable(id: NodeId): void {
    this.core.reportUnreachable(id, this.options.clock.now());
  }

  reportReachable(id: NodeId): void {
    this.core.reportReachable(id, this.options.clock.now());
  }

  /** Members with a local "down" verdict (failure-detector.ts probes them). */
  locallyDown(): NodeId[] {
    return this.core.locallyDown();
  }

  /** Every transfer the current ring implies (from, to, partition). */
  transfers() {
    return this.core.transfers();
  }

  /** The partition's pending owner in this node's view (transfers check it before completing). */
  pendingOwner(partition: number): NodeId | undefined {
    return this.core.pendingOwner(partition);
  }

  /** A digest of the gossiped state: equal on two nodes exactly when they agree. */
  digest(): string {
    return this.core.digest();
  }

  async join(seed: string): Promise<void> {
    this.check(this.core.join(seed, this.options.clock.now()));
    await this.changed();
  }

  async leave(): Promise<void> {
    this.check(this.core.leave(this.options.clock.now()));
    await this.changed();
  }

  async completeTransfer(partition: number, to: NodeId): Promise<boolean> {
    const done = this.core.completeTransfer(partition, to, this.options.clock.now());
    await this.changed();
    return done;
  }

  /** Answers a gossip message from a peer. */
  async answer(from: NodeId, message: PeerMessage): Promise<PeerMessage> {
    const result = this.core.receive(from, message, this.options.clock.now());
    await this.changed();
    if (!result.ok) throw new MembershipRefused(result.code, result.message);
    return (result.reply ?? { type: 'membership.ok' }) as PeerMessage;
  }

  static isMessage(message: PeerMessage): boolean {
    return isMembershipMessageType(message.type);
  }

  /** One gossip round: a syn to a live member (maybe a down one, maybe a seed), ack, ack2. */
  private async round(): Promise<void> {
    const { transport, clock, random } = this.options;
    const sends = this.core.tick(clock.now(), random);
    await Promise.all(
      sends.map(async (send) => {
        let to = send.to;
        if (to === undefined && send.seed !== undefined) {
          if (this.options.seedsAreAddresses) {
            to = addressPeer(send.seed);
            transport.setPeerAddress(to, send.seed);
          } else to = send.seed;
        }
        if (to === undefined) return;
        try {
          const answer = await transport.request(to, send.message as unknown as PeerMessage, { timeoutMs: this.options.requestTimeoutMs });
          if (!isAddressPeer(to)) this.core.reportReachable(to, clock.now());
          const result = this.core.receive(isAddressPeer(to) ? undefined : to, answer, clock.now());
          if (result.ok && result.reply !== undefined) {
            const target = isAddressPeer(to) ? (answer as { from?: unknown }).from : to;
            if (typeof target === 'string') {
              await transport.request(target, result.reply as unknown as PeerMessage, { timeoutMs: this.options.requestTimeoutMs }).catch(() => undefined);
            }
          }
        } catch (error) {
          // A member that refuses or drops the connection is down for routing now (the local
          // verdict, §4.8.3); phi-accrual alone would take many silent rounds. A later answer
          // (gossip probes down members) clears it.
          if (!isAddressPeer(to) && error instanceof TransportError && (error.code === 'unreachable' || error.code === 'timeout')) {
            this.core.reportUnreachable(to, clock.now());
          }
        }
      }),
    );
    await this.changed();
  }

  /** After any call: persist, re-address and notify when members or the ring changed. */
  private async changed(): Promise<void> {
    if (this.core.serial === this.lastSerial) return;
    this.lastSerial = this.core.serial;
    for (const member of this.core.members()) {
      if (member.id !== this.options.self.id) this.options.transport.setPeerAddress(member.id, member.peer);
    }
    const bytes = new TextEncoder().encode(JSON.stringify(this.core.snapshot()));
    // Persist in order: a slower earlier write must not overwrite a later snapshot.
    this.persisting = this.persisting
      .then(() => this.options.store.meta.put(snapshotKey, bytes))
      .catch((error: unknown) => this.options.failures.record('membership-snapshot', error));
    for (const listener of this.listeners) listener();
    await this.persisting;
  }

  private check(result: { ok: true } | { ok: false; code: string; message: string }): void {
    if (!result.ok) throw new MembershipRefused(result.code, result.message);
  }
}
