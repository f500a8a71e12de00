// The Transport between node processes: TCP with length-prefixed msgpack frames (frame.ts),
// authenticated by the cluster-secret handshake (handshake.ts).
//
// Connections are one-way for requests: a node dials each peer once, lazily, and sends all
// its requests to that peer on that connection (tcp-outbound.ts); the peer answers on the same
// connection, in whatever order its handlers finish (replies match requests by id). The peer's
// requests to us travel on the connection it dialed (tcp-inbound.ts). A connection that fails
// takes its requests with it ('unreachable'); the next request dials again.
//
// Everything a peer sends is checked at the edge; anything malformed closes that one connection
// and is counted. Limits per peer: requests in flight (peerRequestsInFlightMax) and bytes queued
// (peerQueueBytesMax) on our side, handlers running per inbound connection on theirs; past a
// limit, requests fail 'overloaded' at once. Timers (request timeouts, connect and handshake
// deadlines) run on the injected clock. This module is the listener, fault injection and the
// Transport surface over the two sides (tcp-context.ts holds what they share).

import net from 'node:net';
import type { Clock } from '../common/clock.js';
import {
  connectTimeoutMsDefault,
  frameBytesMax as frameBytesMaxDefault,
  handshakeTimeoutMsDefault,
  peerConnectionsInboundMax,
  peerQueueBytesMax,
  peerRequestsInFlightMax,
} from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { formatAddress } from './address.js';
import { zeroTcpStats, type TcpContext, type TcpTransportLimits, type TcpTransportStats } from './tcp-context.js';
import { InboundConnections } from './tcp-inbound.js';
import { OutboundLinks } from './tcp-outbound.js';
import { TransportError, type PeerMessage, type RequestHandler, type RequestOptions, type Transport } from './transport.js';

// Addresses live in address.ts; older callers import them from here.
export { addressPeer, formatAddress, isAddressPeer, parseAddress } from './address.js';
export type { TcpTransportLimits, TcpTransportStats } from './tcp-context.js';

export interface TcpTransportOptions {
  self: NodeId;
  /** Interface to listen on (127.0.0.1 unless the operator says otherwise). */
  host: string;
  /** Port to listen on; 0 picks a free one (see `listen()`). */
  port: number;
  clock: Clock;
  /** Shared by every node of the cluster; never sent. */
  clusterSecret: string;
  /** Time to connect and complete the handshake with a peer. */
  connectTimeoutMs?: number;
  /** Time an inbound connection has to complete the handshake. */
  handshakeTimeoutMs?: number;
  /** Overrides of the limits in core/common/limits.ts (tests use small ones). */
  limits?: Partial<TcpTransportLimits>;
}

export class TcpTransport implements Transport {
  readonly self: NodeId;
  private readonly host: string;
  private readonly port: number;
  private handler: RequestHandler | undefined;
  private server: net.Server | undefined;
  private listening: { host: string; port: number } | undefined;
  private isolatedPeers = new Set<NodeId>();
  private closed = false;
  private readonly counters: TcpTransportStats = zeroTcpStats();
  private readonly outbound: OutboundLinks;
  private readonly inbound: InboundConnections;

  constructor(options: TcpTransportOptions) {
    if (typeof options.clusterSecret !== 'string' || options.clusterSecret.length === 0) {
      throw new TypeError('TcpTransport needs a non-empty clusterSecret');
    }
    this.self = options.self;
    this.host = options.host;
    this.port = options.port;
    const context: TcpContext = {
      self: options.self,
      clock: options.clock,
      secret: options.clusterSecret,
      limits: {
        frameBytesMax: options.limits?.frameBytesMax ?? frameBytesMaxDefault,
        requestsInFlightMax: options.limits?.requestsInFlightMax ?? peerRequestsInFlightMax,
        queueBytesMax: options.limits?.queueBytesMax ?? peerQueueBytesMax,
      },
      counters: this.counters,
      isIsolated: (peer) => this.isolatedPeers.has(peer),
      isClosed: () => this.closed,
      handler: () => this.handler,
    };
    this.outbound = new OutboundLinks(context, options.connectTimeoutMs ?? connectTimeoutMsDefault);
    this.inbound = new InboundConnections(context, options.handshakeTimeoutMs ?? handshakeTimeoutMsDefault);
  }

  /** Starts accepting peer connections; resolves with the port actually bound. */
  listen(): Promise<{ host: string; port: number }> {
    if (this.closed) return Promise.reject(new TransportError('closed', 'the transport is closed'));
    if (this.listening) return Promise.resolve(this.listening);
    const server = net.createServer((socket) => this.inbound.accept(socket));
    server.maxConnections = peerConnectionsInboundMax;
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        this.server = undefined;
        reject(error);
      };
      server.once('error', onError);
      server.listen(this.port, this.host, () => {
        server.off('error', onError);
        // Errors after listening (rare: e.g. EMFILE on accept) must not crash the process.
        server.on('error', () => undefined);
        const address = server.address() as net.AddressInfo;
        this.listening = { host: this.host, port: address.port };
        resolve(this.listening);
      });
    });
  }

  /** "host:port" this transport listens on, once `listen()` resolved. */
  address(): string | undefined {
    return this.listening ? formatAddress(this.listening.host, this.listening.port) : undefined;
  }

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
  }

  setPeerAddress(id: NodeId, address: string): void {
    this.outbound.setPeerAddress(id, address);
  }

  isolate(ids: readonly NodeId[]): void {
    this.isolatedPeers = new Set(ids.filter((id) => id !== this.self));
    this.outbound.isolate(this.isolatedPeers);
  }

  isolated(): NodeId[] {
    return [...this.isolatedPeers];
  }

  stats(): TcpTransportStats {
    return { ...this.counters, connectionsInbound: this.inbound.size };
  }

  request(to: NodeId, message: PeerMessage, options: RequestOptions): Promise<PeerMessage> {
    if (this.closed) return Promise.reject(new TransportError('closed', 'the transport is closed'));
    if (this.isolatedPeers.has(to)) {
      this.counters.droppedIsolated++;
      return Promise.reject(new TransportError('unreachable', `peer ${to} is isolated`));
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new TransportError('aborted', 'the request was aborted', { cause: signal.reason }));
    return this.outbound.request(to, message, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing: Array<Promise<void>> = [];
    this.outbound.closeAll(closing);
    this.inbound.closeAll(closing);
    const server = this.server;
    if (server && this.listening) closing.push(new Promise((resolve) => server.close(() => resolve())));
    this.server = undefined;
    await Promise.all(closing);
  }
}
