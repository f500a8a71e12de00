// The views a node reads of one membership state, cached: the routing Ring and the Ring once
// every pending transfer is done, ownership, the digests gossip compares, the other members, the
// member list and the transfers to make. Each is computed on first use after a change (a gossip
// round needs only the digests, a re-route the Ring, which costs O(Q·S) to build), and a Ring
// whose owners did not change is reused from the previous state's views.

import type { NodeId } from '../common/types.js';
import { Ring } from '../ring/ring.js';
import type { MemberView, Transfer } from './gossip-types.js';
import { membersDigest, ringDigest } from './membership-digest.js';
import { isGone, ownership, type MembershipState, type OwnershipView, type RingState } from './membership-state.js';

/** Rings of an earlier state, for the next state's views to reuse when their owners did not change. */
export interface PreviousRings {
  ring: Ring | null | undefined;
  futureRing: Ring | null | undefined;
}

export const noPreviousRings: PreviousRings = Object.freeze({ ring: null, futureRing: null });

export class Views {
  private ownershipValue: OwnershipView | null | undefined;
  private ringValue: Ring | null | undefined;
  private futureValue: Ring | null | undefined;
  private membersDigestValue: number | undefined;
  private ringDigestValue: number | null | undefined;
  private peersValue: NodeId[] | undefined;

  constructor(
    /** The core's serial the views were made at: a different serial means a stale cache. */
    readonly serial: number,
    private readonly state: MembershipState,
    private readonly self: NodeId,
    private readonly previous: PreviousRings,
  ) {}

  /** The Rings built so far, for the next state's views to reuse. */
  rings(): PreviousRings {
    return { ring: this.ringValue ?? this.previous.ring, futureRing: this.futureValue ?? this.previous.futureRing };
  }

  get ownership(): OwnershipView | undefined {
    if (this.ownershipValue === undefined) this.ownershipValue = ownership(this.state) ?? null;
    return this.ownershipValue ?? undefined;
  }

  get ring(): Ring | undefined {
    if (this.ringValue === undefined) {
      const view = this.ownership;
      this.ringValue = view === undefined ? null : this.build(view.owners, view.version, this.previous.ring);
    }
    return this.ringValue ?? undefined;
  }

  get futureRing(): Ring | undefined {
    if (this.futureValue === undefined) {
      const view = this.ownership;
      if (view === undefined) this.futureValue = null;
      else if (!view.pending.some((to) => to !== null)) this.futureValue = this.ring ?? null;
      else {
        const owners = view.owners.map((owner, p) => view.pending[p] ?? owner);
        this.futureValue = this.build(owners, view.version, this.previous.futureRing);
      }
    }
    return this.futureValue ?? undefined;
  }

  get membersDigest(): number {
    this.membersDigestValue ??= membersDigest(this.state.members);
    return this.membersDigestValue;
  }

  get ringDigest(): number | null {
    if (this.ringDigestValue === undefined) this.ringDigestValue = this.state.ring === null ? null : ringDigest(this.state.ring);
    return this.ringDigestValue;
  }

  /** Other members that are not gone, sorted by id. */
  get peers(): NodeId[] {
    if (this.peersValue === undefined) {
      const peers: NodeId[] = [];
      for (const record of this.state.members.values()) {
        if (record.id !== this.self && !isGone(record.status)) peers.push(record.id);
      }
      this.peersValue = peers.sort();
    }
    return this.peersValue;
  }

  private build(owners: readonly NodeId[], version: number, old: Ring | null | undefined): Ring {
    if (old != null && old.version === version && old.owners.every((owner, p) => owner === owners[p])) return old;
    const { ringSize, n } = this.state.ring as RingState;
    return new Ring({ ringSize, n, owners, version });
  }
}

/** Members (neither left nor removed), sorted by id: the `members` of /v1/status. */
export function memberViews(state: MembershipState): MemberView[] {
  const list: MemberView[] = [];
  for (const record of state.members.values()) {
    if (isGone(record.status)) continue;
    const { id, http, peer, weight, status } = record;
    list.push({ id, http, peer, weight, status });
  }
  return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Every transfer an ownership view implies, by partition. */
export function transfersOf(view: OwnershipView | undefined): Transfer[] {
  const transfers: Transfer[] = [];
  if (view === undefined) return transfers;
  for (let p = 0; p < view.owners.length; p++) {
    const to = view.pending[p];
    if (to !== null) transfers.push({ partition: p, from: view.owners[p], to });
  }
  return transfers;
}
