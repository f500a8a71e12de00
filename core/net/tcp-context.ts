// What the two sides of the TCP transport share: the transport's identity, clock, secret,
// limits, counters and fault-injection state (TcpContext), and the writing of frames to a
// socket. The outbound side (tcp-outbound.ts) and the inbound side (tcp-inbound.ts) each get
// the one TcpContext of their TcpTransport.

import type net from 'node:net';
import type { Clock } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import { zeroTransportStats, type RequestHandler, type TransportStats } from './transport.js';

export interface TcpTransportLimits {
  frameBytesMax: number;
  requestsInFlightMax: number;
  queueBytesMax: number;
}

export interface TcpTransportStats extends TransportStats {
  connectionsAccepted: number;
  connectionsDialed: number;
  /** Inbound connections open now. */
  connectionsInbound: number;
  /** Replies that came after their request timed out or was aborted. */
  repliesLate: number;
}

export interface TcpContext {
  readonly self: NodeId;
  readonly clock: Clock;
  /** Shared by every node of the cluster; never sent. */
  readonly secret: string;
  readonly limits: TcpTransportLimits;
  /** The transport's counters, which both sides count into. */
  readonly counters: TcpTransportStats;
  /** Whether fault injection cuts this node off from `peer` now. */
  isIsolated(peer: NodeId): boolean;
  /** Whether the transport has been closed. */
  isClosed(): boolean;
  /** The handler of requests from peers, once the node serves them. */
  handler(): RequestHandler | undefined;
}

/** Counters that start at zero. */
export function zeroTcpStats(): TcpTransportStats {
  return {
    ...zeroTransportStats(),
    connectionsAccepted: 0,
    connectionsDialed: 0,
    connectionsInbound: 0,
    repliesLate: 0,
  };
}

/**
 * Writes one frame and counts it. Frames written in the same tick are corked together and leave
 * in one writev when the tick ends: cheap batching that adds no latency. `owner` (a link or a
 * connection) remembers whether its socket is corked.
 */
export function writeFrame(counters: TcpTransportStats, owner: { corked: boolean }, socket: net.Socket, frame: Buffer): void {
  if (socket.destroyed) return;
  if (!owner.corked) {
    owner.corked = true;
    socket.cork();
    process.nextTick(() => {
      owner.corked = false;
      socket.uncork();
    });
  }
  socket.write(frame);
  counters.framesOut++;
  counters.bytesOut += frame.byteLength;
}

/** Resolves once `socket` has closed. */
export function whenClosed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
