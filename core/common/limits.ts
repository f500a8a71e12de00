// Every limit in one place (TigerBeetle: put a limit on everything). Going past one is a clear,
// counted error, never unbounded memory.

/** Largest bucket name, in UTF-8 bytes (CONTRACT.md). */
export const bucketBytesMax = 255;
/** Largest key, in UTF-8 bytes (CONTRACT.md). */
export const keyBytesMax = 1024;
/** Largest value, in bytes (CONTRACT.md): 1 MiB. */
export const valueBytesMax = 1024 * 1024;
/** Most siblings one key may hold; a write past it is refused with `too_many_siblings`. */
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
 */
export const clockEntriesMax = 64;
/** Longest node id, in UTF-8 bytes: node ids travel inside contexts and every stored clock. */
export const nodeIdBytesMax = 64;
/**
 * Longest context string (base64url) accepted from a client. A full clock of clockEntriesMax
 * entries with maximal node ids and counters, plus a 32-byte tag, takes about 6,300 characters.
 */
export const contextCharsMax = 8192;
/** Most loose dots a context carries beyond its vector (core/version/causal-context.ts). */
export const contextDotsMax = 8;
/** Largest frame between peers: a full sibling set of maximal values plus framing. */
export const frameBytesMax = 8 * 1024 * 1024;
/** Largest frame before a connection has proved the cluster secret (handshake frames only). */
export const handshakeFrameBytesMax = 1024;
/** Time a peer connection has to complete the cluster-secret handshake. */
export const handshakeTimeoutMsDefault = 5000;
/** Time to open a peer connection (TCP connect plus handshake). */
export const connectTimeoutMsDefault = 2000;
/** Most inbound peer connections one node accepts at once. */
export const peerConnectionsInboundMax = 1024;
/** Deepest nesting of arrays and objects inside one peer message. */
export const messageDepthMax = 32;
/** Longest message `type` name, in characters. */
export const messageTypeLengthMax = 64;
/** Longest node id, in characters. */
export const nodeIdLengthMax = 128;
/** Longest error text sent back in an error reply, in characters. */
export const errorMessageLengthMax = 1024;
/** Most requests waiting on one peer connection before new ones are refused. */
export const peerRequestsInFlightMax = 4096;
/** Most bytes queued for one peer connection before new requests are refused. */
export const peerQueueBytesMax = 64 * 1024 * 1024;
/** Default time a coordinator waits for replicas. */
export const requestTimeoutMsDefault = 2000;
/** Largest ring size we accept (partitions). */
export const ringSizeMax = 1 << 14;
/** Smallest ring size we accept (partitions). */
export const ringSizeMin = 8;
