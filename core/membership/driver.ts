// How a host drives one node's membership: the calls a host (core/node/cluster-membership.ts,
// the gossip simulator) makes on its GossipCore, each with when to make it. GossipCore is pure:
// it never sends, sleeps or reads a clock; the host passes the time and a random source, sends
// what the core returns and feeds it what arrives, so the same core runs in a process over TCP
// and by the hundred in the deterministic simulator.
//
// A host makes one core per node: `new GossipCore({ self, ringSize, n, seeds, generation, nowMs,
// snapshot })` with the snapshot it persisted (if any) and a generation larger than any earlier
// run's. A counter kept in the node's metadata and bumped at each start is best: it travels in
// every heartbeat, and a small number encodes in 1-2 bytes, a time in ms in 9.

import type { Random } from '../common/random.js';
import type { MemberState, NodeId } from '../common/types.js';
import type { Ring } from '../ring/ring.js';
import type {
  GossipSelf,
  GossipSend,
  GossipStats,
  MembershipResult,
  MemberView,
  ReceiveResult,
  Transfer,
} from './gossip-types.js';
import type { MemberRecord, MembershipState, MembershipStatus, OwnershipView } from './membership-state.js';
import type { MembershipSnapshot } from './messages.js';

export interface MembershipDriver {
  /** This node's id. */
  readonly id: NodeId;

  // Gossip rounds and peer requests.

  /**
   * One gossip round at `nowMs`: beats this node's heartbeat and returns the syns to send (0 to
   * 3: a live member, maybe a down one, maybe a seed). Call it every gossipIntervalMs (1 s). For
   * each send, `transport.request(to, message)` (a seed not yet known by id is contacted at its
   * address, `to` undefined); on the answer call receive(to, answer, now), and if that returns a
   * reply (an ack2), send it to the same peer as a new request, ignoring its answer
   * (membership.ok). Failed or timed-out gossip needs no call: liveness comes from heartbeats.
   */
  tick(nowMs: number, random: Random): GossipSend[];

  /**
   * Handles a membership message from a peer (a request whose type isMembershipMessageType, or
   * the answer to a syn): a syn (answer: an ack), an ack to this node's syn (answer: an ack2 to
   * send as a new request, or undefined), an ack2 (answer: ok) or an ok (nothing). `from` is the
   * sender as the transport knows it (undefined for a seed contacted by address); it must match
   * the message's. Answer a request with `reply`, or, when ok is false, fail it with `code`
   * (bad_message, wrong_cluster, wrong_shape): malformed input, and messages of another cluster
   * or ring shape, are refused and never touch the state.
   */
  receive(from: NodeId | undefined, message: unknown, nowMs: number): ReceiveResult;

  // Admin actions.

  /** Founds a new cluster of this node alone, owning every partition (the first node of a cluster). */
  bootstrap(nowMs: number): MembershipResult;

  /**
   * Joins the cluster `seed` belongs to (a node id or peer address; this node's own founds a new
   * cluster). With the seed a known member, the node adds itself as `joining` now; otherwise it
   * forgets what it observed and joins the first cluster it hears of from the seed, which the
   * next ticks contact.
   */
  join(seed: string, nowMs: number): MembershipResult;

  /**
   * Starts handing this node's partitions off; it becomes `left` once they have all moved. The
   * node keeps gossiping meanwhile; once `left` it should gossip a little longer (about ten
   * rounds) so that the news spreads, and may then stop.
   */
  leave(nowMs: number): MembershipResult;

  /**
   * Force-removes a member that will not come back (an admin's decision, as Riak's
   * force-remove): it becomes `removed` at once, and its partitions go to their new targets
   * without a transfer (their data then comes from the other replicas, by anti-entropy).
   */
  remove(id: NodeId, nowMs: number): MembershipResult;

  /** Changes this node's addresses or weight (a restart on other ports, a re-weighting). */
  updateSelf(update: Partial<Omit<GossipSelf, 'id'>>, nowMs: number): void;

