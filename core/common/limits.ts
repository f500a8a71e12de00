// Every store-wide limit and default in one place (TigerBeetle: put a limit on everything), each
// with why it has its value. Going past one is a clear, counted error, never unbounded memory.
// Membership's own limits are in core/membership/limits.ts; the relationships between limits
// are asserted at the end of this module, at load.

import { assert } from './assert.js';

// Keys and values.

/**
 * Largest bucket name, in UTF-8 bytes (CONTRACT.md). 255 so that the length fits the one byte
 * that precedes the bucket in a key's digest (core/ring/partitioner.ts).
 */
export const bucketBytesMax = 255;
/** Largest key, in UTF-8 bytes (CONTRACT.md). */
export const keyBytesMax = 1024;
/** Largest value, in bytes (CONTRACT.md): 1 MiB, as Dynamo's objects are "usually less than 1 MB". */
export const valueBytesMax = 1024 * 1024;

// Versions (core/version).

/**
 * Most siblings one key may hold; a write past it is refused with `too_many_siblings`. Honest
 * concurrency makes a handful (a few clients writing through a few coordinators); dozens mean
 * a client that never reconciles, which must read and write back a resolution.
 */
export const siblingsMax = 64;
/**
 * Most siblings a stored or received state may hold. Merges never refuse (a replica that refused
 * would never converge), so a merged state may pass siblingsMax; this hard bound only keeps a
 * malformed record from claiming unbounded memory.
 */
export const siblingsStoredMax = 4096;
/**
 * Most entries in one version vector (one per coordinating node; see core/version). A put
 * whose vector would grow past it is refused with `too_many_clock_entries`; it is never pruned.
 * Coordinators come from a key's preference list, so a vector stays near N entries and only
 * grows as membership changes move the list: 64 lasts a key through many such moves.
 */
export const clockEntriesMax = 64;
/**
 * Longest node id, in UTF-8 bytes: the one node-id bound (the contract's). Node ids travel inside
 * contexts, every stored clock and every membership record, so they are kept short. A check in
 * UTF-16 code units needs no bound of its own: a string of at most this many UTF-8 bytes has at
 * most this many code units (each takes one byte or more).
 */
export const nodeIdBytesMax = 64;
/**
 * Longest context string (base64url) accepted from a client. A full clock of clockEntriesMax
 * entries with maximal node ids and counters, plus a 32-byte tag, takes about 6,300 characters
 * (core/version/context.ts asserts it fits).
 */
export const contextCharsMax = 8192;
/**
 * Most loose dots a context carries beyond its vector (core/version/causal-context.ts): one per
 * write a client made without reading back in between, which is rarely more than a few.
 */
export const contextDotsMax = 8;
/**
 * Superseded versions each key keeps, as metadata, for inspection (core/version/history.ts):
 * the default of the node option --history N, and its largest value. The same N must be given
 * to every node of a cluster.
 */
export const historyVersionsDefault = 8;
export const historyVersionsMax = 64;
/**
 * The fraction of client requests a node traces (core/node/tracing.ts) when its --trace-sample is
 * not given: one in a hundred shows what requests do under load at no cost to the other 99.
 */
export const traceSampleDefault = 0.01;

// Peer network (core/net).

/** Largest frame between peers: a full sibling set of maximal values plus framing. */
export const frameBytesMax = 8 * 1024 * 1024;
/**
 * Largest frame before a connection has proved the cluster secret (handshake frames only): a
 * hello, challenge or proof is a node id, two 32-byte nonces and a 32-byte MAC, under 300 bytes.
 */
export const handshakeFrameBytesMax = 1024;
/** Time a peer connection has to complete the cluster-secret handshake: ample on a loaded host. */
export const handshakeTimeoutMsDefault = 5000;
/**
 * Time to open a peer connection (TCP connect plus handshake): as long as a request may wait for
 * its reply (requestTimeoutMsDefault), so a dead peer fails a request no later than a slow one.
 */
export const connectTimeoutMsDefault = 2000;
/** Most inbound peer connections one node accepts at once: one per member of the largest cluster (membersMax). */
export const peerConnectionsInboundMax = 1024;
/** Deepest nesting of arrays and objects inside one peer message: our messages nest a few levels. */
export const messageDepthMax = 32;
/** Longest message `type` name, in characters: ours are short dotted names ("membership.ack2"). */
export const messageTypeLengthMax = 64;
/** Longest error text sent back in an error reply, in characters: enough to say what went wrong. */
export const errorMessageLengthMax = 1024;
/** Most requests waiting on one peer connection before new ones are refused `overloaded`. */
export const peerRequestsInFlightMax = 4096;
/** Most bytes queued for one peer connection before new requests are refused: eight maximal frames. */
export const peerQueueBytesMax = 64 * 1024 * 1024;
/** Default time a coordinator waits for replicas: far above a healthy LAN round trip. */
export const requestTimeoutMsDefault = 2000;
/**
 * Node's largest timer delay (2^31 - 1 ms): a longer delay, one below 1 ms or NaN becomes 1 ms,
 * in Node and so in the simulator's virtual clock.
 */
