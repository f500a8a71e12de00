// The Transport interface: request/response messaging between peers, by node id.
// Implementations: TCP with length-prefixed msgpack frames (tcp-transport.ts) and a simulated
// network with seeded faults (sim-network.ts). One conformance suite runs against both.

import { CodedError } from '../common/coded-error.js';
import type { NodeId } from '../common/types.js';

/** A message between peers: a plain object with a string `type`; bodies are validated by the node. */
export interface PeerMessage {
  type: string;
  [field: string]: unknown;
}

export type TransportErrorCode =
  | 'unreachable' // connection refused, reset, failed handshake, partitioned or isolated
  | 'timeout' // no reply within the time given
  | 'aborted' // the caller's AbortSignal fired first
  | 'overloaded' // too many requests in flight or bytes queued for that peer (here or there)
  | 'too_large' // the encoded message is larger than frameBytesMax
  | 'bad_message' // the message is not plain data (see frame.ts: checkMessage)
  | 'closed' // this transport is closed
  | 'remote'; // the peer's handler failed; `remoteCode` says how

export class TransportError extends CodedError<TransportErrorCode> {
  override name = 'TransportError';
  /** For code 'remote': the error code the peer sent (the handler error's `code`, or 'internal'). */
  readonly remoteCode?: string;
  /**
   * The request had left this node when it failed (a time-out, a connection lost after the
   * write), so the peer may have acted on it: a caller must not assume it did not happen.
   * False when the request surely never reached the peer (refused at once, or still queued).
   */
  maybeDelivered = false;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown; remoteCode?: string }) {
    super(code, message, options);
    if (options?.remoteCode !== undefined) this.remoteCode = options.remoteCode;
  }
}

/** Whether a request that failed with `code` after it was sent may have reached the peer. */
export function lostInFlight(code: TransportErrorCode): boolean {
  return code === 'timeout' || code === 'unreachable' || code === 'aborted' || code === 'closed';
}

export interface RequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Answers one request; a thrown error reaches the caller as TransportError('remote') with the
 * error's string `code` (if any) as `remoteCode`, and its message.
 */
export type RequestHandler = (from: NodeId, message: PeerMessage) => Promise<PeerMessage> | PeerMessage;

export interface Transport {
  readonly self: NodeId;
  /** Sends one request and resolves with the reply, or rejects with a TransportError. */
  request(to: NodeId, message: PeerMessage, options: RequestOptions): Promise<PeerMessage>;
  /** Installs the handler for requests from peers (one handler per transport). */
  onRequest(handler: RequestHandler): void;
  /** Where a peer listens (TCP: "host:port"); the simulator ignores addresses. */
  setPeerAddress(id: NodeId, address: string): void;
  /**
   * Fault injection: drops all traffic to and from these peers until the next call (which
   * replaces the set; `[]` heals). Requests to them fail 'unreachable' at once, requests in
   * flight to them fail 'unreachable', and their requests and replies are dropped unseen.
   */
  isolate(ids: readonly NodeId[]): void;
  /** The peers currently isolated by `isolate`. */
  isolated(): NodeId[];
  /** Counters since the transport was made. */
  stats(): TransportStats;
  close(): Promise<void>;
}

export interface TransportStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Frames that failed validation (garbage, oversized): the connection was closed. */
  framesRejected: number;
  /** Connections that failed or abandoned the cluster-secret handshake. */
  handshakeFailures: number;
  /** Requests and replies dropped because their peer is isolated. */
  droppedIsolated: number;
}

/** Counters that start at zero. */
export function zeroTransportStats(): TransportStats {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, framesRejected: 0, handshakeFailures: 0, droppedIsolated: 0 };
}
