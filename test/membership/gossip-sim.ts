// A deterministic simulation of membership: many GossipCores in one process, each wired the way
// a node wires it (see core/membership/gossip.ts), over the simulated network (core/net) on a
// virtual clock, with one seeded random source. Transfers are simulated: the owner of a moving
// partition "streams" it for a random time and then completes it; the simulator keeps the truth
// of which nodes hold each partition's data, so it can check that ownership only ever moves to
// a node that holds the data. A seed replays a run exactly.

import { SeededRandom } from '../../core/common/random.js';
import type { NodeId } from '../../core/common/types.js';
import { GossipCore, formedClusterSnapshot as formedClusterSnapshotOf, type GossipOptions } from '../../core/membership/gossip.js';
import { canonicalState } from '../../core/membership/membership-digest.js';
import { isGone, mayOwn, type MembershipState } from '../../core/membership/membership-state.js';
import { membershipOk, type MembershipSnapshot } from '../../core/membership/messages.js';
import { SimNetwork, type SimFaults } from '../../core/net/sim-network.js';
import type { PeerMessage, Transport } from '../../core/net/transport.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';

export interface GossipSimOptions {
  seed: number;
  ringSize: number;
  n?: number;
  faults?: Partial<SimFaults>;
  gossipIntervalMs?: number;
  /** A simulated transfer takes a random time in this range. */
  transferMsMin?: number;
  transferMsMax?: number;
  /** Options for every core (phi threshold and so on). */
  core?: Partial<GossipOptions>;
  /** Check the invariants after every step (costs O(nodes·Q) per step). */
  checkInvariants?: boolean;
}

export class SimNode {
  core: GossipCore;
  transport: Transport;
  incarnation = 0;
  alive = true;
  readonly streaming = new Set<number>();

  constructor(
    readonly id: NodeId,
    core: GossipCore,
    transport: Transport,
    readonly random: SeededRandom,
  ) {
    this.core = core;
    this.transport = transport;
  }
}

export class GossipSim {
  readonly clock = new VirtualClock();
  readonly random: SeededRandom;
  readonly network: SimNetwork;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly ringSize: number;
  readonly n: number;
  readonly gossipIntervalMs: number;
  /** holders[p]: every node that has received partition p's data (the founder holds all). */
  readonly holders: Set<NodeId>[];
  readonly violations: string[] = [];
  private readonly options: GossipSimOptions;
  /** The serial each node's state had when last checked. */
  private readonly checked = new WeakMap<GossipCore, number>();
  private generation = 1;

  constructor(options: GossipSimOptions) {
    this.options = options;
    this.random = new SeededRandom(options.seed);
    this.ringSize = options.ringSize;
    this.n = options.n ?? 3;
    this.gossipIntervalMs = options.gossipIntervalMs ?? 1000;
    this.network = new SimNetwork({ random: this.random.fork(), clock: this.clock, faults: options.faults });
    this.holders = Array.from({ length: this.ringSize }, () => new Set<NodeId>());
  }

  /** Starts a node: a fresh one, or one resuming from `snapshot`. */
  addNode(id: NodeId, options: { weight?: number; seeds?: string[]; snapshot?: MembershipSnapshot } = {}): SimNode {
    const transport = this.network.transport(id);
    const core = this.makeCore(id, options.weight ?? 1, options.seeds ?? [], options.snapshot);
    const node = new SimNode(id, core, transport, this.random.fork());
    this.nodes.set(id, node);
    this.wire(node);
    return node;
  }

  /** `id` founds the cluster: it owns, and holds the data of, every partition. */
  bootstrap(id: NodeId): void {
    const result = this.node(id).core.bootstrap(this.clock.now());
    if (!result.ok) throw new Error(`bootstrap ${id}: ${result.message}`);
    for (const holders of this.holders) holders.add(id);
  }

  /**
   * Starts `ids` as a cluster formed long ago (every member up, weight 1, the ring claimed and
   * owned as claimed, each partition's data at its owner), all resuming from one snapshot.
   */
  startFormed(ids: readonly NodeId[], seeds: readonly string[]): MembershipSnapshot {
    const snapshot = formedClusterSnapshot(ids, this.ringSize, this.n, seeds);
    for (const id of ids) this.addNode(id, { snapshot });
    const ring = snapshot.ring;
    if (ring !== null) ring.owners.forEach((index, p) => this.holders[p].add(ring.ids[index]));
    return snapshot;
  }

