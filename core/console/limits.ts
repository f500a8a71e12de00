// The console's bounds and timings, each once (STYLE.md: put a limit on everything). The console
// talks to nodes over HTTP and fans their events out to listeners; every queue and buffer on
// that path has a bound here.

import { valueBytesMax } from '../common/limits.js';

/** A read of one node (status, ring, hints, faults) that takes longer counts as no answer. */
export const nodeReadTimeoutMs = 2_000;
/** An action on one node (join, leave, faults) may take longer: it changes state. */
export const nodeActionTimeoutMs = 10_000;
/** Bytes of one node answer the console reads at most (a ring of 1,024 partitions is ~100 KiB). */
export const nodeAnswerBytesMax = 4 * 1024 * 1024;

/** First and longest wait before reconnecting to a node's event stream. */
export const eventReconnectMsMin = 250;
export const eventReconnectMsMax = 5_000;
/**
 * A node's stream sends a comment every 15 s (core/api/event-stream.ts); silence for this long
 * means the connection is dead even if TCP has not noticed.
 */
export const eventStreamIdleMs = 45_000;
/** Bytes of one SSE block past which a node's stream is malformed (a node event is far smaller). */
export const eventBlockBytesMax = 1024 * 1024;

/** Events queued for one listener of the console; past it the oldest are dropped (and counted). */
export const listenerQueueMax = 2_000;

/** Subscribers of the web console's event stream at once; one more is refused with 503. */
export const webSubscribersMax = 32;
/** Unsent bytes past which a web subscriber is too slow and is dropped. */
export const webSubscriberBufferBytesMax = 1024 * 1024;
/** A comment line on the web event stream every so often keeps proxies from closing it. */
export const webKeepAliveMs = 15_000;
/** Largest request body of the web console's AdminApi (arguments are ids and short lists). */
export const webBodyBytesMax = 64 * 1024;

/** Nodes one console may host (the cluster's own plus those it adds by join plans). */
export const consoleNodesMax = 64;

// Keys (the Keys page: listBuckets, listKeys, keyDetail, writeKey).

/** Most keys one listKeys page may ask for (the node may answer fewer). */
export const keysPageLimitMax = 1000;
/** Longest listing cursor accepted from the renderer (the node's cursors are short and opaque). */
export const keysCursorCharsMax = 4096;
/** Longest content type a console write may give (a MIME type with parameters). */
export const contentTypeCharsMax = 255;
/**
 * Bytes of one key read (the sibling envelope, or one replica's copy) the console reads at most:
 * a whole sibling set travels in one peer frame (frameBytesMax, 8 MiB), base64 makes it 4/3 as
 * long, and the JSON around it adds little.
 */
export const keyAnswerBytesMax = 12 * 1024 * 1024;
/**
 * Largest request body of writeKey on the web console: a value of valueBytesMax as base64 plus
 * its bucket, key, context and content type. Every other method keeps webBodyBytesMax.
 */
export const webWriteBodyBytesMax = Math.ceil((valueBytesMax * 4) / 3) + webBodyBytesMax;

// Operations (the Anti-entropy, Handoff, Metrics and Traces pages).

/** Highest partition index a target may name (rings are at most this large; the node checks its own size). */
export const partitionIndexMax = 65_535;
/** Longest trace id accepted from the renderer (a node's ids are short). */
export const traceIdCharsMax = 128;
/** Most traces one listTraces may ask for, per member. */
export const traceListLimitMax = 500;
/**
 * A manual anti-entropy run answers only when every exchange is done (repaired keys are in place):
 * a node replicating 3/5 of a 1,024-partition ring runs some 1,200 exchanges, one after the other,
 * each bounded by the node's own peer timeouts. The console waits this long before it calls the
 * node unresponsive; the page shows the run's progress meanwhile.
 */
export const antiEntropyRunTimeoutMs = 10 * 60_000;
/**
 * Bytes of one node's anti-entropy answer (a run, or its list of runs) the console reads at most:
 * a node keeps antiEntropyRunsKept (50) runs, each listing up to 100 repaired keys with their
 * versions before and after, a few MiB in all.
 */
export const antiEntropyAnswerBytesMax = 16 * 1024 * 1024;
/** Runs antiEntropyRuns answers at most, newest first, over every member (each keeps its last 50). */
export const antiEntropyRunsListedMax = 200;
/** How long the console keeps metric samples and fault periods (the Metrics page's longest window). */
export const metricsWindowMs = 15 * 60_000;
/**
 * Samples kept per node: a node publishes one a second, so the window holds 900; the rest is
 * room for a node whose timer runs a little fast. The ring buffer overwrites its oldest past it.
 */
export const metricsSamplesPerNodeMax = Math.ceil(metricsWindowMs / 1000) + 60;
/**
 * Nodes whose samples are kept at once (each up to metricsSamplesPerNodeMax, a few hundred bytes
 * a sample): about 60k samples in all. Past it the node that has been silent longest is forgotten.
 */
export const metricsNodesMax = consoleNodesMax;
/** Ended fault periods kept (within the window); past it the oldest are dropped. */
export const metricsFaultPeriodsMax = 500;
