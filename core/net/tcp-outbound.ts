// The outbound side of the TCP transport: our connection to each peer, dialed once, lazily, and
// carrying all our requests to it. It runs the dialer's side of the cluster-secret handshake
// (handshake.ts), pipelines requests queued while connecting right behind the proof, matches
// replies to requests by id, and fails every request of a connection that fails
// ('unreachable'); the next request dials again. Limits per peer: requests in flight and bytes
// queued; past one, a request fails 'overloaded' at once.

import net from 'node:net';
import type { TimerHandle } from '../common/clock.js';
import { handshakeFrameBytesMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { encodeFrame, FrameDecoder, FrameError, FrameKind, type Envelope } from './frame.js';
import { handshakeProof, helloMessage, makeNonce, parseChallenge, proofMatches, proofMessage } from './handshake.js';
import { isAddressPeer, parseAddress } from './address.js';
import { whenClosed, writeFrame, type TcpContext } from './tcp-context.js';
import { lostInFlight, TransportError, type PeerMessage, type RequestOptions } from './transport.js';

type LinkState = 'idle' | 'connecting' | 'ready';

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

export class OutboundLinks {
  private readonly addresses = new Map<NodeId, string>();
  private readonly links = new Map<NodeId, OutboundLink>();
  private nextId = 0;

  constructor(
    private readonly context: TcpContext,
    private readonly connectTimeoutMs: number,
  ) {}

  setPeerAddress(id: NodeId, address: string): void {
    if (this.addresses.get(id) === address) return;
    this.addresses.set(id, address);
    const link = this.links.get(id);
    if (link && link.address !== address) {
      this.failLink(link, 'unreachable', `peer ${id} moved to ${address}`);
      this.links.delete(id);
    }
  }

  /** Fails the requests on the links to newly isolated peers. */
  isolate(ids: Iterable<NodeId>): void {
    for (const id of ids) {
      const link = this.links.get(id);
      if (link) this.rejectAll(link, 'unreachable', `peer ${id} is isolated`);
    }
  }

  /**
   * Sends a request to `to` (the transport has checked that it is open, `to` not isolated and
   * the signal not aborted), dialing it first if need be.
   */
  request(to: NodeId, message: PeerMessage, options: RequestOptions): Promise<PeerMessage> {
    const signal = options.signal;
    const link = this.linkTo(to);
    if (link === undefined) return Promise.reject(new TransportError('unreachable', `no address known for peer ${to}`));
    if (link.pending.size >= this.context.limits.requestsInFlightMax) {
      return Promise.reject(new TransportError('overloaded', `${link.pending.size} requests in flight to ${to}`));
    }
    const id = this.newRequestId();
    let frame: Buffer;
    try {
      frame = encodeFrame(FrameKind.request, id, message, this.context.limits.frameBytesMax);
    } catch (error) {
      return Promise.reject(toSendError(error));
    }
    const queued = link.queuedBytes + (link.socket?.writableLength ?? 0);
    if (queued + frame.byteLength > this.context.limits.queueBytesMax) {
      return Promise.reject(new TransportError('overloaded', `${queued} bytes already queued for ${to}`));
    }
    return new Promise<PeerMessage>((resolve, reject) => {
      const pending: PendingRequest = {
        id,
        link,
        frame: undefined,
        resolve,
        reject,
        timer: this.context.clock.setTimeout(() => {
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
        writeFrame(this.context.counters, link, link.socket as net.Socket, frame);
      } else {
        pending.frame = frame;
        link.queue.push(pending);
        link.queuedBytes += frame.byteLength;
        if (link.state === 'idle') this.dial(link);
      }
    });
  }

  /** Fails every link's requests 'closed' and closes its connection; collects the closings to wait for. */
  closeAll(closing: Array<Promise<void>>): void {
    for (const link of this.links.values()) {
      if (link.socket) closing.push(whenClosed(link.socket));
      this.failLink(link, 'closed', 'the transport is closed');
    }
    this.links.clear();
  }

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
    this.context.counters.connectionsDialed++;
    link.state = 'connecting';
    link.decoder = new FrameDecoder(handshakeFrameBytesMax);
    link.nonce = makeNonce();
    link.lastError = undefined;
    const socket = net.connect({ host: parsed.host, port: parsed.port });
    link.socket = socket;
    socket.setNoDelay(true);
    link.connectTimer = this.context.clock.setTimeout(() => {
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
      writeFrame(this.context.counters, link, socket, encodeFrame(FrameKind.hello, 0, helloMessage(this.context.self, link.nonce as Buffer), handshakeFrameBytesMax));
    });
    socket.on('data', (chunk: Buffer) => {
      if (link.socket !== socket) return;
      this.context.counters.bytesIn += chunk.byteLength;
      try {
        link.decoder.push(chunk, (envelope) => this.onLinkEnvelope(link, socket, envelope));
      } catch (error) {
        this.context.counters.framesRejected++;
        this.failLink(link, 'unreachable', `bad frame from ${link.peer}: ${(error as Error).message}`);
      }
    });
  }

  private onLinkEnvelope(link: OutboundLink, socket: net.Socket, envelope: Envelope): boolean {
    if (link.socket !== socket) return false;
    this.context.counters.framesIn++;
    if (link.state === 'connecting') return this.onChallenge(link, socket, envelope);
    if (envelope.k === FrameKind.reply || envelope.k === FrameKind.error) {
      const pending = link.pending.get(envelope.i);
      if (pending === undefined) {
        this.context.counters.repliesLate++;
        return true;
      }
      if (this.context.isIsolated(link.peer)) {
        this.context.counters.droppedIsolated++;
        return true;
      }
      if (envelope.k === FrameKind.reply) {
        this.settle(pending, envelope.m);
      } else {
        this.settle(pending, remoteError(link.peer, envelope.m));
      }
      return true;
    }
    this.context.counters.framesRejected++;
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
      const expected = handshakeProof(this.context.secret, 'listener', link.nonce as Buffer, challenge.nonce, this.context.self, peerId);
      if (!proofMatches(challenge.proof, expected)) problem = 'it does not know the cluster secret';
    }
    if (problem !== undefined || challenge === undefined) {
      this.context.counters.handshakeFailures++;
      this.failLink(link, 'unreachable', `handshake with ${link.peer} failed: ${problem}`);
      return false;
    }
    const proof = handshakeProof(this.context.secret, 'dialer', link.nonce as Buffer, challenge.nonce, this.context.self, peerId);
    writeFrame(this.context.counters, link, socket, encodeFrame(FrameKind.hello, 0, proofMessage(proof), handshakeFrameBytesMax));
    link.state = 'ready';
    link.decoder.frameBytesMax = this.context.limits.frameBytesMax;
    if (link.connectTimer !== undefined) this.context.clock.clearTimeout(link.connectTimer);
    link.connectTimer = undefined;
    // Requests queued while connecting go out right behind the proof, in order.
    for (const pending of link.queue) {
      if (pending.frame !== undefined) writeFrame(this.context.counters, link, socket, pending.frame);
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
    this.context.clock.clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    const written = pending.frame === undefined;
    if (!written) {
      link.queuedBytes -= pending.frame!.byteLength;
      pending.frame = undefined;
    }
    if (outcome instanceof TransportError) {
      outcome.maybeDelivered = written && lostInFlight(outcome.code);
      pending.reject(outcome);
    }
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
    if (link.connectTimer !== undefined) this.context.clock.clearTimeout(link.connectTimer);
    link.connectTimer = undefined;
    link.decoder.stop();
    socket?.destroy();
    this.rejectAll(link, code, reason);
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
