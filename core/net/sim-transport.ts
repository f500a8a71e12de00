// One node's Transport on the simulated network (sim-network.ts): its pending requests with
// their timeouts and aborts, the handler that serves requests arriving for it, the replies it
// sends back, its own isolation (fault injection) and its counters. The network decides what
// reaches whom, and when.

import { peerRequestsInFlightMax } from '../common/limits.js';
import { errorText } from '../common/coded-error.js';
import type { NodeId } from '../common/types.js';
import { encodeFrame, errorMessage, FrameError, FrameKind, messageProblem } from './frame.js';
import type { SimMessageKind, SimNetwork } from './sim-network.js';
import {
  lostInFlight,
  TransportError,
  zeroTransportStats,
  type PeerMessage,
  type RequestHandler,
  type RequestOptions,
  type Transport,
  type TransportStats,
} from './transport.js';

interface SimPending {
  id: number;
  to: NodeId;
  resolve: (message: PeerMessage) => void;
  reject: (error: TransportError) => void;
  timer: unknown;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** The network took the request (a failure after that may follow its delivery). */
  sent: boolean;
}

/** One node's view of the simulated network. */
export class SimTransport implements Transport {
  private handler: RequestHandler | undefined;
  private readonly pending = new Map<number, SimPending>();
  private readonly inFlightTo = new Map<NodeId, number>();
  private isolatedPeers = new Set<NodeId>();
  private dead = false;
  private readonly counters: TransportStats = zeroTransportStats();

