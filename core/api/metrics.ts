// GET /metrics: Prometheus text (prom-client, one registry per node). Request counts and
// latency histograms per operation are observed by the HTTP server; everything else (hints,
// transfers, anti-entropy, peer traffic, background failures) is read from the node's admin
// facade when scraped. Monotonic figures are exposed as counters, levels as gauges, so
// `promtool check metrics` finds nothing to say.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeAdmin, NodeFigures } from '../node/admin.js';
import { backgroundTasks } from '../node/background-failures.js';

export type Operation = 'get' | 'put' | 'delete' | 'admin';

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'op' | 'status'>;
  private readonly latency: Histogram<'op'>;
  private readonly backgroundFailures: Counter<'task'>;
  /** The request counter's and latency histogram's series by "op status". */
  private readonly series = new Map<string, { requests: { inc(): void }; latency: { observe(seconds: number): void } }>();
  /** The figures of the scrape in progress: read once, then every metric's collect uses them. */
  private figures: NodeFigures | undefined;

  constructor(private readonly admin: NodeAdmin) {
    this.registry.setDefaultLabels({ node: admin.id });
    this.requests = new Counter({
      name: 'dynamo_http_requests_total',
      help: 'HTTP requests answered, by operation and status code',
      labelNames: ['op', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'dynamo_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by operation',
      labelNames: ['op'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    const registers = [this.registry];
    const read = (pick: (figures: NodeFigures) => number) => () => pick(this.figures ?? admin.figures());
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(value()); } });
    // A counter whose total the node keeps: reset, then set to the total, at each scrape.
    const counter = (name: string, help: string, value: () => number) =>
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(value()); } });

    gauge('dynamo_requests_in_flight', 'Client requests being coordinated now', read((f) => f.requests.inFlight));
    counter('dynamo_requests_overloaded_total', 'Client requests refused because too many were in flight (503 overloaded)', read((f) => f.requests.overloaded));
    counter('dynamo_requests_internal_errors_total', 'Client requests that failed unexpectedly (500 internal)', read((f) => f.requests.internalErrors));
    counter('dynamo_key_lock_refusals_total', 'Writes refused because too many were waiting on their key', read((f) => f.keyLockRefusals));
    counter('dynamo_read_repairs_total', 'Stale replicas repaired after a read', read((f) => f.requests.readRepairs));
    counter('dynamo_forwarded_puts_total', 'Writes forwarded to a preference-list node', read((f) => f.requests.forwardedPuts));
    counter('dynamo_hinted_writes_total', 'Replica writes sent to fallbacks with a hint', read((f) => f.requests.hintedWrites));
    gauge('dynamo_hints_pending', 'Hints held for down nodes', read((f) => f.hints.pending));
    counter('dynamo_hints_delivered_total', 'Hints handed off and acknowledged', read((f) => f.hints.delivered));
    counter('dynamo_hints_refused_total', 'Hinted writes refused because a target had too many hints', read((f) => f.hints.refused));
    gauge('dynamo_transfers_pending', 'Partition transfers this node has still to finish', read((f) => f.transfers.pending));
    counter('dynamo_transfers_completed_total', 'Partition transfers this node completed', read((f) => f.transfers.completed));
    counter('dynamo_anti_entropy_exchanges_total', 'Anti-entropy exchanges run', read((f) => f.antiEntropy.exchanges));
    counter('dynamo_anti_entropy_keys_repaired_total', 'Keys repaired by anti-entropy', read((f) => f.antiEntropy.keysRepaired));
    counter('dynamo_anti_entropy_bytes_total', 'Bytes moved by anti-entropy exchanges', read((f) => f.antiEntropy.bytesSent));
    counter('dynamo_anti_entropy_skipped_total', 'Background exchanges skipped for client traffic', read((f) => f.antiEntropy.skipped));
    counter('dynamo_tombstones_reaped_total', 'Tombstones collected', read((f) => f.tombstonesReaped));
    gauge('dynamo_peers_down', 'Peers this node treats as down', read((f) => f.peer.down));
    counter('dynamo_peer_requests_total', 'Requests received from peers', read((f) => f.peer.peerRequests));
    counter('dynamo_peer_requests_rejected_total', 'Peer requests refused as malformed', read((f) => f.peer.peerRequestsRejected));
    counter('dynamo_peer_frames_rejected_total', 'Peer frames refused (garbage, oversized); the connection was closed', read((f) => f.peer.transport.framesRejected));
    counter('dynamo_peer_handshake_failures_total', 'Peer connections that failed authentication', read((f) => f.peer.transport.handshakeFailures));
    counter('dynamo_peer_bytes_in_total', 'Bytes received from peers', read((f) => f.peer.transport.bytesIn));
    counter('dynamo_peer_bytes_out_total', 'Bytes sent to peers', read((f) => f.peer.transport.bytesOut));
    this.backgroundFailures = new Counter({
      name: 'dynamo_background_failures_total',
      help: 'Background work that failed (counted and logged), by task',
      labelNames: ['task'],
      registers,
    });
    for (const task of backgroundTasks) this.backgroundFailures.labels(task).inc(0);
  }

  observe(op: Operation, status: number, seconds: number): void {
    // Each label set's series is looked up once and kept: prom-client hashes the labels per call.
    const name = `${op} ${status}`;
    let series = this.series.get(name);
    if (series === undefined) {
      series = { requests: this.requests.labels(op, String(status)), latency: this.latency.labels(op) };
      this.series.set(name, series);
    }
    series.requests.inc();
    series.latency.observe(seconds);
  }

  async text(): Promise<string> {
    this.figures = this.admin.figures();
    try {
      this.backgroundFailures.reset();
      for (const [task, count] of Object.entries(this.figures.backgroundFailures)) this.backgroundFailures.labels(task).inc(count);
      return await this.registry.metrics();
    } finally {
      this.figures = undefined;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