  // After any call: when `serial` changed, persist snapshot(), rebuild routing from ring(),
  // update transport addresses from members(), and start or cancel transfers from transfers().

  /** Grows whenever members or the ring change (never for heartbeats): persist and re-route then. */
  readonly serial: number;

  /**
   * What to persist (plain JSON-safe data): records with tombstones, the ring, a pending join,
   * seeds; never heartbeats. Pass it back as the `snapshot` option on the next start.
   */
  snapshot(): MembershipSnapshot;

  /** Members (neither left nor removed), sorted by id: the `members` of /v1/status; their addresses go to the transport. */
  members(): MemberView[];

  // Routing.

  /**
   * The routing ring: current owners (undefined until the node knows a cluster). Reads and writes
   * use its preference lists, with isUp as the health test of annotatedPreferenceList; a new Ring
   * object only when the owners changed.
   */
  ring(): Ring | undefined;

  /** The ring once every pending transfer has completed (which nodes gain which preference lists). */
  futureRing(): Ring | undefined;

  /** Current owners and pending owners by partition, without building a Ring. */
  ownership(): OwnershipView | undefined;

  /**
   * The node partition `partition` is being transferred to, if any. During a transfer a write
   * also goes to it, so nothing written meanwhile is lost.
   */
  pendingOwner(partition: number): NodeId | undefined;

  // Transfers.

  /**
   * Every transfer the ring implies, by partition. For each one with `from` === this node (even
   * once it is `left`: a straggler), stream the partition's data to `to`; the receiver
   * acknowledges the last batch only while pendingOwner(partition) is itself in its own view (a
   * node that started leaving refuses), and the sender then calls completeTransfer.
   */
  transfers(): Transfer[];

  /**
   * Partition `partition` has arrived at `to` (its pending owner): ownership moves to `to`.
   * Returns false when `to` is not the pending owner any more (a newer claim changed the target,
   * or the transfer was already completed); the ring is then unchanged: look at transfers() again.
   */
  completeTransfer(partition: number, to: NodeId, nowMs: number): boolean;

  // Liveness (liveness.ts): gossiped heartbeats judged by phi-accrual, plus the node's own verdicts.

  /** Whether `id` counts as up for routing: a member, its phi within the threshold, and not locally down. */
  isUp(id: NodeId, nowMs: number): boolean;

  /**
   * The node's own failure detection (Dynamo's local view): a data request to `id` failed, so it
   * counts as down until it answers. Gossip also probes down members.
   */
  reportUnreachable(id: NodeId, nowMs: number): void;

  /** A request to `id` succeeded (a data request, a probe or gossip): the local down verdict is lifted. */
  reportReachable(id: NodeId, nowMs: number): void;

  /** The members a local verdict currently holds down, sorted by id: what a probe loop pings. */
  locallyDown(): NodeId[];

  /** The phi of `id` now (0 for this node; Infinity for no member). */
  phi(id: NodeId, nowMs: number): number;

  /**
   * The state the node reports for `id` (CONTRACT.md `state` of /v1/status): `down` when its phi
   * exceeds the threshold or the node's own requests to it fail, else its gossiped status;
   * undefined for a node that is no member (unknown, left or removed). This node is never `down`.
   */
  memberState(id: NodeId, nowMs: number): MemberState | undefined;

  // Queries.

  /** The cluster's id, or null before the node learns one. */
  readonly cluster: string | null;

  /** This node's own status (`left` and `removed` included), or undefined when it never joined. */
  status(): MembershipStatus | undefined;

  /** The record of `id`, tombstones included. */
  record(id: NodeId): MemberRecord | undefined;

  /**
   * A short fingerprint of the whole state (cluster, records, ring): two nodes with equal
   * digests agree on membership and ring (up to a 2^-53 chance), as every node does once gossip
   * has converged. For tests and the console.
   */
  digest(): string;

  /** The whole membership state (immutable). */
  membershipState(): MembershipState;

  /** The counters, as a copy. */
  stats(): GossipStats;
}
