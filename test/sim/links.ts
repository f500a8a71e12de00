// Per-link control for scenarios on the simulated network: a Transport wrapper that delays the
// requests one node sends to another (a slow link, every message still delivered), or holds
// back the requests of chosen message types (they are lost, and the sender times out, as when
// the network drops them). SimNetwork's faults apply to every link alike; a scenario that
// needs one slow link, or a transfer held in progress, wraps each node's transport here.
// Delays run on the injected clock, so a seeded run replays exactly.

import type { Clock } from '../../core/common/clock.js';
import type { NodeId } from '../../core/common/types.js';
import { TransportError, type PeerMessage, type RequestHandler, type RequestOptions, type Transport } from '../../core/net/transport.js';

export class LinkControl {
  private readonly delays = new Map<string, number>();
  private readonly held = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** Requests from `from` to `to` (both ways when `both`) leave `delayMs` later; 0 restores. */
  slow(from: NodeId, to: NodeId, delayMs: number, both = true): void {
    this.delays.set(`${from}>${to}`, delayMs);
    if (both) this.delays.set(`${to}>${from}`, delayMs);
  }

  /** Requests of this message type are lost on every link until `release`. */
  hold(type: string): void {
    this.held.add(type);
  }

  release(type: string): void {
    this.held.delete(type);
  }

  wrap(inner: Transport): Transport {
    const control = this;
    const clock = this.clock;
    return {
      get self() {
        return inner.self;
      },
      request(to: NodeId, message: PeerMessage, options: RequestOptions): Promise<PeerMessage> {
        if (control.held.has(message.type)) {
          return new Promise((_, reject) =>
            clock.setTimeout(() => reject(new TransportError('timeout', `${message.type} to ${to} held back`)), options.timeoutMs),
          );
        }
        const delayMs = control.delays.get(`${inner.self}>${to}`) ?? 0;
        if (delayMs <= 0) return inner.request(to, message, options);
        if (delayMs >= options.timeoutMs) {
          return new Promise((_, reject) =>
            clock.setTimeout(() => reject(new TransportError('timeout', `${message.type} to ${to}: slow link`)), options.timeoutMs),
          );
        }
        return new Promise((resolve, reject) =>
          clock.setTimeout(() => {
            inner.request(to, message, { ...options, timeoutMs: options.timeoutMs - delayMs }).then(resolve, reject);
          }, delayMs),
        );
      },
      onRequest(handler: RequestHandler): void {
        inner.onRequest(handler);
      },
      setPeerAddress(id: NodeId, address: string): void {
        inner.setPeerAddress(id, address);
      },
      isolate(ids: readonly NodeId[]): void {
        inner.isolate(ids);
      },
      isolated(): NodeId[] {
        return inner.isolated();
      },
      stats() {
        return inner.stats();
      },
      close(): Promise<void> {
        return inner.close();
      },
    };
  }
}
