// Whom a gossip round talks to. Peer selection per round is Cassandra's: one random live member;
// with probability down / (live + 1) one member judged down (a probe that lets the local verdict
// heal); and a random seed when no seed was contacted for seedGossipIntervalMs or no member is
// live, so that separately started nodes and logically partitioned rings find each other
// (Dynamo paper §4.8.2). A node waiting to join talks to its join seed only.

import type { Random } from '../common/random.js';
import type { NodeId } from '../common/types.js';
import type { GossipSend } from './gossip-types.js';
import { seedLengthMax, seedsMax } from './limits.js';
import { isGone, type MemberRecord } from './membership-state.js';
import type { MembershipSyn } from './messages.js';

/** Whether `seed` is one a node accepts: a non-empty address or node id, not overlong. */
export function isSeed(seed: unknown): seed is string {
  return typeof seed === 'string' && seed.length > 0 && seed.length <= seedLengthMax;
}

/** The seeds a node knows (at most seedsMax, in the order learned) and when it last contacted one. */
export class Seeds {
  private readonly list: string[] = [];
  /** When a round last contacted a seed. */
  lastContactMs = Number.NEGATIVE_INFINITY;

  /** Adds a seed; a bad one, a duplicate or one past seedsMax is ignored. */
  add(seed: string): void {
    if (!isSeed(seed) || this.list.includes(seed)) return;
    if (this.list.length >= seedsMax) return;
    this.list.push(seed);
  }

  /** The seeds, as persisted. */
  all(): string[] {
    return this.list.slice();
  }

  /** Whether member `id` is a seed, by id or peer address. */
  isSeedMember(members: ReadonlyMap<NodeId, MemberRecord>, id: NodeId): boolean {
    const record = members.get(id);
    return this.list.some((seed) => seed === id || (record !== undefined && seed === record.peer));
  }

  /** The seeds a round may contact: not this node, nor a member already chosen this round. */
  candidates(members: ReadonlyMap<NodeId, MemberRecord>, self: { id: NodeId; peer: string }, chosen: ReadonlySet<NodeId>): string[] {
    return this.list.filter((seed) => {
      const id = resolveSeed(members, seed);
      return seed !== self.id && seed !== self.peer && id !== self.id && (id === undefined || !chosen.has(id));
    });
  }
}

/** The member a seed names (by id or peer address), if known and not gone. */
export function resolveSeed(members: ReadonlyMap<NodeId, MemberRecord>, seed: string): NodeId | undefined {
  const byId = members.get(seed);
  if (byId !== undefined) return isGone(byId.status) ? undefined : byId.id;
  for (const record of members.values()) {
    if (record.peer === seed && !isGone(record.status)) return record.id;
  }
  return undefined;
}

/** A syn to a seed: by member id when the seed names a known member, else by its address. */
export function seedSend(members: ReadonlyMap<NodeId, MemberRecord>, seed: string, message: MembershipSyn): GossipSend {
  const id = resolveSeed(members, seed);
  return id !== undefined ? { to: id, seed: undefined, message } : { to: undefined, seed, message };
}

/** What a round's choice of peers depends on. */
export interface RoundInput {
  self: { id: NodeId; peer: string };
  members: ReadonlyMap<NodeId, MemberRecord>;
  /** Other members that are not gone, sorted by id. */
  peers: readonly NodeId[];
  isUp: (id: NodeId) => boolean;
  seeds: Seeds;
  seedGossipIntervalMs: number;
  nowMs: number;
  random: Random;
  syn: MembershipSyn;
}

/**
 * The syns of one round among members (see the module comment): 0 to 3 sends. Draws from
 * `random` in a fixed order, so a seeded run replays; records a seed contact in `seeds`.
 */
export function roundSends(input: RoundInput): GossipSend[] {
  const { self, members, peers, isUp, seeds, nowMs, random, syn } = input;
  const sends: GossipSend[] = [];
  const live: NodeId[] = [];
  const down: NodeId[] = [];
  for (const id of peers) (isUp(id) ? live : down).push(id);
  const chosen = new Set<NodeId>();
  if (live.length > 0) chosen.add(live[random.int(live.length)]);
  if (down.length > 0 && random.next() < down.length / (live.length + 1)) chosen.add(down[random.int(down.length)]);
  let seedContacted = false;
  for (const id of chosen) {
    sends.push({ to: id, seed: undefined, message: syn });
    if (seeds.isSeedMember(members, id)) seedContacted = true;
  }
  if (!seedContacted && (live.length === 0 || nowMs - seeds.lastContactMs >= input.seedGossipIntervalMs)) {
    const candidates = seeds.candidates(members, self, chosen);
    if (candidates.length > 0) {
      sends.push(seedSend(members, candidates[random.int(candidates.length)], syn));
      seedContacted = true;
    }
  }
  if (seedContacted) seeds.lastContactMs = nowMs;
  return sends;
}
