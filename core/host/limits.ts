// The host's and the CLI's bounds and timings, each once, with why it has that value (STYLE.md:
// put a limit on everything). The node's own bounds are in core/node/limits.ts; store-wide ones
// (keys, values, frames, ring sizes) in core/common/limits.ts.

// ---- Node processes (launcher, supervisor, process entry) ----

/**
 * How long forking a node process, loading its entry and `start` may take together. `start`
 * opens LevelDB, which replays its write-ahead log first: after a crash with a full memtable
 * that takes a few seconds on a slow disk, and a cluster starts all its nodes at once on the
 * same disk. 30 s covers that with room; a node that takes longer is stuck, not slow.
 */
export const nodeLaunchTimeoutMs = 30_000;

/**
 * How long a graceful stop may take before the process is killed: the node closes its HTTP
 * server (requests in flight finish; each is bounded by the request time-out, 2 s by default),
 * stops its loops and closes LevelDB, which flushes its memtable (at most a few MB). 10 s is
 * several times that; a stop past it is hung, and SIGKILL loses nothing LevelDB acknowledged.
 */
export const nodeStopWaitMs = 10_000;

/**
 * How long a node process whose launch failed may take to exit once told to, before it is
 * killed. It never served, so there is nothing to finish: 2 s only lets it release its ports
 * and LevelDB lock in an orderly way.
 */
export const launchAbandonWaitMs = 2_000;

/**
 * How long an orphaned node (its supervisor died) may take to stop before it exits anyway. An
 * orphan must never linger holding its ports and data directory, so this is shorter than a
 * supervised stop: enough to close LevelDB cleanly in the usual case.
 */
export const orphanStopWaitMs = 5_000;

/**
 * How long a SIGKILLed process may take to be reported gone before `kill` gives up. The kernel
 * ends it at once; 5 s only covers a machine so loaded that the exit event is late.
 */
export const killWaitMs = 5_000;

/**
 * Restarts (of any kind) after which a crashed node stays crashed when auto-restart is on. A
 * node that crashes three times running has a fault a fourth start will not fix, and restarting
 * it without end would hide that from the operator.
 */
export const restartsMaxDefault = 3;

/** Pause before an automatic restart: lets a dying process release its ports and lock first. */
export const restartDelayMsDefault = 1_000;

/**
 * libuv threads per node process (unless UV_THREADPOOL_SIZE says otherwise). A node needs few:
 * its reads are synchronous, only writes and range scans use the pool, and a larger pool only
 * adds wake-ups (measured: +25% throughput at 1). bin/dynamo.js sets the same value for the
 * CLI's own process before anything loads.
 */
export const nodeThreadPoolSize = 2;

// ---- Node logs ----

/**
 * Size at which <dir>/node.log is renamed to node.log.1 (replacing the previous one) and a new
 * node.log begins. Two files of 16 MiB bound a node's logs to 32 MiB on disk, which holds days
 * of info-level records (a few per membership change, transfer or anti-entropy run) and still
 * some minutes of debug-level ones.
 */
export const nodeLogBytesMax = 16 * 1024 * 1024;

// ---- The `dynamo` command ----

/**
 * Most nodes `cluster start` runs on one machine: each is an OS process with its own LevelDB,
 * so past a few dozen a laptop runs out of memory and cores long before the ring minds.
 */
export const localClusterNodesMax = 64;

/**
 * Largest N (and hence R and W) a node is started with. Preference lists hold N distinct nodes
 * and every write waits on W of them; beyond 16 copies, a cluster is a broadcast, not Dynamo.
 */
export const replicasMax = 16;

/**
 * Largest R or W a single request may ask for. The node, not the CLI, checks it against the
 * cluster's N; the CLI bound only refuses absurd numbers early, so it is looser than
 * replicasMax and as large as a vector clock may grow (clockEntriesMax).
 */
export const requestQuorumMax = 64;

/** Largest weight (relative share of partitions) a node may claim: 64 times a plain node. */
export const nodeWeightMax = 64;

/**
 * Bounds of `--gossip-interval`: under 50 ms gossip costs more than the requests it serves;
 * over a minute, membership changes take hours to reach a large cluster.
 */
export const gossipIntervalMsMin = 50;
export const gossipIntervalMsMax = 60_000;

/** Bounds of `--phi-threshold`: phi 1 suspects at every hiccup; past 64 nothing is ever down. */
export const phiThresholdMin = 1;
export const phiThresholdMax = 64;

/**
 * How long `dynamo repair` waits for the node's answer. A repair compares every partition the
 * node holds with each of its replicas and streams the differing keys: minutes on a large
 * store, so a request-sized time-out would cut every real repair short.
 */
export const repairTimeoutMs = 600_000;
