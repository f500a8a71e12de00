// The inbound side of the TCP transport: the connections peers dialed to us, carrying their
// requests. Before the cluster-secret handshake (the listener's side, handshake.ts) only small
// hello frames are accepted; after it, frames up to frameBytesMax with a valid envelope. Anything
// else closes that one connection and is counted; no socket error can escape, and a handler that
// throws becomes an error reply. Handlers running per connection are limited; past the limit a
// request is answered 'overloaded' at once.

import type net from 'node:net';
import { errorText } from '../common/coded-error.js';
import type { TimerHandle } from '../common/clock.js';
import { handshakeFrameBytesMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { encodeFrame, errorMessage, FrameDecoder, FrameError, FrameKind, messageProblem, type Envelope } from './frame.js';
import { challengeMessage, handshakeProof, makeNonce, parseHello, parseProof, proofMatches } from './handshake.js';
import { whenClosed, writeFrame, type TcpContext } from './tcp-context.js';
import type { PeerMessage } from './transport.js';

type InboundState = 'hello' | 'proof' | 'ready';

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

export class InboundConnections {
  private readonly inbound = new Set<InboundConnection>();

  constructor(
    private readonly context: TcpContext,
    private readonly handshakeTimeoutMs: number,
  ) {}

  /** Inbound connections open now. */
  get size(): number {
    return this.inbound.size;
  }

  /** Drops every connection; collects the closings to wait for. */
  closeAll(closing: Array<Promise<void>>): void {
    for (const connection of this.inbound) {
      closing.push(whenClosed(connection.socket));
      this.dropInbound(connection);
    }
  }

  /** Takes a connection a peer dialed: the handshake must complete within handshakeTimeoutMs. */
  accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (this.context.isClosed()) {
      socket.destroy();
      return;
    }
    this.context.counters.connectionsAccepted++;
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
    connection.handshakeTimer = this.context.clock.setTimeout(() => {
      connection.handshakeTimer = undefined;
      if (connection.state !== 'ready') this.rejectInbound(connection, 'handshake');
    }, this.handshakeTimeoutMs);
    socket.on('close', () => {
      // A connection that ends before proving the secret is a failed handshake.
      if (connection.state !== 'ready' && !this.context.isClosed()) this.count(connection, 'handshake');
      this.dropInbound(connection);
    });
    socket.on('data', (chunk: Buffer) => {
      this.context.counters.bytesIn += chunk.byteLength;
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
    this.context.counters.framesIn++;
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
      const proof = handshakeProof(this.context.secret, 'listener', hello.nonce, connection.nonce, hello.node, this.context.self);
      writeFrame(this.context.counters, connection, connection.socket, encodeFrame(FrameKind.hello, 0, challengeMessage(this.context.self, connection.nonce, proof)));
      connection.state = 'proof';
      return true;
    }
    const proof = parseProof(envelope.m);
    const expected = handshakeProof(
      this.context.secret,
      'dialer',
      connection.dialerNonce as Uint8Array,
      connection.nonce as Buffer,
      connection.peer as NodeId,
      this.context.self,
    );
    if (proof === undefined || !proofMatches(proof, expected)) {
      this.rejectInbound(connection, 'handshake');
      return false;
    }
    connection.state = 'ready';
    connection.decoder.frameBytesMax = this.context.limits.frameBytesMax;
    if (connection.handshakeTimer !== undefined) this.context.clock.clearTimeout(connection.handshakeTimer);
    connection.handshakeTimer = undefined;
    return true;
  }

  private dispatch(connection: InboundConnection, id: number, message: PeerMessage): void {
    const peer = connection.peer as NodeId;
    if (this.context.isIsolated(peer)) {
      this.context.counters.droppedIsolated++;
      return;
    }
    const handler = this.context.handler();
    if (handler === undefined) {
      this.reply(connection, id, errorMessage('no_handler', `${this.context.self} does not serve requests yet`), FrameKind.error);
      return;
    }
    if (connection.inFlight >= this.context.limits.requestsInFlightMax) {
      this.reply(connection, id, errorMessage('overloaded', `${this.context.self} has ${connection.inFlight} requests from ${peer} running`), FrameKind.error);
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
      this.reply(connection, id, errorMessage('bad_reply', `${this.context.self} made a bad reply: ${problem}`), FrameKind.error);
      return;
    }
    this.reply(connection, id, reply as PeerMessage, FrameKind.reply);
  }

  private replyError(connection: InboundConnection, id: number, error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const text = errorText(error);
    this.reply(connection, id, errorMessage(typeof code === 'string' ? code : 'internal', text), FrameKind.error);
  }

  private reply(connection: InboundConnection, id: number, message: PeerMessage, kind: FrameKind): void {
    if (connection.socket.destroyed) return;
    if (this.context.isIsolated(connection.peer as NodeId)) {
      this.context.counters.droppedIsolated++;
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(kind, id, message, this.context.limits.frameBytesMax);
    } catch (error) {
      const code = error instanceof FrameError && error.code === 'too_large' ? 'too_large' : 'bad_reply';
      frame = encodeFrame(FrameKind.error, id, errorMessage(code, (error as Error).message));
    }
    writeFrame(this.context.counters, connection, connection.socket, frame);
  }

  /** Closes an inbound connection for bad input and counts it once. */
  private rejectInbound(connection: InboundConnection, what: 'frame' | 'handshake'): void {
    this.count(connection, what);
    this.dropInbound(connection);
  }

  private count(connection: InboundConnection, what: 'frame' | 'handshake'): void {
    if (connection.counted) return;
    connection.counted = true;
    if (what === 'frame') this.context.counters.framesRejected++;
    else this.context.counters.handshakeFailures++;
  }

  private dropInbound(connection: InboundConnection): void {
    if (!this.inbound.delete(connection)) return;
    if (connection.handshakeTimer !== undefined) this.context.clock.clearTimeout(connection.handshakeTimer);
    connection.handshakeTimer = undefined;
    connection.decoder.stop();
    connection.socket.destroy();
  }
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}
