// The ring (Dynamo paper §4.2 partitioning, §4.3 replication, §6.2 strategy 3): who owns each of
// the Q partitions, and each partition's preference list, the N distinct nodes met walking
// clockwise from it. Every node holds the same immutable Ring, so every node computes every
// preference list itself (zero-hop routing). All lists are computed once, in the constructor,
// so lookups on the request path cost an array index (extended lists of very large rings
// excepted: see extendedEntriesEagerMax in core/common/limits.ts).

import { assert } from '../common/assert.js';
import { extendedEntriesEagerMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { claim, type ClaimMember } from './claim.js';
import { isValidRingSize } from './partitioner.js';

/** What a Ring is made of; owners[p] is the owner of partition p. */
export interface RingInit {
  readonly ringSize: number;
  /** Replication factor N: nodes per preference list. */
  readonly n: number;
  readonly owners: readonly NodeId[];
  /** Grows by one with every claim; the newer ring wins. */
  readonly version: number;
}

/** A ring as the API and the console show it. */
export interface RingJson {
  ringSize: number;
  version: number;
  partitions: { index: number; owner: NodeId; preference: NodeId[] }[];
}

const noPartitions: readonly number[] = Object.freeze([]);

export class Ring {
  readonly ringSize: number;
  readonly n: number;
  readonly owners: readonly NodeId[];
  readonly version: number;
  /** The distinct owners, sorted by id. */
  readonly members: readonly NodeId[];
  private readonly preference: readonly (readonly NodeId[])[];
  /** Filled in the constructor, or on first use past extendedEntriesEagerMax. */
  private readonly extended: (readonly NodeId[] | undefined)[];
  private readonly partitionsByNode: ReadonlyMap<NodeId, readonly number[]>;

  constructor(init: RingInit) {
    const { ringSize, n, owners, version } = init;
    assert(isValidRingSize(ringSize), `Ring: invalid ring size ${ringSize}`);
    assert(Number.isInteger(n) && n >= 1, `Ring: n must be a positive integer, got ${n}`);
    assert(Number.isSafeInteger(version) && version >= 0, `Ring: bad version ${version}`);
    assert(owners.length === ringSize, 'Ring: one owner per partition');
    this.ringSize = ringSize;
    this.n = n;
    this.version = version;
    this.owners = Object.freeze(owners.slice());

    const partitions = new Map<NodeId, number[]>();
    for (let p = 0; p < ringSize; p++) {
      const id = owners[p];
      assert(typeof id === 'string' && id.length > 0, 'Ring: every partition needs an owner id');
      const list = partitions.get(id);
      if (list === undefined) partitions.set(id, [p]);
      else list.push(p);
    }
    for (const list of partitions.values()) Object.freeze(list);
    this.partitionsByNode = partitions;
    this.members = Object.freeze([...partitions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

    const memberCount = this.members.length;
    const size = Math.min(n, memberCount);
    const extended = new Array<readonly NodeId[] | undefined>(ringSize);
    const preference = new Array<readonly NodeId[]>(ringSize);
    if (ringSize * memberCount <= extendedEntriesEagerMax) {
      // extended[p] lists the members in the order of their first partition at or after p
      // (clockwise, wrapping). Going from p+1 back to p only moves owner(p) to the front, so
      // all Q lists cost O(Q·members) after one walk for partition 0. Lists are built plain and
      // frozen once done (V8 copies frozen arrays slowly).
      const keep = (p: number, list: NodeId[]): void => {
        assert(list.length === memberCount && list[0] === owners[p], 'Ring: extended preference list is malformed');
        preference[p] = Object.freeze(size === memberCount ? list : list.slice(0, size));
        extended[p] = size === memberCount ? preference[p] : Object.freeze(list);
      };
      const first = walkDistinct(owners, 0, memberCount);
      keep(0, first);
      let next = first;
      for (let p = ringSize - 1; p > 0; p--) {
        const head = owners[p];
        const list = [head];
        for (let i = 0; i < memberCount; i++) if (next[i] !== head) list.push(next[i]);
        keep(p, list);
        next = list;
      }
    } else {
      for (let p = 0; p < ringSize; p++) {
        const list = walkDistinct(owners, p, size);
        assert(list.length === size && list[0] === owners[p], 'Ring: preference list is malformed');
        preference[p] = Object.freeze(list);
      }
    }
    this.extended = extended;
    this.preference = preference;
    assertDistinctLists(preference, size);
  }

  /**
   * A ring for `members` (weights from each member; weight 0 owns nothing) with replication
   * factor `n`. Given the previous ring of the same size, the claim moves as few partitions as
   * it can, and the version is the previous one plus one; a first ring has version 1.
   */
  static create(ringSize: number, members: readonly ClaimMember[], n: number, previous?: Ring): Ring {
    const previousOwners = previous !== undefined && previous.ringSize === ringSize ? previous.owners : undefined;
    const owners = claim(ringSize, members, n, previousOwners);
    return new Ring({ ringSize, n, owners, version: (previous?.version ?? 0) + 1 });
  }

  owner(partition: number): NodeId {
    this.checkPartition(partition);
    return this.owners[partition];
  }

  /**
   * The N distinct nodes that store the keys of `partition`: its owner, then the owners met
   * walking clockwise, skipping nodes already listed (all members, if fewer than N exist).
   */
  preferenceList(partition: number): readonly NodeId[] {
    this.checkPartition(partition);
    return this.preference[partition];
  }

  /**
   * Every member, in clockwise order from `partition`: the preference list first, then the
   * fallbacks in the order a sloppy quorum tries them (§4.6).
   */
  extendedPreferenceList(partition: number): readonly NodeId[] {
    this.checkPartition(partition);
    let list = this.extended[partition];
    if (list === undefined) {
      list = Object.freeze(walkDistinct(this.owners, partition, this.members.length));
      this.extended[partition] = list;
    }
    return list;
  }

  /** The partitions `node` owns, ascending; empty for a node that owns none. */
  partitionsOf(node: NodeId): readonly number[] {
    return this.partitionsByNode.get(node) ?? noPartitions;
  }

  toJSON(): RingJson {
    const partitions: RingJson['partitions'] = [];
    for (let p = 0; p < this.ringSize; p++) {
      partitions.push({ index: p, owner: this.owners[p], preference: this.preference[p].slice() });
    }
    return { ringSize: this.ringSize, version: this.version, partitions };
  }

  private checkPartition(partition: number): void {
    assert(
      Number.isInteger(partition) && partition >= 0 && partition < this.ringSize,
      `Ring: partition ${partition} out of range`,
    );
  }
}

/** The ring's invariant (§4.3): every preference list holds `size` = min(N, members) distinct nodes. */
function assertDistinctLists(preference: readonly (readonly NodeId[])[], size: number): void {
  const seenAt = new Map<NodeId, number>();
  for (let p = 0; p < preference.length; p++) {
    const list = preference[p];
    assert(list.length === size, 'Ring: a preference list does not hold min(N, members) nodes');
    for (const id of list) {
      assert(seenAt.get(id) !== p, 'Ring: a preference list names a node twice');
      seenAt.set(id, p);
    }
  }
}

/** The first `count` distinct owners met walking clockwise from `partition` (fewer if absent). */
function walkDistinct(owners: readonly NodeId[], partition: number, count: number): NodeId[] {
  const found: NodeId[] = [];
  const met = new Set<NodeId>();
  for (let i = 0; i < owners.length && found.length < count; i++) {
    const id = owners[(partition + i) % owners.length];
    if (!met.has(id)) {
      met.add(id);
      found.push(id);
    }
  }
  return found;
}
