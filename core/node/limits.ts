// The node's bounds and timings, each once, with why it has that value (TIGER_STYLE: put a limit
// on everything). Store-wide bounds (key, value and frame sizes, clock entries) are in
// core/common/limits.ts; membership's are in core/membership/limits.ts.

/**
 * Most client requests (get, put, forwarded put) one node coordinates at once. Past it a request
 * is refused at once with `503 overloaded` and `Retry-After` (counted) rather than queued: a
 * queue would only add latency to every request behind it. 1,024 is about 30 times the
 * concurrency that saturates a node on two cores (the benchmark's 32 clients), so only a
 * runaway client meets it, and 1,024 requests of at most a 1 MiB value bound the memory held.
 */
export const clientRequestsInFlightMax = 1024;

/** Seconds a client is told to wait (`Retry-After`) when the node is overloaded. */
export const overloadedRetryAfterSeconds = 1;

/**
 * Most read-modify-writes waiting for one key's lock on one node. Every waiter holds its value
 * (up to 1 MiB): a hot key hammered faster than LevelDB writes it must be refused
 * (`overloaded`), not queued without end. 256 is far past what W writers and a few repairs of
 * one key produce.
 */
export const keyLockQueueMax = 256;

/** Most hints a node keeps for one down target; past it, hinted writes are refused (counted). */
export const hintsPerTargetMax = 200_000;

/** How often a peer with a local "down" verdict is pinged to see whether it came back. */
export const probeIntervalMsDefault = 500;

/** How often hints are handed off to targets that are up (a batch per target per tick). */
export const handoffIntervalMsDefault = 250;

/** Hints read and delivered per target per handoff tick: keeps one tick short. */
export const handoffBatchMax = 128;

/** Hint deliveries in flight per target: enough to hide a round trip, few enough not to starve clients. */
export const handoffInFlightMax = 4;

/** Background anti-entropy runs one partition exchange per interval. */
export const antiEntropyIntervalMsDefault = 10_000;

/** Client requests in flight above which background anti-entropy skips its turn. */
export const antiEntropyForegroundMax = 64;

/** Partition transfers one node streams at once. */
export const transfersInFlightMax = 2;

/**
 * Time after a delete before its tombstone may be collected. A hint for the key undelivered for
 * longer than this could bring the old value back, so it is long against any outage hints ride
 * out (an hour), and short enough that deleted keys do not pile up.
 */
export const tombstoneGraceMsDefault = 3_600_000;

/** The reaper's interval: the grace period, but at least a second and at most a minute. */
export function reaperIntervalMs(graceMs: number): number {
  return Math.max(1000, Math.min(graceMs, 60_000));
}

/** A forwarded put waits for a whole coordination (the coordinator's own replica round trip plus W acks). */
export const forwardTimeoutFactor = 2;

/** Records per transfer batch: a batch is one peer request, so this bounds its reply time. */
export const transferBatchKeysMax = 256;

/** Bytes per transfer batch: well under the peer frame limit (8 MiB) even with one maximal value more. */
export const transferBatchBytesMax = 2 * 1024 * 1024;

/** Tombstones one reaper tick looks at: a tick reads every replica of each, so it stays short. */
export const reapBatchMax = 256;

/**
 * Most keys one anti-entropy key-list or fetch reply carries; larger differences are repaired
 * over several exchanges. 4,096 keys of at most 1 KiB stay inside one peer frame.
 */
export const exchangeKeysMax = 4096;

/**
 * Most entries a stored or received version vector may hold. Puts refuse past clockEntriesMax
 * (64), but merges of replicas may pass it; this only bounds what a malformed record can claim.
 */
export const vvEntriesStoredMax = 1024;

/** Most dots a stored dot cloud may hold (it is folded into the vector as gaps fill). */
export const cloudDotsStoredMax = 4096;

/** Longest content type a record carries, in characters (HTTP header values are short). */
export const contentTypeBytesMax = 256;