export const timerDelayMsMax = 2 ** 31 - 1;
/**
 * Default promise-draining rounds of the virtual clock after each timer callback (see
 * core/net/virtual-clock.ts): one for `await` chains, one more for code that defers through
 * process.nextTick.
 */
export const virtualClockDrainRoundsDefault = 2;
/**
 * Most timer callbacks one call of the virtual clock may run: a guard against a timer that
 * re-arms itself at the same instant forever (far above any simulation's honest count).
 */
export const virtualClockFiringsPerCallMax = 50_000_000;

// The ring (core/ring).

/** Largest ring size we accept (partitions): partitionOfDigest reads the first 32 digest bits. */
export const ringSizeMax = 1 << 14;
/** Smallest ring size we accept (partitions): fewer could not spread over even a few nodes. */
export const ringSizeMin = 8;
/** The ring size a new cluster gets when none is configured (Riak's default). */
export const ringSizeDefault = 64;
/**
 * Most extended-list entries (partitions × members) a Ring computes up front: 2^22 references,
 * 32 MiB. Past it (hundreds of members on the largest rings) a partition's extended list is
 * computed on first use and kept; preference lists are always computed up front.
 */
export const extendedEntriesEagerMax = 1 << 22;
/**
 * Most swap evaluations claim's spacing search may spend on one claim. It bounds the work (a few
 * tens of milliseconds) on large rings where spacing cannot be reached, which the search cannot
 * prove; reachable cases finish far below it.
 */
export const claimSpacingEvaluationsMax = 1 << 20;
/** Most members for which claim tracks who neighbours whom: a members² table of counts, 4 MiB at 1024. */
export const claimSharedMembersMax = 1024;
/** Most rounds of sideways moves claim's spacing search makes to leave a local optimum. */
export const claimSpacingKicksMax = 16;
/**
 * Conflicting pairs above which claim's spacing search does not try sideways moves at all: many
 * conflicts left after a descent mean weights that forbid spacing, not a local optimum.
 */
export const claimSpacingKickConflictsMax = 8;

// Anti-entropy hash trees (core/merkle).

/**
 * Leaf segments of a tree when none is configured: at 100k keys a partition, about 100 keys a
 * segment, so a differing segment costs a key list of about 100 entries.
 */
export const treeSegmentsDefault = 1024;
/** Children per branch when none is configured: a tree of 1024 segments is then three levels. */
export const treeWidthDefault = 32;
/** Fewest segments a tree may have (a power of two, like every shape). */
export const treeSegmentsMin = 2;
/**
 * Most segments a tree may have: 2^16, so one tree is at most 512 KiB plus its branches, and a
 * serialized tree read from disk can claim no more. segmentOf reads 32 bits of the digest.
 */
export const treeSegmentsMax = 1 << 16;
/** Fewest children per branch. */
export const treeWidthMin = 2;
/** Most children per branch (a level-1 reply of treeWidthMax hashes is 8 KiB). */
export const treeWidthMax = 1024;

// Relationships between the limits above.

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

assert(valueBytesMax < frameBytesMax, 'limits: a maximal value must fit in a frame');
assert(handshakeFrameBytesMax < frameBytesMax, 'limits: handshake frames are the small ones');
assert(frameBytesMax <= peerQueueBytesMax, 'limits: a peer queue must hold at least one maximal frame');
assert(siblingsMax <= siblingsStoredMax, 'limits: a stored state holds at least what a put may leave');
assert(contextDotsMax >= 1, 'limits: a context carries at least its own write');
assert(isPowerOfTwo(ringSizeMin) && isPowerOfTwo(ringSizeMax) && ringSizeMin <= ringSizeMax, 'limits: ring sizes are powers of two');
assert(isPowerOfTwo(ringSizeDefault) && ringSizeMin <= ringSizeDefault && ringSizeDefault <= ringSizeMax, 'limits: bad default ring size');
assert(
  isPowerOfTwo(treeSegmentsMin) && isPowerOfTwo(treeSegmentsMax) && treeSegmentsMin <= treeSegmentsDefault && treeSegmentsDefault <= treeSegmentsMax,
  'limits: bad hash tree segment bounds',
);
assert(
  isPowerOfTwo(treeWidthMin) && isPowerOfTwo(treeWidthMax) && treeWidthMin <= treeWidthDefault && treeWidthDefault <= treeWidthMax,
  'limits: bad hash tree width bounds',
);
