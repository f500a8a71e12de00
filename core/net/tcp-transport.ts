// The Transport between node processes: TCP with length-prefixed msgpack frames (frame.ts),
// authenticated by the cluster-secret handshake (handshake.ts).
//
// Connections are one-way for requests: a node dials each peer once, lazily, and sends all
// its requests to that peer on that connection; the peer answers on the same connection, in
// whatever order its handlers finish (replies match requests by id). The peer's requests to
// us travel on the connection it dialed. A connection that fails takes its requests with it
// ('unreachable'); the next request dials again.
//
// Everything a peer sends is checked at the edge: before the handshake only small hello frames
// are accepted; after it, frames up to frameBytesMax with a valid envelope. Anything else
// closes that one connection and is counted; no socket error can escape (every socket has an
// error handler), and a handler that throws becomes an error reply.
//
// Limits per peer: requests in flight (peerRequestsInFlightMax) and bytes queued
// (peerQueueBytesMax) on our side, handlers running per inbound connection on theirs; past a
// limit, requests fail 'overloaded' at once. Timers (request timeouts, connect and handshake
// deadlines) run on the injected clock.

import net from 'node:net';
import type { Clock, TimerHandle } from '../common/clock.js';
import {
  connectTimeoutMsDefault,
  frameBytesMax as frameBytesMaxDefault,
  handshakeFrameBytesMax,
  handshakeTimeoutMsDefault,
  peerConnectionsInboundMax,
  peerQueueBytesMax,
  peerRequestsInFlightMax,
} from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { encodeFrame, errorMessage, FrameDecoder, FrameError, FrameKind, messageProblem, type Envelope } from './frame.js';
import {
  challengeMessage,
  handshakeProof,
  helloMessage,
  makeNonce,
  parseChallenge,
  parseHello,
  parseProof,
  proofMatches,
  proofMessage,
} from './handshake.js';
import {
  TransportError,
  type PeerMessage,
  type RequestHandler,
  type RequestOptions,
  type Transport,
  type TransportStats,
} from './transport.js';

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

type LinkState = 'idle' | 'connecting' | 'ready';
type InboundState = 'hello' | 'proof' | 'ready';

/** Our connection to one peer, carrying our requests to it. */
interface OutboundLink {
  peer: NodeId;
  address: string;
  state: LinkState;
  socket: net.Socket | undefined;
  decoder: FrameDecoder;
  pending: Map<number, PendingRequest>;
  /** Requests waiting for the connection to be ready, in order. */
  queue: PendingRequest[];
  queuedBytes: number;
  nonce: Buffer | undefined;
  connectTimer: TimerHandle | undefined;
  corked: boolean;
  lastError: Error | undefined;
}

interface PendingRequest {
  id: number;
  link: OutboundLink;
  /** Set while the frame waits in the link's queue. */
  frame: Buffer | undefined;
  resolve: (message: PeerMessage) => void;
  reject: (error: TransportError) => void;
  timer: TimerHandle;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** A connection a peer dialed to us, carrying its requests. */
interface InboundConnection {
  socket: net.Socket;
  state: InboundState;
  decoder: FrameDecoder;
  peer: NodeId | undefined;
  dialerNonce: Uint8Array | undefined;
  nonce: Buffer | undefined;
  handshakeTimer: TimerHandle | undefined;
  /** Handlers running for this connection. */
  inFlight: number;
  corked: boolean;
  /** Whether this connection's failure has been counted already. */
  counted: boolean;
}

export class TcpTransport implements Transport {
  readonly self: NodeId;
  private readonly clock: Clock;
  private readonly secret: string;
  private readonly host: string;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly limits: TcpTransportLimits;
  private handler: RequestHandler | undefined;
  private server: net.Server | undefined;
  private listening: { host: string; port: number } | undefined;
  private readonly addresses = new Map<NodeId, string>();
  private readonly links = new Map<NodeId, OutboundLink>();
  private readonly inbound = new Set<InboundConnection>();
  private isolatedPeers = new Set<NodeId>();
  private nextId = 0;
  private closed = false;
  private readonly counters: TcpTransportStats = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    framesRejected: 0,
    handshakeFailures: 0,
    droppedIsolated: 0,
    connectionsAccepted: 0,
    connectionsDialed: 0,
    connectionsInbound: 0,
    repliesLate: 0,
  };

