// Local failure detection (Dynamo §4.8.3): a peer that fails a request (refused, reset, timed
// out) is treated as down for routing at once; a background probe pings it every
// probeIntervalMs and brings it back when it answers. Gossip of liveness (the membership
// work) will combine with this view; this one needs no help from anyone.

import type { Clock } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import { TransportError, type Transport } from '../net/transport.js';
import { PeriodicTask } from './periodic-task.js';

export interface PeerHealthOptions {
  self: NodeId;
  transport: Transport;
  clock: Clock;
  probeIntervalMs: number;
  probeTimeoutMs: number;
}

export class PeerHealth {
  private readonly down = new Set<NodeId>();
  private readonly listeners = new Set<(id: NodeId, up: boolean) => void>();
  private readonly loop: PeriodicTask;

  constructor(private readonly options: PeerHealthOptions) {
    this.loop = new PeriodicTask(options.clock, options.probeIntervalMs, () => this.probe());
  }

  isUp(id: NodeId): boolean {
    return !this.down.has(id);
  }

  downPeers(): NodeId[] {
    return [...this.down];
  }

  /** A request to `id` failed: failures that mean "not reachable" mark it down. */
  reportFailure(id: NodeId, error: unknown): void {
    if (id === this.options.self) return;
    if (!(error instanceof TransportError)) return;
    if (error.code === 'unreachable' || error.code === 'timeout') this.setUp(id, false);
  }

  reportSuccess(id: NodeId): void {
    if (this.down.has(id)) this.setUp(id, true);
  }

  onChange(listener: (id: NodeId, up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private setUp(id: NodeId, up: boolean): void {
    if (up) this.down.delete(id);
    else this.down.add(id);
    for (const listener of this.listeners) listener(id, up);
  }

  private async probe(): Promise<void> {
    await Promise.all(
      [...this.down].map((id) =>
        this.options.transport.request(id, { type: 'ping' }, { timeoutMs: this.options.probeTimeoutMs }).then(
          () => this.reportSuccess(id),
          () => undefined,
        ),
      ),
    );
  }
}