  node(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** Crashes a node: its transport dies, its timers stop, its in-flight transfers are lost. */
  crash(id: NodeId): MembershipSnapshot {
    const node = this.node(id);
    const snapshot = node.core.snapshot();
    node.alive = false;
    node.incarnation++;
    node.streaming.clear();
    this.network.crash(id);
    return snapshot;
  }

  /** Restarts a crashed node from what it persisted (its snapshot), with a new generation. */
  restart(id: NodeId, snapshot: MembershipSnapshot): void {
    const node = this.node(id);
    const record = snapshot.records.find((r) => r.id === id);
    node.transport = this.network.restart(id);
    node.core = this.makeCore(id, record?.weight ?? 1, snapshot.seeds, snapshot);
    node.alive = true;
    node.incarnation++;
    this.wire(node);
  }

  /** Runs for `ms` of virtual time in steps, checking invariants after each step. */
  async run(ms: number, stepMs = 250): Promise<void> {
    const until = this.clock.now() + ms;
    while (this.clock.now() < until) {
      await this.clock.advance(Math.min(stepMs, until - this.clock.now()));
      this.afterStep();
    }
  }

  /** Runs until `predicate` holds (checked every step) or `maxMs` passes; returns whether it held. */
  async runUntil(predicate: () => boolean, maxMs: number, stepMs = 250): Promise<boolean> {
    const until = this.clock.now() + maxMs;
    while (!predicate()) {
      if (this.clock.now() >= until) return false;
      await this.clock.advance(stepMs);
      this.afterStep();
    }
    return true;
  }

  /** Alive nodes that are members (not left) of a cluster. */
  members(): SimNode[] {
    return [...this.nodes.values()].filter((node) => {
      const status = node.core.status();
      return node.alive && status !== undefined && !isGone(status);
    });
  }

  /**
   * Why the cluster has not converged yet, or undefined once it has: every alive member holds
   * the same state, no transfer is pending, every member is up, and the up members are
   * `expected` (when given).
   */
  notConverged(expected?: readonly NodeId[]): string | undefined {
    const members = this.members();
    if (members.length === 0) return 'no members';
    for (const node of members) {
      if (node.core.status() !== 'up') return `${node.id} is ${node.core.status()}`;
      if (node.core.transfers().length > 0) return `${node.id} sees ${node.core.transfers().length} transfers pending`;
    }
    const first = members[0].core.digest();
    for (const node of members) if (node.core.digest() !== first) return `${node.id} differs from ${members[0].id}`;
    // Digests agree: confirm with the full states (once, so a collision cannot pass a test).
    const state = canonicalState(members[0].core.membershipState());
    for (const node of members) {
      if (canonicalState(node.core.membershipState()) !== state) return `${node.id} has a digest collision with ${members[0].id}`;
    }
    const up = members[0].core.members().filter((m) => m.status === 'up').map((m) => m.id).sort();
    if (expected !== undefined) {
      const want = [...expected].sort();
      if (JSON.stringify(up) !== JSON.stringify(want)) return `members ${up.join(',')} but expected ${want.join(',')}`;
    }
    for (const id of up) if (!members.some((node) => node.id === id)) return `${id} is up in the state but not running`;
    return undefined;
  }

  /** The owners every node agrees on (after convergence): of the first member's ring. */
  owners(): readonly NodeId[] {
    const ring = this.members()[0]?.core.ring();
    if (ring === undefined) throw new Error('no ring');
    return ring.owners;
  }

  /** Checks what must hold at every moment on every node whose state changed; records violations. */
  checkInvariants(): void {
    for (const node of this.nodes.values()) {
      if (!node.alive || this.checked.get(node.core) === node.core.serial) continue;
      this.checked.set(node.core, node.core.serial);
      const state = node.core.membershipState();
      const ring = node.core.ownership();
      if (state.cluster === null) continue;
      if (ring === undefined) {
        this.violate(`${node.id} knows cluster ${state.cluster} but has no ring`);
        continue;
      }
      for (let p = 0; p < this.ringSize; p++) {
        const owner = ring.owners[p];
        const status = state.members.get(owner)?.status;
        if (typeof owner !== 'string' || owner.length === 0) this.violate(`${node.id}: partition ${p} has no owner`);
        else if (status === undefined || !mayOwn(status)) {
          this.violate(`${node.id}: partition ${p} owned by ${owner}, which is ${state.members.get(owner)?.status ?? 'unknown'}`);
        } else if (!this.holders[p].has(owner)) this.violate(`${node.id}: partition ${p} owned by ${owner}, which never received it`);
      }
    }
  }

  /** Total bytes every transport sent so far. */
  bytesSent(): number {
    let bytes = 0;
    for (const node of this.nodes.values()) if (node.alive) bytes += node.transport.stats().bytesOut;
    return bytes;
  }

  private violate(text: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.clock.now()} ${text}`);
  }

  private afterStep(): void {
    if (this.options.checkInvariants !== false) this.checkInvariants();
  }

  private makeCore(id: NodeId, weight: number, seeds: readonly string[], snapshot?: MembershipSnapshot): GossipCore {
    const core = new GossipCore({
      self: { id, http: `http:${id}`, peer: `peer:${id}`, weight },
      ringSize: this.ringSize,
      n: this.n,
      seeds,
      generation: this.generation++,
      nowMs: this.clock.now(),
      snapshot,
      gossipIntervalMs: this.gossipIntervalMs,
      ...this.options.core,
    });
    return core;
  }

  /** Wires a node as DynamoNode would: request handler, gossip timer, transfers. */
  private wire(node: SimNode): void {
    const incarnation = node.incarnation;
    const current = () => node.alive && node.incarnation === incarnation;
    node.transport.onRequest((from, message) => {
      const result = node.core.receive(from, message, this.clock.now());
      if (!result.ok) throw Object.assign(new Error(result.message), { code: result.code });
      this.afterChange(node);
      return (result.reply ?? membershipOk) as PeerMessage;
    });
    const round = () => {
      if (!current()) return;
      const now = this.clock.now();
      for (const send of node.core.tick(now, node.random)) {
        const target = send.to ?? (send.seed as string);
        node.transport.request(target, send.message, { timeoutMs: 2 * this.gossipIntervalMs }).then(
          (answer) => {
            if (!current()) return;
            const result = node.core.receive(send.to, answer, this.clock.now());
            this.afterChange(node);
            if (result.ok && result.reply !== undefined && result.reply.type === 'membership.ack2') {
              node.transport.request(target, result.reply, { timeoutMs: 2 * this.gossipIntervalMs }).catch(() => undefined);
            }
          },
          () => undefined,
        );
      }
      this.afterChange(node);
      this.clock.setTimeout(round, this.gossipIntervalMs);
    };
    // Nodes start their rounds at random offsets, as independently started processes would.
    this.clock.setTimeout(round, 1 + node.random.int(this.gossipIntervalMs));
  }

  /** Starts the transfers this node owes (it owns a partition whose target differs). */
  private afterChange(node: SimNode): void {
    if (!node.alive) return;
    const incarnation = node.incarnation;
    for (const transfer of node.core.transfers()) {
      if (transfer.from !== node.id || node.streaming.has(transfer.partition)) continue;
      node.streaming.add(transfer.partition);
      const min = this.options.transferMsMin ?? 200;
      const max = this.options.transferMsMax ?? 3000;
      const { partition, to } = transfer;
      this.clock.setTimeout(() => {
        if (!node.alive || node.incarnation !== incarnation) return;
        node.streaming.delete(partition);
        // The stream needs the receiver running, and the receiver takes it only while it is the
        // partition's pending owner in its own view (a node that started leaving refuses it).
        // Otherwise the transfer is retried on a later change.
        const receiver = this.nodes.get(to);
        if (this.network.isDown(to) || receiver === undefined || !receiver.alive) return;
        if (receiver.core.pendingOwner(partition) !== to) return;
        this.holders[partition].add(to);
        node.core.completeTransfer(partition, to, this.clock.now());
        this.afterChange(node);
      }, min + node.random.int(max - min + 1));
    }
  }
}

/** A converged cluster's snapshot for `ids` (all up, weight 1), as if it had formed long ago. */
export function formedClusterSnapshot(ids: readonly NodeId[], ringSize: number, n: number, seeds: readonly string[]): MembershipSnapshot {
  const members = ids.map((id) => ({ id, http: `http:${id}`, peer: `peer:${id}`, weight: 1 }));
  return formedClusterSnapshotOf('formed', members, ringSize, n, seeds);
}

/** Partitions per member in a state's routing owners. */
export function partitionCounts(owners: readonly NodeId[]): Map<NodeId, number> {
  const counts = new Map<NodeId, number>();
  for (const id of owners) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

export type { MembershipState };
