// The limits and defaults of membership (Dynamo paper §4.8): every bound that gossip, the
// membership state and failure detection rely on, in one place, each with why it has its value.
// core/common/limits.ts holds the store-wide ones (node id length, ring size, frame size); these
// are membership's own. Their relationships with each other and with the store-wide ones are
// asserted at the end, at load.

import { assert } from '../common/assert.js';
import { frameBytesMax, nodeIdBytesMax, peerConnectionsInboundMax, ringSizeMax } from '../common/limits.js';

/**
 * Most member records a node keeps, tombstones (`left`) included. A record past it is refused
 * (counted in `recordsRefused`) and a join into a full cluster fails with `members_full`. It is a
 * safety bound, far above an operating point (claim and the preference lists cost O(Q·S)): at
 * the limit a gossip digest is about 20 KiB and a full record set about 400 KiB.
 */
export const membersMax = 1024;

/**
 * Longest `http` or `peer` address of a member ("host:port"), in characters: room for the
 * longest DNS name (253 characters) or a bracketed IPv6 address, a colon and a port.
 */
export const memberAddressLengthMax = 262;

/**
 * Largest member weight (a member's relative share of partitions). Shares need no finer grain,
 * and Q·Σw stays far below 2^53, so claim's share arithmetic is exact for integer weights.
 */
export const memberWeightMax = 1_000_000;

/**
 * Longest cluster id, in characters: room for the ids nodes make (`<node id>@<generation>.<ms>`,
 * about 100 characters at most) and for ids derived from a cluster's secret.
 */
export const clusterIdLengthMax = 160;

/** Most seeds a node keeps: a cluster needs a handful; the bound keeps snapshots small. */
export const seedsMax = 64;

/** Longest seed ("host:port" or a node id), in characters: any member address or node id fits. */
export const seedLengthMax = 262;

/**
 * Largest replication factor N a membership message may name: far above any useful N (Dynamo
 * runs N = 3); it bounds the work a peer's N could ask of claim and the preference lists.
 */
export const replicationMax = 64;

/** Default time between two gossip rounds of one node (Dynamo: "every second"). */
export const gossipIntervalMsDefault = 1000;

/**
 * Default longest time without an exchange with a seed: past it, a round also gossips with a
 * random seed, so logically partitioned rings find each other again (§4.8.2).
 */
export const seedGossipIntervalMsDefault = 5000;

/** Default phi above which a silent member is judged down (Cassandra's phi_convict_threshold). */
export const phiThresholdDefault = 8;

/**
 * Default number of heartbeat inter-arrival times a phi-accrual detector keeps: at one beat a
 * second, the last 100 s of a member's pace (Cassandra keeps 1000 samples).
 */
export const phiWindowSizeDefault = 100;

/** Largest phi-accrual window (intervals kept per member): 8 KB per member, 8 MiB at membersMax. */
export const phiWindowSizeMax = 1000;

/**
 * Default longest inter-arrival time a detector learns from, as a multiple of the gossip
 * interval (Cassandra ignores intervals above 2 s at 1 s gossip): a long silence must not teach
 * the detector that long silences are normal.
 */
export const phiSampleIntervalsMax = 5;

/**
 * Bound on the encoded size of one membership message, in bytes. The largest message is an ack
 * with everything at its limit at once: membersMax records with maximal ids and addresses, every
 * heartbeat and record version, and a ring of ringSizeMax partitions naming every member; it
 * encodes to 1.10 MiB (test/membership/messages.test.ts builds it). Well inside frameBytesMax
 * (8 MiB). Typical sizes are far smaller: at 200 members a node sends about 3 KiB per round.
 */
export const membershipMessageBytesMax = 1536 * 1024;

/**
 * Record sets of recent syns a node keeps to judge what a peer lacks when its ack comes back
 * (GossipCore answers acks from them): a few rounds' worth covers an ack that arrives late.
 */
export const synMembersKept = 4;

/**
 * Most rounds GossipCore's settling (reclaim, adopt orphans, this node's own transition) may take
 * to reach its fixed point: each round changes one thing (a claim, the orphans, one own
 * transition), so a few suffice; more means a bug, and an assertion stops it.
 */
export const settleRoundsMax = 8;

// Relationships.

assert(membershipMessageBytesMax <= frameBytesMax, 'membership limits: the largest membership message must fit in a frame');
assert(peerConnectionsInboundMax >= membersMax, 'membership limits: every member must be able to dial every other');
assert(seedLengthMax >= memberAddressLengthMax && seedLengthMax >= nodeIdBytesMax, 'membership limits: a seed may be any address or node id');
// A cluster id a node makes: a node id, '@', a generation and a time in ms (safe integers: at most 16 digits each).
assert(clusterIdLengthMax >= nodeIdBytesMax + 1 + 16 + 1 + 16, 'membership limits: a cluster id must hold the ids nodes make');
assert(Number.isSafeInteger(ringSizeMax * memberWeightMax * membersMax), "membership limits: claim's share arithmetic must stay exact");
assert(phiWindowSizeDefault >= 1 && phiWindowSizeDefault <= phiWindowSizeMax, 'membership limits: bad default phi window');
assert(phiSampleIntervalsMax >= 1, 'membership limits: the detector must learn from at least one gossip interval');