  constructor(options: TcpTransportOptions) {
    if (typeof options.clusterSecret !== 'string' || options.clusterSecret.length === 0) {
      throw new TypeError('TcpTransport needs a non-empty clusterSecret');
    }
    this.self = options.self;
    this.clock = options.clock;
    this.secret = options.clusterSecret;
    this.host = options.host;
    this.port = options.port;
    this.connectTimeoutMs = options.connectTimeoutMs ?? connectTimeoutMsDefault;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? handshakeTimeoutMsDefault;
    this.limits = {
      frameBytesMax: options.limits?.frameBytesMax ?? frameBytesMaxDefault,
      requestsInFlightMax: options.limits?.requestsInFlightMax ?? peerRequestsInFlightMax,
      queueBytesMax: options.limits?.queueBytesMax ?? peerQueueBytesMax,
    };
  }

  /** Starts accepting peer connections; resolves with the port actually bound. */
  listen(): Promise<{ host: string; port: number }> {
    if (this.closed) return Promise.reject(new TransportError('closed', 'the transport is closed'));
    if (this.listening) return Promise.resolve(this.listening);
    const server = net.createServer((socket) => this.accept(socket));
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
    if (this.addresses.get(id) === address) return;
    this.addresses.set(id, address);
    const link = this.links.get(id);
    if (link && link.address !== address) {
      this.failLink(link, 'unreachable', `peer ${id} moved to ${address}`);
      this.links.delete(id);
    }
  }

