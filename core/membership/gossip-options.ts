// What a GossipCore is made with: its options, their defaults and checks (what peers would
// refuse in this node's record is refused here, at start), and the snapshot of a cluster formed
// from a static member list, which a host passes as the `snapshot` option.

import { assert } from '../common/assert.js';
import type { NodeId } from '../common/types.js';
import { claim } from '../ring/claim.js';
import { isValidRingSize } from '../ring/partitioner.js';
import { isValidNodeId } from '../version/vector-clock.js';
import { MembershipError, type GossipSelf } from './gossip-types.js';
import {
  gossipIntervalMsDefault,
  memberAddressLengthMax,
  memberWeightMax,
  phiSampleIntervalsMax,
  phiThresholdDefault,
  phiWindowSizeDefault,
  phiWindowSizeMax,
  seedGossipIntervalMsDefault,
} from './limits.js';
import { activeMembers, type MemberRecord, type RingState } from './membership-state.js';
import { encodeSnapshot, type MembershipSnapshot } from './messages.js';

export interface GossipOptions {
  self: GossipSelf;
  /** Q: every node of a cluster has the same; messages of another ring size are refused. */
  ringSize: number;
  /** N: claim spaces owners for it; messages of another N are refused. */
  n: number;
  /** Seeds: node ids or peer addresses ("host:port"), at most seedsMax. */
  seeds?: readonly string[];
  /**
   * Larger than every earlier run's generation of this node, so its heartbeats supersede those of
   * its previous runs: a counter persisted and bumped at each start (or the start time in s).
   */
  generation: number;
  /** The time the core is made, on the caller's clock. */
  nowMs: number;
  /** A snapshot() persisted by an earlier run (checked; a bad one throws MembershipError 'bad_snapshot'). */
  snapshot?: unknown;
  gossipIntervalMs?: number;
  seedGossipIntervalMs?: number;
  phiThreshold?: number;
  phiWindowSize?: number;
  /** Longest heartbeat interval the detector learns from; phiSampleIntervalsMax rounds by default. */
  phiSampleMsMax?: number;
}

/** The timing and detector settings of a core, defaults filled in and checked. */
export interface GossipSettings {
  gossipIntervalMs: number;
  seedGossipIntervalMs: number;
  phiThreshold: number;
  phiWindowSize: number;
  phiSampleMsMax: number;
}

/** Whether `weight` is a member weight peers accept. */
export function validWeight(weight: number): boolean {
  return typeof weight === 'number' && Number.isFinite(weight) && weight >= 0 && weight <= memberWeightMax;
}

/** Checks the options and fills in the defaults; throws MembershipError 'bad_options'. */
export function checkGossipOptions(options: GossipOptions): GossipSettings {
  const { self, ringSize, n, generation } = options;
  const check = (ok: boolean, text: string) => {
    if (!ok) throw new MembershipError('bad_options', text);
  };
  // What peers would refuse in this node's record is refused here, at start.
  check(isValidNodeId(self.id), 'GossipCore: self.id is not a valid node id');
  check(
    typeof self.http === 'string' && typeof self.peer === 'string' && Math.max(self.http.length, self.peer.length) <= memberAddressLengthMax,
    `GossipCore: self.http and self.peer must be strings of at most ${memberAddressLengthMax} characters`,
  );
  check(validWeight(self.weight), `GossipCore: self.weight must be within 0…${memberWeightMax}`);
  check(isValidRingSize(ringSize), `GossipCore: invalid ring size ${ringSize}`);
  check(Number.isInteger(n) && n >= 1, `GossipCore: bad n ${n}`);
  check(Number.isSafeInteger(generation) && generation >= 0, 'GossipCore: generation must be a safe integer >= 0');
  const gossipIntervalMs = options.gossipIntervalMs ?? gossipIntervalMsDefault;
  const settings: GossipSettings = {
    gossipIntervalMs,
    seedGossipIntervalMs: options.seedGossipIntervalMs ?? seedGossipIntervalMsDefault,
    phiThreshold: options.phiThreshold ?? phiThresholdDefault,
    phiWindowSize: options.phiWindowSize ?? phiWindowSizeDefault,
    phiSampleMsMax: options.phiSampleMsMax ?? phiSampleIntervalsMax * gossipIntervalMs,
  };
  check(settings.gossipIntervalMs > 0 && settings.seedGossipIntervalMs > 0, 'GossipCore: intervals must be positive');
  check(settings.phiThreshold > 0, 'GossipCore: phiThreshold must be positive');
  check(
    Number.isInteger(settings.phiWindowSize) && settings.phiWindowSize >= 1 && settings.phiWindowSize <= phiWindowSizeMax,
    `GossipCore: phiWindowSize must be 1…${phiWindowSizeMax}`,
  );
  check(settings.phiSampleMsMax >= settings.gossipIntervalMs, 'GossipCore: phiSampleMsMax must be at least the gossip interval');
  return settings;
}

/**
 * The snapshot of a cluster formed from a static member list (`dynamo cluster start` on a fresh
 * directory): every member `up`, the ring claimed for them and owned as claimed. Every node
 * started from it holds the same state at once (no join, no transfer: the nodes are empty), and
 * gossip carries on from there. `cluster` must be the same on every node and new for each new
 * cluster (e.g. derived from the directory's cluster secret and creation time).
 */
export function formedClusterSnapshot(
  cluster: string,
  members: readonly GossipSelf[],
  ringSize: number,
  n: number,
  seeds: readonly string[] = [],
): MembershipSnapshot {
  assert(members.some((member) => member.weight > 0), 'formedClusterSnapshot: no member with weight');
  assert(new Set(members.map((member) => member.id)).size === members.length, 'formedClusterSnapshot: duplicate ids');
  const records = new Map<NodeId, MemberRecord>();
  for (const m of members) records.set(m.id, { id: m.id, http: m.http, peer: m.peer, weight: m.weight, status: 'up', version: 1 });
  // A fresh claim of the members sorted by id: the same ring whatever order the list came in.
  const claimedFor = activeMembers(records);
  const targets = claim(ringSize, claimedFor, n);
  const ring: RingState = { ringSize, n, plan: { version: 1, claimedFor, targets }, owners: targets, counters: targets.map(() => 1) };
  return encodeSnapshot({ cluster, members: records, ring }, null, seeds);
}
