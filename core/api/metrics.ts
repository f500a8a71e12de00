// GET /metrics: Prometheus text (prom-client, one registry per node). Request counts and
// latency histograms per operation are observed by the HTTP server; everything else (hints,
// transfers, anti-entropy, peer traffic) is read from the node when scraped.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DynamoNode } from '../node/dynamo-node.js';
import type { TransportStats } from '../net/transport.js';

export type Operation = 'get' | 'put' | 'delete' | 'admin';

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'op' | 'status'>;
  private readonly latency: Histogram<'op'>;

  constructor(node: DynamoNode, transportStats: () => TransportStats) {
    this.registry.setDefaultLabels({ node: node.id });
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
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    // Monotonic values kept by the node, exposed as gauges set at scrape time.
    gauge('dynamo_hints_pending', 'Hints held for down nodes', () => node.replica.hintsPending().pending);
    gauge('dynamo_hints_delivered_total', 'Hints handed off and acknowledged', () => node.handoff.delivered);
    gauge('dynamo_hints_refused_total', 'Hinted writes refused because a target had too many hints', () => node.replica.hintsRefused);
    gauge('dynamo_hinted_writes_total', 'Replica writes sent to fallbacks with a hint', () => node.counters.hintedWrites);
    gauge('dynamo_transfers_pending', 'Partition transfers this node has still to finish', () => node.transfersPending());
    gauge('dynamo_read_repairs_total', 'Stale replicas repaired after a read', () => node.counters.readRepairs);
    gauge('dynamo_forwarded_puts_total', 'Writes forwarded to a preference-list node', () => node.counters.forwardedPuts);
    gauge('dynamo_anti_entropy_exchanges_total', 'Anti-entropy exchanges run', () => node.antiEntropy.totals.exchanges);
    gauge('dynamo_anti_entropy_keys_repaired_total', 'Keys repaired by anti-entropy', () => node.antiEntropy.totals.keysRepaired);
    gauge('dynamo_anti_entropy_bytes_total', 'Bytes moved by anti-entropy exchanges', () => node.antiEntropy.totals.bytesSent);
    gauge('dynamo_anti_entropy_skipped_total', 'Background exchanges skipped for client traffic', () => node.antiEntropy.totals.skipped);
    gauge('dynamo_tombstones_reaped_total', 'Tombstones collected', () => node.reaper.reaped);
    gauge('dynamo_peers_down', 'Peers this node treats as down', () => node.health.downPeers().length);
    gauge('dynamo_peer_requests_total', 'Requests received from peers', () => node.counters.peerRequests);
    gauge('dynamo_peer_requests_rejected_total', 'Peer requests refused as malformed', () => node.counters.peerRequestsRejected);
    gauge('dynamo_peer_frames_rejected_total', 'Peer frames refused (garbage, oversized); the connection was closed', () => transportStats().framesRejected);
    gauge('dynamo_peer_handshake_failures_total', 'Peer connections that failed authentication', () => transportStats().handshakeFailures ?? 0);
    gauge('dynamo_requests_in_flight', 'Client requests being coordinated now', () => node.inFlight);
  }

  observe(op: Operation, status: number, seconds: number): void {
    this.requests.inc({ op, status: String(status) });
    this.latency.observe({ op }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