  isolate(ids: readonly NodeId[]): void {
    this.isolatedPeers = new Set(ids.filter((id) => id !== this.self));
    for (const id of this.isolatedPeers) {
      const link = this.links.get(id);
      if (link) this.rejectAll(link, 'unreachable', `peer ${id} is isolated`);
    }
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
    const link = this.linkTo(to);
    if (link === undefined) return Promise.reject(new TransportError('unreachable', `no address known for peer ${to}`));
    if (link.pending.size >= this.limits.requestsInFlightMax) {
      return Promise.reject(new TransportError('overloaded', `${link.pending.size} requests in flight to ${to}`));
    }
    const id = this.newRequestId();
    let frame: Buffer;
    try {
      frame = encodeFrame(FrameKind.request, id, message, this.limits.frameBytesMax);
    } catch (error) {
      return Promise.reject(toSendError(error));
    }
    const queued = link.queuedBytes + (link.socket?.writableLength ?? 0);
    if (queued + frame.byteLength > this.limits.queueBytesMax) {
      return Promise.reject(new TransportError('overloaded', `${queued} bytes already queued for ${to}`));
    }
    return new Promise<PeerMessage>((resolve, reject) => {
      const pending: PendingRequest = {
        id,
        link,
        frame: undefined,
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.settle(pending, new TransportError('timeout', `no reply from ${to} to ${message.type} within ${options.timeoutMs} ms`));
        }, options.timeoutMs),
        signal,
        onAbort: undefined,
      };
      if (signal) {
        pending.onAbort = () =>
          this.settle(pending, new TransportError('aborted', 'the request was aborted', { cause: signal.reason }));
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      link.pending.set(id, pending);
      if (link.state === 'ready') {
        this.write(link, link.socket as net.Socket, frame);
      } else {
        pending.frame = frame;
        link.queue.push(pending);
        link.queuedBytes += frame.byteLength;
        if (link.state === 'idle') this.dial(link);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing: Array<Promise<void>> = [];
    for (const link of this.links.values()) {
      if (link.socket) closing.push(whenClosed(link.socket));
      this.failLink(link, 'closed', 'the transport is closed');
    }
    this.links.clear();
    for (const connection of this.inbound) {
      closing.push(whenClosed(connection.socket));
      this.dropInbound(connection);
    }
    const server = this.server;
    if (server && this.listening) closing.push(new Promise((resolve) => server.close(() => resolve())));
    this.server = undefined;
    await Promise.all(closing);
  }

  // --- Outbound: dialing, the dialer's side of the handshake, replies ----------------------

  private linkTo(peer: NodeId): OutboundLink | undefined {
    let link = this.links.get(peer);
    if (link) return link;
    const address = this.addresses.get(peer);
    if (address === undefined) return undefined;
    link = {
      peer,
      address,
      state: 'idle',
      socket: undefined,
      decoder: new FrameDecoder(handshakeFrameBytesMax),
      pending: new Map(),
      queue: [],
      queuedBytes: 0,
      nonce: undefined,
      connectTimer: undefined,
      corked: false,
      lastError: undefined,
    };
    this.links.set(peer, link);
    return link;
  }

  private dial(link: OutboundLink): void {
    const parsed = parseAddress(link.address);
    if (parsed === undefined) {
      this.failLink(link, 'unreachable', `bad address ${link.address} for peer ${link.peer}`);
      return;
    }
    this.counters.connectionsDialed++;
    link.state = 'connecting';
    link.decoder = new FrameDecoder(handshakeFrameBytesMax);
    link.nonce = makeNonce();
    link.lastError = undefined;
    const socket = net.connect({ host: parsed.host, port: parsed.port });
    link.socket = socket;
    socket.setNoDelay(true);
    link.connectTimer = this.clock.setTimeout(() => {
      link.connectTimer = undefined;
      if (link.socket === socket) this.failLink(link, 'unreachable', `connecting to ${link.peer} at ${link.address} timed out`);
    }, this.connectTimeoutMs);
    socket.on('error', (error) => {
      if (link.socket === socket) link.lastError = error;
    });
    socket.on('close', () => {
      if (link.socket !== socket) return;
      const reason = link.lastError ? link.lastError.message : 'connection closed';
      this.failLink(link, 'unreachable', `peer ${link.peer} at ${link.address}: ${reason}`);
    });
    socket.on('connect', () => {
      if (link.socket !== socket) return;
      this.write(link, socket, encodeFrame(FrameKind.hello, 0, helloMessage(this.self, link.nonce as Buffer), handshakeFrameBytesMax));
    });
    socket.on('data', (chunk: Buffer) => {
      if (link.socket !== socket) return;
      this.counters.bytesIn += chunk.byteLength;
      try {
        link.decoder.push(chunk, (envelope) => this.onLinkEnvelope(link, socket, envelope));
      } catch (error) {
        this.counters.framesRejected++;
        this.failLink(link, 'unreachable', `bad frame from ${link.peer}: ${(error as Error).message}`);
      }
    });
  }

  private onLinkEnvelope(link: OutboundLink, socket: net.Socket, envelope: Envelope): boolean {
    if (link.socket !== socket) return false;
    this.counters.framesIn++;
    if (link.state === 'connecting') return this.onChallenge(link, socket, envelope);
    if (envelope.k === FrameKind.reply || envelope.k === FrameKind.error) {
      const pending = link.pending.get(envelope.i);
      if (pending === undefined) {
        this.counters.repliesLate++;
        return true;
      }
      if (this.isolatedPeers.has(link.peer)) {
        this.counters.droppedIsolated++;
        return true;
      }
      if (envelope.k === FrameKind.reply) {
        this.settle(pending, envelope.m);
      } else {
        this.settle(pending, remoteError(link.peer, envelope.m));
      }
      return true;
    }
    this.counters.framesRejected++;
    this.failLink(link, 'unreachable', `peer ${link.peer} sent a frame of kind ${envelope.k} on our connection`);
    return false;
  }

  private onChallenge(link: OutboundLink, socket: net.Socket, envelope: Envelope): boolean {
    const challenge = envelope.k === FrameKind.hello ? parseChallenge(envelope.m) : undefined;
    let problem: string | undefined;
    // A peer addressed only by its address (a seed whose id is not known yet: `@host:port`)
    // may be any node; the proofs then bind the id it gives.
    const byAddress = isAddressPeer(link.peer);
    let peerId = link.peer;
    if (challenge === undefined) problem = 'no valid challenge';
    else if (!byAddress && challenge.node !== link.peer) problem = `the node at ${link.address} is ${challenge.node}, not ${link.peer}`;
    else {
      peerId = challenge.node;
      const expected = handshakeProof(this.secret, 'listener', link.nonce as Buffer, challenge.nonce, this.self, peerId);
      if (!proofMatches(challenge.proof, expected)) problem = 'it does not know the cluster secret';
    }
    if (problem !== undefined || challenge === undefined) {
      this.counters.handshakeFailures++;
      this.failLink(link, 'unreachable', `handshake with ${link.peer} failed: ${problem}`);
      return false;
    }
    const proof = handshakeProof(this.secret, 'dialer', link.nonce as Buffer, challenge.nonce, this.self, peerId);
    this.write(link, socket, encodeFrame(FrameKind.hello, 0, proofMessage(proof), handshakeFrameBytesMax));
    link.state = 'ready';
    link.decoder.frameBytesMax = this.limits.frameBytesMax;
    if (link.connectTimer !== undefined) this.clock.clearTimeout(link.connectTimer);
    link.connectTimer = undefined;
    // Requests queued while connecting go out right behind the proof, in order.
    for (const pending of link.queue) {
      if (pending.frame !== undefined) this.write(link, socket, pending.frame);
      pending.frame = undefined;
    }
    link.queue = [];
    link.queuedBytes = 0;
    return true;
  }

  /** Settles one request exactly once: a reply, or an error. */
  private settle(pending: PendingRequest, outcome: PeerMessage | TransportError): void {
    const link = pending.link;
    if (link.pending.get(pending.id) !== pending) return;
    link.pending.delete(pending.id);
    this.clock.clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if (pending.frame !== undefined) {
      link.queuedBytes -= pending.frame.byteLength;
      pending.frame = undefined;
    }
    if (outcome instanceof TransportError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  private rejectAll(link: OutboundLink, code: 'unreachable' | 'closed', reason: string): void {
    for (const pending of [...link.pending.values()]) this.settle(pending, new TransportError(code, reason));
    link.queue = [];
    link.queuedBytes = 0;
  }

  /** Closes the link's connection and fails its requests; the next request dials again. */
  private failLink(link: OutboundLink, code: 'unreachable' | 'closed', reason: string): void {
    const socket = link.socket;
    link.socket = undefined;
    link.state = 'idle';
    link.corked = false;
    if (link.connectTimer !== undefined) this.clock.clearTimeout(link.connectTimer);
    link.connectTimer = undefined;
    link.decoder.stop();
    socket?.destroy();
    this.rejectAll(link, code, reason);
  }

  // --- Inbound: accepting, the listener's side of the handshake, requests ------------------

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.counters.connectionsAccepted++;
    socket.setNoDelay(true);
    const connection: InboundConnection = {
      socket,
      state: 'hello',
      decoder: new FrameDecoder(handshakeFrameBytesMax),
      peer: undefined,
      dialerNonce: undefined,
      nonce: undefined,
      handshakeTimer: undefined,
      inFlight: 0,
      corked: false,
      counted: false,
    };
    this.inbound.add(connection);
    connection.handshakeTimer = this.clock.setTimeout(() => {
      connection.handshakeTimer = undefined;
      if (connection.state !== 'ready') this.rejectInbound(connection, 'handshake');
    }, this.handshakeTimeoutMs);
    socket.on('close', () => {
      // A connection that ends before proving the secret is a failed handshake.
      if (connection.state !== 'ready' && !this.closed) this.count(connection, 'handshake');
      this.dropInbound(connection);
    });
    socket.on('data', (chunk: Buffer) => {
      this.counters.bytesIn += chunk.byteLength;
      try {
        connection.decoder.push(chunk, (envelope) => this.onInboundEnvelope(connection, envelope));
      } catch {
        // A FrameError, or anything else that went wrong on this input: never let it escape
        // a socket callback (that would crash the process); drop the connection instead.
        this.rejectInbound(connection, 'frame');
      }
    });
  }

  private onInboundEnvelope(connection: InboundConnection, envelope: Envelope): boolean {
    if (connection.socket.destroyed) return false;
    this.counters.framesIn++;
    if (connection.state === 'ready') {
      if (envelope.k !== FrameKind.request) {
        this.rejectInbound(connection, 'frame');
        return false;
      }
      this.dispatch(connection, envelope.i, envelope.m);
      return true;
    }
    if (envelope.k !== FrameKind.hello) {
      this.rejectInbound(connection, 'handshake');
      return false;
    }
    if (connection.state === 'hello') {
      const hello = parseHello(envelope.m);
      if (hello === undefined) {
        this.rejectInbound(connection, 'handshake');
        return false;
      }
      connection.peer = hello.node;
      connection.dialerNonce = hello.nonce;
      connection.nonce = makeNonce();
      const proof = handshakeProof(this.secret, 'listener', hello.nonce, connection.nonce, hello.node, this.self);
      this.write(connection, connection.socket, encodeFrame(FrameKind.hello, 0, challengeMessage(this.self, connection.nonce, proof)));
      connection.state = 'proof';
      return true;
    }
    const proof = parseProof(envelope.m);
    const expected = handshakeProof(
      this.secret,
      'dialer',
      connection.dialerNonce as Uint8Array,
      connection.nonce as Buffer,
      connection.peer as NodeId,
      this.self,
    );
    if (proof === undefined || !proofMatches(proof, expected)) {
      this.rejectInbound(connection, 'handshake');
      return false;
    }
    connection.state = 'ready';
    connection.decoder.frameBytesMax = this.limits.frameBytesMax;
    if (connection.handshakeTimer !== undefined) this.clock.clearTimeout(connection.handshakeTimer);
    connection.handshakeTimer = undefined;
    return true;
  }

  private dispatch(connection: InboundConnection, id: number, message: PeerMessage): void {
    const peer = connection.peer as NodeId;
    if (this.isolatedPeers.has(peer)) {
      this.counters.droppedIsolated++;
      return;
    }
    const handler = this.handler;
    if (handler === undefined) {
      this.reply(connection, id, errorMessage('no_handler', `${this.self} does not serve requests yet`), FrameKind.error);
      return;
    }
    if (connection.inFlight >= this.limits.requestsInFlightMax) {
      this.reply(connection, id, errorMessage('overloaded', `${this.self} has ${connection.inFlight} requests from ${peer} running`), FrameKind.error);
      return;
    }
    connection.inFlight++;
    let result: PeerMessage | Promise<PeerMessage>;
    try {
      result = handler(peer, message);
    } catch (error) {
      connection.inFlight--;
      this.replyError(connection, id, error);
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (reply) => {
          connection.inFlight--;
          this.replyMessage(connection, id, reply);
        },
        (error: unknown) => {
          connection.inFlight--;
          this.replyError(connection, id, error);
        },
      );
    } else {
      connection.inFlight--;
      this.replyMessage(connection, id, result);
    }
  }

  private replyMessage(connection: InboundConnection, id: number, reply: unknown): void {
    const problem = messageProblem(reply);
    if (problem !== undefined) {
      this.reply(connection, id, errorMessage('bad_reply', `${this.self} made a bad reply: ${problem}`), FrameKind.error);
      return;
    }
    this.reply(connection, id, reply as PeerMessage, FrameKind.reply);
  }

  private replyError(connection: InboundConnection, id: number, error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const text = error instanceof Error ? error.message : String(error);
    this.reply(connection, id, errorMessage(typeof code === 'string' ? code : 'internal', text), FrameKind.error);
  }

  private reply(connection: InboundConnection, id: number, message: PeerMessage, kind: FrameKind): void {
    if (connection.socket.destroyed) return;
    if (this.isolatedPeers.has(connection.peer as NodeId)) {
      this.counters.droppedIsolated++;
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(kind, id, message, this.limits.frameBytesMax);
    } catch (error) {
      const code = error instanceof FrameError && error.code === 'too_large' ? 'too_large' : 'bad_reply';
      frame = encodeFrame(FrameKind.error, id, errorMessage(code, (error as Error).message));
    }
    this.write(connection, connection.socket, frame);
  }

  /** Closes an inbound connection for bad input and counts it once. */
  private rejectInbound(connection: InboundConnection, what: 'frame' | 'handshake'): void {
    this.count(connection, what);
    this.dropInbound(connection);
  }

  private count(connection: InboundConnection, what: 'frame' | 'handshake'): void {
    if (connection.counted) return;
    connection.counted = true;
    if (what === 'frame') this.counters.framesRejected++;
    else this.counters.handshakeFailures++;
  }

  private dropInbound(connection: InboundConnection): void {
    if (!this.inbound.delete(connection)) return;
    if (connection.handshakeTimer !== undefined) this.clock.clearTimeout(connection.handshakeTimer);
    connection.handshakeTimer = undefined;
    connection.decoder.stop();
    connection.socket.destroy();
  }

  // --- Writing ---------------------------------------------------------------------------

  /**
   * Writes one frame. Frames written in the same tick are corked together and leave in one
   * writev when the tick ends: cheap batching that adds no latency.
   */
  private write(owner: { corked: boolean }, socket: net.Socket, frame: Buffer): void {
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
    this.counters.framesOut++;
    this.counters.bytesOut += frame.byteLength;
  }

  private newRequestId(): number {
    this.nextId = (this.nextId + 1) >>> 0;
    if (this.nextId === 0) this.nextId = 1; // 0 is the handshake's id
    return this.nextId;
  }
}

/** The TransportError a caller sees for an error reply. */
function remoteError(peer: NodeId, message: PeerMessage): TransportError {
  const code = message.code as string;
  const text = `${peer}: ${code}: ${message.message as string}`;
  if (code === 'overloaded') return new TransportError('overloaded', text, { remoteCode: code });
  return new TransportError('remote', text, { remoteCode: code });
}

function toSendError(error: unknown): TransportError {
  if (error instanceof FrameError) {
    return new TransportError(error.code === 'too_large' ? 'too_large' : 'bad_message', error.message, { cause: error });
  }
  return new TransportError('bad_message', String(error), { cause: error });
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

function whenClosed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Parses "host:port" or "[v6]:port". */
/**
 * The id under which a peer known only by its address is reached: `@host:port`. Its handshake
 * accepts whichever node answers there, if it proves the cluster secret.
 */
export function addressPeer(address: string): NodeId {
  return `@${address}`;
}

export function isAddressPeer(id: NodeId): boolean {
  return id.startsWith('@');
}

export function parseAddress(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || host.length === 0) return undefined;
  return { host, port };
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
