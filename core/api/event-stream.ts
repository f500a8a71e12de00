// GET /v1/admin/events: this node's live events as Server-Sent Events, one JSON object per
// `data:` line (CONTRACT.md): membership changes, faults, transfers, hint deliveries and
// anti-entropy runs as they happen, and one metric sample a second while anyone listens.
//
// A sample holds the second's client operations per second and their latency percentiles per
// operation (p50, p99, p99.9, from an HDR histogram per operation that the server's response
// hook feeds and the sample empties), requests in flight, hints and transfers pending, keys
// repaired (in the second and in all) and bytes to and from peers in the second.
//
// Bounded: a subscriber whose connection has more than subscriberBufferBytesMax unsent bytes is
// a slow reader and is dropped (its connection closed), never a cause of unbounded memory. The
// sampler runs only while there is a subscriber, so a node nobody watches pays nothing.

import type { ServerResponse } from 'node:http';
import type { LatencyPercentiles, MetricSample, NodeEvent } from '../admin/events.js';
import type { NodeAdmin, NodeFigures } from '../node/admin.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { Operation } from './metrics.js';

type ClientOperation = Exclude<Operation, 'admin'>;

/** Unsent bytes past which a subscriber counts as too slow and is dropped. */
export const subscriberBufferBytesMax = 1024 * 1024;
/** Most subscribers one node serves at once; a further one is refused with 503. */
export const subscribersMax = 64;
/** A comment line every so often keeps proxies from closing an idle stream. */
const keepAliveMs = 15_000;
const sampleIntervalMs = 1000;

export class NodeEventStream {
  private readonly subscribers = new Set<ServerResponse>();
  private readonly latency: Record<ClientOperation, LatencyHistogram> = { get: new LatencyHistogram(), put: new LatencyHistogram(), delete: new LatencyHistogram() };
  private sampler: ReturnType<typeof setInterval> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;
  private last: { at: number; figures: NodeFigures } | undefined;
  /** Subscribers dropped for reading too slowly. */
  dropped = 0;

  constructor(private readonly admin: NodeAdmin) {}

  get size(): number {
    return this.subscribers.size;
  }

  /** Records a client operation answered in `latencyMs` for the per-second sample (nothing while nobody listens). */
  observe(op: Operation, latencyMs: number): void {
    if (op !== 'admin' && this.sampler !== undefined) this.latency[op].record(latencyMs);
  }

  /** Whether another subscriber may join. */
  hasRoom(): boolean {
    return this.subscribers.size < subscribersMax;
  }

  /** Streams this node's events to `response` (already answered 200 with SSE headers) until it closes. */
  add(response: ServerResponse): void {
    this.subscribers.add(response);
    response.on('close', () => this.remove(response));
    if (this.subscribers.size === 1) this.begin();
  }

  close(): void {
    for (const response of this.subscribers) response.end();
    this.subscribers.clear();
    this.end();
  }

  private remove(response: ServerResponse): void {
    if (!this.subscribers.delete(response)) return;
    if (this.subscribers.size === 0) this.end();
  }

  private begin(): void {
    this.unsubscribe = this.admin.subscribe((event) => this.publish(event));
    this.last = { at: Date.now(), figures: this.admin.figures() };
    for (const histogram of Object.values(this.latency)) histogram.reset();
    this.sampler = setInterval(() => this.publish({ type: 'metrics', sample: this.sample() }), sampleIntervalMs);
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), keepAliveMs);
    this.sampler.unref();
    this.keepAlive.unref();
  }

  private end(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.sampler);
    clearInterval(this.keepAlive);
    this.sampler = undefined;
    this.keepAlive = undefined;
  }

  private sample(): MetricSample {
    const now = Date.now();
    const figures = this.admin.figures();
    const previous = this.last ?? { at: now - sampleIntervalMs, figures };
    const seconds = Math.max(0.001, (now - previous.at) / 1000);
    const { get, put, delete: del } = this.latency;
    const sample: MetricSample = {
      opsPerSecond: { get: get.count / seconds, put: put.count / seconds, delete: del.count / seconds },
      requestsInFlight: figures.requests.inFlight,
      hintsPending: figures.hints.pending,
      transfersPending: figures.transfers.pending,
      keysRepaired: figures.antiEntropy.keysRepaired - previous.figures.antiEntropy.keysRepaired,
      peerBytesIn: figures.peer.transport.bytesIn - previous.figures.peer.transport.bytesIn,
      peerBytesOut: figures.peer.transport.bytesOut - previous.figures.peer.transport.bytesOut,
      latencyMs: { get: percentiles(get), put: percentiles(put), delete: percentiles(del) },
      keysRepairedTotal: figures.antiEntropy.keysRepaired,
    };
    for (const histogram of [get, put, del]) histogram.reset();
    this.last = { at: now, figures };
    return sample;
  }

  private publish(event: NodeEvent): void {
    this.write(`data: ${JSON.stringify({ node: this.admin.id, at: Date.now(), ...event })}\n\n`);
  }

  private write(text: string): void {
    for (const response of this.subscribers) {
      if (response.writableLength > subscriberBufferBytesMax) {
        this.dropped++;
        response.destroy();
        this.remove(response);
        continue;
      }
      response.write(text);
    }
  }
}

/** The histogram's p50, p99 and p99.9; null when it recorded nothing. */
function percentiles(histogram: LatencyHistogram): LatencyPercentiles | null {
  if (histogram.count === 0) return null;
  const { p50Ms, p99Ms, p999Ms } = histogram.summary();
  return { p50: p50Ms, p99: p99Ms, p999: p999Ms };
}