  constructor(
    private readonly network: SimNetwork,
    readonly self: NodeId,
  ) {}

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
  }

  setPeerAddress(_id: NodeId, _address: string): void {
    // The simulator routes by node id.
  }

  isolate(ids: readonly NodeId[]): void {
    this.isolatedPeers = new Set(ids.filter((id) => id !== this.self));
    for (const pending of [...this.pending.values()]) {
      if (this.isolatedPeers.has(pending.to)) this.settle(pending, new TransportError('unreachable', `peer ${pending.to} is isolated`));
    }
  }

  isolated(): NodeId[] {
    return [...this.isolatedPeers];
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  request(to: NodeId, message: PeerMessage, options: RequestOptions): Promise<PeerMessage> {
    if (this.dead) return Promise.reject(new TransportError('closed', 'the transport is closed'));
    if (this.isolatedPeers.has(to)) {
      this.counters.droppedIsolated++;
      return Promise.reject(new TransportError('unreachable', `peer ${to} is isolated`));
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new TransportError('aborted', 'the request was aborted', { cause: signal.reason }));
    const inFlight = this.inFlightTo.get(to) ?? 0;
    if (inFlight >= peerRequestsInFlightMax) {
      return Promise.reject(new TransportError('overloaded', `${inFlight} requests in flight to ${to}`));
    }
    const id = this.network.newRequestId();
    let frame: Buffer;
    try {
      frame = encodeFrame(FrameKind.request, id, message, this.network.frameBytesMax);
    } catch (error) {
      const tooLarge = error instanceof FrameError && error.code === 'too_large';
      return Promise.reject(new TransportError(tooLarge ? 'too_large' : 'bad_message', (error as Error).message, { cause: error }));
    }
    return new Promise<PeerMessage>((resolve, reject) => {
      const pending: SimPending = {
        id,
        to,
        resolve,
        reject,
        timer: this.network.clock.setTimeout(() => {
          this.settle(pending, new TransportError('timeout', `no reply from ${to} to ${message.type} within ${options.timeoutMs} ms`));
        }, options.timeoutMs),
        signal,
        onAbort: undefined,
        sent: false,
      };
      if (signal) {
        pending.onAbort = () => this.settle(pending, new TransportError('aborted', 'the request was aborted', { cause: signal.reason }));
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.pending.set(id, pending);
      this.inFlightTo.set(to, inFlight + 1);
      pending.sent = this.network.send(this, to, 'request', id, message, frame, (target, copy) => target.serve(this.self, id, copy));
      if (!pending.sent) {
        // Nobody listens there: like a refused connection, the request fails after one delay.
        const delayMs = this.network.getFaults().delayMsMin;
        this.network.clock.setTimeout(() => this.settle(pending, new TransportError('unreachable', `peer ${to} is down`)), delayMs);
      }
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    this.die('closed', 'the transport is closed');
    this.network.forget(this);
  }

  /** @internal Whether this node's own fault injection cuts it off from `peer`. */
  isolates(peer: NodeId): boolean {
    return this.isolatedPeers.has(peer);
  }

  /** @internal The transport stops for good; its pending requests fail with `code`. */
  die(code: 'closed', reason: string): void {
    this.dead = true;
    this.handler = undefined;
    for (const pending of [...this.pending.values()]) this.settle(pending, new TransportError(code, reason));
  }

  /** @internal Fails the requests in flight to `peer` (its connection was reset). */
  failRequestsTo(peer: NodeId, reason: string): void {
    for (const pending of [...this.pending.values()]) {
      if (pending.to === peer) this.settle(pending, new TransportError('unreachable', reason));
    }
  }

  /** @internal */
  countOut(bytes: number, frames: number): void {
    this.counters.bytesOut += bytes;
    this.counters.framesOut += frames;
  }

  /** @internal */
  countIn(bytes: number): void {
    this.counters.bytesIn += bytes;
    this.counters.framesIn++;
  }

  /** @internal A request from `from` arrived: run the handler, send back its outcome. */
  serve(from: NodeId, id: number, message: PeerMessage): void {
    if (this.isolatedPeers.has(from)) {
      this.counters.droppedIsolated++;
      return;
    }
    const handler = this.handler;
    if (handler === undefined) {
      this.sendReply(from, id, errorMessage('no_handler', `${this.self} does not serve requests yet`), 'error');
      return;
    }
    let result: PeerMessage | Promise<PeerMessage>;
    try {
      result = handler(from, message);
    } catch (error) {
      this.sendError(from, id, error);
      return;
    }
    Promise.resolve(result).then(
      (reply) => this.sendReply(from, id, reply, 'reply'),
      (error: unknown) => this.sendError(from, id, error),
    );
  }

  private sendError(to: NodeId, id: number, error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const text = errorText(error);
    this.sendReply(to, id, errorMessage(typeof code === 'string' ? code : 'internal', text), 'error');
  }

  private sendReply(to: NodeId, id: number, reply: unknown, kind: 'reply' | 'error'): void {
    if (this.dead) return;
    if (this.isolatedPeers.has(to)) {
      this.counters.droppedIsolated++;
      return;
    }
    let message = reply as PeerMessage;
    let frameKind: FrameKind = kind === 'reply' ? FrameKind.reply : FrameKind.error;
    const problem = messageProblem(reply);
    if (problem !== undefined) {
      message = errorMessage('bad_reply', `${this.self} made a bad reply: ${problem}`);
      frameKind = FrameKind.error;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(frameKind, id, message, this.network.frameBytesMax);
    } catch (error) {
      const code = error instanceof FrameError && error.code === 'too_large' ? 'too_large' : 'bad_reply';
      message = errorMessage(code, (error as Error).message);
      frameKind = FrameKind.error;
      frame = encodeFrame(frameKind, id, message);
    }
    const sentKind: SimMessageKind = frameKind === FrameKind.reply ? 'reply' : 'error';
    // A reply to a node that is down is simply lost, like one written to a reset connection.
    this.network.send(this, to, sentKind, id, message, frame, (target, copy) => target.receiveReply(id, copy, sentKind));
  }

  /** @internal A reply (or error reply) to one of our requests arrived. */
  receiveReply(id: number, message: PeerMessage, kind: SimMessageKind): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return; // a duplicate, or too late
    if (this.isolatedPeers.has(pending.to)) {
      this.counters.droppedIsolated++;
      return;
    }
    if (kind === 'reply') {
      this.settle(pending, message);
      return;
    }
    const code = message.code as string;
    const text = `${pending.to}: ${code}: ${message.message as string}`;
    this.settle(pending, new TransportError(code === 'overloaded' ? 'overloaded' : 'remote', text, { remoteCode: code }));
  }

  private settle(pending: SimPending, outcome: PeerMessage | TransportError): void {
    if (this.pending.get(pending.id) !== pending) return;
    this.pending.delete(pending.id);
    const inFlight = (this.inFlightTo.get(pending.to) ?? 1) - 1;
    if (inFlight === 0) this.inFlightTo.delete(pending.to);
    else this.inFlightTo.set(pending.to, inFlight);
    this.network.clock.clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if (outcome instanceof TransportError) {
      outcome.maybeDelivered = pending.sent && lostInFlight(outcome.code);
      pending.reject(outcome);
    } else pending.resolve(outcome);
  }
}
