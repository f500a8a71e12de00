// The load generator's latency histogram is the node's (core/api/latency-histogram.ts): one HDR
// histogram for the benchmark's runs and the event stream's metric samples.

export { LatencyHistogram, latencyUsTrackedMax, type LatencySummary } from '../core/api/latency-histogram.js';
