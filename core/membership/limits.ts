// The limits and defaults of membership (Dynamo paper §4.8): every bound that gossip, the
// membership state and failure detection rely on, in one place. core/common/limits.ts holds the
// store-wide ones (node id length, ring size); these are membership's own.

/**
 * Most member records a node keeps, tombstones (`left`) included. A record past it is refused
 * (counted in `recordsRefused`) and a join into a full cluster fails with `members_full`. It is a
 * safety bound, far above an operating point (claim and the preference lists cost O(Q·S)): at
 * the limit a gossip digest is about 20 KiB and a full record set about 400 KiB.
 */
export const membersMax = 1024;

/** Longest `http` or `peer` address of a member ("host:port"), in characters. */
export const memberAddressLengthMax = 262;

/** Largest member weight (a member's relative share of partitions). */
export const memberWeightMax = 1_000_000;

/** Longest cluster id, in characters. */
export const clusterIdLengthMax = 160;

/** Most seeds a node keeps. */
export const seedsMax = 64;

/** Longest seed ("host:port" or a node id), in characters. */
export const seedLengthMax = 262;

/** Largest replication factor N a membership message may name. */
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

/** Default number of heartbeat inter-arrival times a phi-accrual detector keeps. */
export const phiWindowSizeDefault = 100;

/** Largest phi-accrual window (intervals kept per member). */
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
