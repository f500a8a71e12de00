// Liveness (Dynamo paper §4.8.3, failure detection): for every member but this node, the
// freshest heartbeat heard of it, a phi-accrual detector fed by those heartbeats
// (phi-accrual.ts), and this node's own local verdict ("a request to it failed"). A member
// counts as up when its phi is within the threshold and no local verdict holds it down. The
// node records its verdicts here (reportUnreachable, reportReachable), so gossip's view and the
// node's own requests make one failure detector; gossip probes locally-down members and an
// answer clears the verdict.

import type { NodeId } from '../common/types.js';
import { isGone, type MemberRecord } from './membership-state.js';
import type { Heartbeat } from './messages.js';
import { PhiAccrualDetector } from './phi-accrual.js';

export interface LivenessOptions {
  /** This node: never tracked (it is up as long as it is a member). */
  self: NodeId;
  phiThreshold: number;
  phiWindowSize: number;
  phiSampleMsMax: number;
  /** The expected gossip interval: a newly learned member's detector starts from it. */
  gossipIntervalMs: number;
}

/** The heartbeat of a member nothing was heard of yet. */
export const noHeartbeat: Heartbeat = Object.freeze({ generation: 0, beat: 0 });

/** Whether heartbeat `a` is newer than `b`: a later generation, or a later beat of the same one. */
export function fresher(a: Heartbeat, b: Heartbeat): boolean {
  return a.generation > b.generation || (a.generation === b.generation && a.beat > b.beat);
}

interface MemberLiveness {
  heartbeat: Heartbeat;
  detector: PhiAccrualDetector;
  /** This node's own verdict: a request to the member failed and none has succeeded since. */
  localDown: boolean;
}

export class Liveness {
  private readonly tracked = new Map<NodeId, MemberLiveness>();

  constructor(private readonly options: LivenessOptions) {}

  /**
   * Follows the records: every member but this node and the gone ones (left, removed) is
   * tracked, a member just learned of from `nowMs` on; the others are forgotten.
   */
  follow(members: ReadonlyMap<NodeId, MemberRecord>, nowMs: number): void {
    const { self, phiWindowSize, phiSampleMsMax, gossipIntervalMs } = this.options;
    for (const record of members.values()) {
      if (record.id === self) continue;
      if (isGone(record.status)) this.tracked.delete(record.id);
      else if (!this.tracked.has(record.id)) {
        this.tracked.set(record.id, {
          heartbeat: noHeartbeat,
          detector: new PhiAccrualDetector({ windowSize: phiWindowSize, sampleMsMax: phiSampleMsMax, firstIntervalMs: gossipIntervalMs }, nowMs),
          localDown: false,
        });
      }
    }
    for (const id of this.tracked.keys()) if (!members.has(id)) this.tracked.delete(id);
  }

  /** Forgets every member (a node that starts afresh for a join). */
  clear(): void {
    this.tracked.clear();
  }

  /**
   * Whether `id` counts as up: a tracked member (a member other than this node, neither left nor
   * removed), its phi within the threshold, and no local down verdict. False for this node, which
   * the core answers for itself.
   */
  isUp(id: NodeId, nowMs: number): boolean {
    const live = this.tracked.get(id);
    return live !== undefined && !live.localDown && live.detector.phi(nowMs) <= this.options.phiThreshold;
  }

  /** The phi of `id` now (Infinity for an untracked id). */
  phi(id: NodeId, nowMs: number): number {
    return this.tracked.get(id)?.detector.phi(nowMs) ?? Number.POSITIVE_INFINITY;
  }

  /**
   * The node's own failure detection (Dynamo's local view): a request to `id` failed, so `id`
   * counts as down until it answers. Ignored for an id that is no tracked member.
   */
  reportUnreachable(id: NodeId, _nowMs: number): void {
    const live = this.tracked.get(id);
    if (live !== undefined) live.localDown = true;
  }

  /** A request to `id` succeeded: the local down verdict, if any, is lifted. */
  reportReachable(id: NodeId, _nowMs: number): void {
    const live = this.tracked.get(id);
    if (live !== undefined) live.localDown = false;
  }

  /** The members a local verdict holds down, sorted by id: what a probe loop pings. */
  locallyDown(): NodeId[] {
    const down: NodeId[] = [];
    for (const [id, live] of this.tracked) if (live.localDown) down.push(id);
    return down.sort();
  }

  /** The freshest heartbeat heard of `id` (noHeartbeat for none or an untracked id). */
  heartbeat(id: NodeId): Heartbeat {
    return this.tracked.get(id)?.heartbeat ?? noHeartbeat;
  }

  /**
   * Takes in gossiped heartbeats: a fresher one feeds the member's detector, a jump of k beats
   * counting as k intervals (phi-accrual.ts). Heartbeats of this node and of untracked ids are
   * ignored.
   */
  merge(heartbeats: Iterable<[NodeId, Heartbeat]>, nowMs: number): void {
    for (const [id, heartbeat] of heartbeats) {
      if (id === this.options.self) continue;
      const live = this.tracked.get(id);
      if (live === undefined || !fresher(heartbeat, live.heartbeat)) continue;
      const beats = heartbeat.generation === live.heartbeat.generation ? heartbeat.beat - live.heartbeat.beat : 1;
      live.heartbeat = heartbeat;
      live.detector.heartbeat(nowMs, beats);
    }
  }
}
