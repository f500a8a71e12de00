// The node's one failure detector (Dynamo §4.8.3): local verdicts plus gossiped heartbeats.
//
// A peer that refuses, resets or times out a request is down for routing at once (the local
// verdict); gossip's phi-accrual detector judges members that go silent without anyone asking
// them anything. Both verdicts live in the membership's liveness (core/membership); this class is
// the node's side of it: it records what requests to peers showed, probes the peers with a local
// "down" verdict every probeIntervalMs so they come back as soon as they answer, and gives the
// node its one `isUp`.

import type { Clock } from '../common/clock.js';
import type { NodeId } from '../common/types.js';
import { TransportError, type Transport } from '../net/transport.js';
import type { BackgroundFailures } from './background-failures.js';
import type { ClusterMembership } from './cluster-membership.js';
import { PeriodicTask } from './periodic-task.js';

export interface FailureDetectorOptions {
  self: NodeId;
  membership: ClusterMembership;
  transport: Transport;
  clock: Clock;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  failures: BackgroundFailures;
}

export class FailureDetector {
  private readonly loop: PeriodicTask;
  private probed: () => void = () => undefined;

  constructor(private readonly options: FailureDetectorOptions) {
    this.loop = new PeriodicTask(options.clock, options.probeIntervalMs, () => this.probe(), (error) =>
      options.failures.record('probe', error),
    );
  }

  /** Whether `id` counts as up for routing: this node, or a member neither silent (phi) nor failing locally. */
  readonly isUp = (id: NodeId): boolean => id === this.options.self || this.options.membership.isUp(id);

  /**
   * Whether a request to `id` is worth sending: no local "down" verdict (it answered its last
   * request or probe). Weaker than isUp, which also waits for gossip's heartbeats: hint delivery
   * uses it, so a primary that answers again gets its hints at once, before anything else (the
   * tombstone reaper, routing) counts on it being up.
   */
  answers(id: NodeId): boolean {
    return !this.options.membership.locallyDown().includes(id);
  }

  /** Members this node has a local "down" verdict on. */
  locallyDown(): NodeId[] {
    return this.options.membership.locallyDown();
  }

  /** A request to `id` failed: failures that mean "not reachable" mark it down at once. */
  reportFailure(id: NodeId, error: unknown): void {
    if (id === this.options.self || !(error instanceof TransportError)) return;
    if (error.code === 'unreachable' || error.code === 'timeout') this.options.membership.reportUnreachable(id);
  }

  /** A request to `id` was answered: it is reachable. */
  reportSuccess(id: NodeId): void {
    this.options.membership.reportReachable(id);
  }

  /** Called after every probe round (the node looks for member state changes then). */
  onProbe(listener: () => void): void {
    this.probed = listener;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async probe(): Promise<void> {
    const { transport, probeTimeoutMs } = this.options;
    await Promise.all(
      this.locallyDown().map((id) =>
        transport.request(id, { type: 'ping' }, { timeoutMs: probeTimeoutMs }).then(
          () => this.reportSuccess(id),
          () => undefined,
        ),
      ),
    );
    this.probed();
  }
}
