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

/** Keys in one page of GET /v1/admin/keys when the request names no limit, and the most it may name. */
export const keyPageLimitDefault = 100;
export const keyPageLimitMax = 1000;

/**
 * Most index or data entries one page of keys examines on a replica (GET /v1/admin/keys): a
 * prefix with no bucket skips from bucket to bucket, and a page stops early (with a cursor)
 * rather than walk a whole store for a prefix that matches little. Ten times the largest page.
 */
export const keyPageScanMax = 10_000;

/** Most buckets one replica reports in one answer of bucket counts (a peer frame holds them all). */
export const bucketsListedMax = 10_000;

/** Entries per batch when a store written before the key index existed has its index built. */
export const keyIndexBuildBatchMax = 1024;

/**
 * Request traces (tracing.ts): the traces a node keeps (a ring, the oldest dropped first), and
 * per trace the most messages, machine events and state entries it records (past them the
 * trace counts what it dropped). 500 traces of at most 64 messages stay within a few MiB; 64
 * messages cover N reads, N repairs, a fallback per target and a forward for N up to 16.
 */
export const tracesKeptMax = 500;
export const traceMessagesMax = 64;
export const traceEventsMax = 64;
export const traceStatesMax = 16;
/** Dots one reply's version summary lists (it counts every sibling; past the bound it lists the first). */
export const traceDotsMax = 16;

/** Trace summaries in one answer of GET /v1/admin/traces when the request names no limit. */
export const traceListLimitDefault = 50;

/**
 * Anti-entropy runs (manual and background) a node remembers for GET /v1/admin/anti-entropy/runs,
 * newest first. With a background exchange every 10 s, fifty is the last several minutes.
 */
export const antiEntropyRunsKept = 50;

/**
 * Repaired keys one run lists with their versions; past it they are only counted
 * (`repairedKeysOmitted`). A run of 100 keys of a few versions each is a few tens of KB, and the
 * node keeps antiEntropyRunsKept runs.
 */
export const repairedKeysListedMax = 100;

/** Versions listed per side of one repaired key (before or after); the write bound on siblings. */
export const repairedVersionsListedMax = 64;

/**
 * Exchanges one run lists (one per partition and peer): a ring of 64 with N = 3 needs 128, so
 * only very large rings are cut short (`exchangesOmitted` counts the rest).
 */
export const antiEntropyExchangesListedMax = 1024;

/** The window over which a hint target's delivery rate is measured. */
export const hintRateWindowMs = 5000;

/** Delivery rounds remembered per target for that rate (a round every handoff tick; short intervals keep the latest). */
export const hintRateRoundsMax = 64;

/** Least time between two progress events of one transfer. */
export const transferProgressIntervalMs = 1000;
