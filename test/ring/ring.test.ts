// Tests of the Ring: N distinct nodes per preference list for every ring size and member count.

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import { spacingViolations } from '../../core/ring/claim.js';
import { extendedEntriesEagerMax } from '../../core/common/limits.js';
import { Ring } from '../../core/ring/ring.js';
import { makeMembers, walkDistinct } from './ring-helpers.js';

/** Owners drawn at random (so spacing is poor and lists must walk far), for list checks. */
function randomOwners(ringSize: number, memberCount: number, random: SeededRandom): string[] {
  return Array.from({ length: ringSize }, () => `n${String(random.int(memberCount)).padStart(2, '0')}`);
}

describe('Ring', () => {
  it('lists preference and extended preference lists as a clockwise walk defines them', () => {
    // Proves the incremental list construction against a naive walk for every partition, on
    // claimed rings and on rings of random owners (many repeats, so walks go far), n = 1..5.
    const random = new SeededRandom(3);
    const failures: string[] = [];
    for (const ringSize of [8, 16, 64, 256]) {
      for (const memberCount of [1, 2, 3, 7, 20]) {
        for (const n of [1, 2, 3, 5]) {
          const rings = [
            Ring.create(ringSize, makeMembers(memberCount), n),
            new Ring({ ringSize, n, owners: randomOwners(ringSize, memberCount, random), version: 1 }),
          ];
          for (const ring of rings) {
            for (let p = 0; p < ringSize; p++) {
              const walk = walkDistinct(ring.owners, p);
              const extended = ring.extendedPreferenceList(p).join();
              const preference = ring.preferenceList(p).join();
              if (extended !== walk.join() || preference !== walk.slice(0, n).join() || ring.owner(p) !== walk[0]) {
                failures.push(`Q=${ringSize} members=${memberCount} n=${n} p=${p}: ${preference} | ${extended}`);
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('is the owners of the next n partitions when spacing holds', () => {
    // Proves what spacing buys: on a ring without violations (Q = 64, 8 members, n = 3) each
    // preference list is exactly owners p, p+1, p+2.
    const ring = Ring.create(64, makeMembers(8), 3);
    expect(spacingViolations(ring.owners, 3)).toBe(0);
    for (let p = 0; p < 64; p++) {
      expect(ring.preferenceList(p)).toEqual([0, 1, 2].map((i) => ring.owners[(p + i) % 64]));
    }
  });

  it('precomputes its lists, so a lookup returns the same frozen array every time', () => {
    // Proves lookups do no work and cannot be changed: identity across calls, and frozen arrays.
    const ring = Ring.create(64, makeMembers(5), 3);
    expect(ring.preferenceList(9)).toBe(ring.preferenceList(9));
    expect(ring.extendedPreferenceList(9)).toBe(ring.extendedPreferenceList(9));
    expect(Object.isFrozen(ring.preferenceList(9))).toBe(true);
    expect(Object.isFrozen(ring.extendedPreferenceList(9))).toBe(true);
    expect(Object.isFrozen(ring.owners)).toBe(true);
    expect(Object.isFrozen(ring.partitionsOf('n01'))).toBe(true);
  });

  it('computes extended lists on demand past the eager bound, with the same result', () => {
    // Proves the large-ring path (Q·members above extendedEntriesEagerMax) agrees with the walk:
    // a 16384-partition ring of random owners among 300 members, sampled partitions.
    const random = new SeededRandom(8);
    const ringSize = 16384;
    const memberCount = 300;
    expect(ringSize * memberCount).toBeGreaterThan(extendedEntriesEagerMax);
    const owners = Array.from({ length: ringSize }, () => `m${random.int(memberCount)}`);
    const ring = new Ring({ ringSize, n: 3, owners, version: 1 });
    for (const p of [0, 1, 777, 16383]) {
      const walk = walkDistinct(owners, p);
      expect(ring.preferenceList(p)).toEqual(walk.slice(0, 3));
      expect(ring.extendedPreferenceList(p)).toEqual(walk);
      expect(ring.extendedPreferenceList(p)).toBe(ring.extendedPreferenceList(p));
    }
  });

  it('lists members and the partitions of each', () => {
    // Proves members (distinct owners, sorted) and partitionsOf (ascending, covering the ring
    // exactly once) on a weighted ring, and that a non-owner has no partitions.
    const members = [...makeMembers(4), { id: 'zero', weight: 0 }];
    const ring = Ring.create(32, members, 3);
    expect(ring.members).toEqual(['n00', 'n01', 'n02', 'n03']);
    const all = ring.members.flatMap((id) => ring.partitionsOf(id));
    expect(all.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, p) => p));
    for (const id of ring.members) {
      const mine = ring.partitionsOf(id);
      expect(mine).toEqual(mine.slice().sort((a, b) => a - b));
      for (const p of mine) expect(ring.owner(p)).toBe(id);
    }
    expect(ring.partitionsOf('zero')).toEqual([]);
    expect(ring.partitionsOf('stranger')).toEqual([]);
  });

  it('bumps the version on every create from a previous ring', () => {
    // Proves versioning: a first ring is version 1, each create from a previous one adds 1, and
    // a ring-size change claims afresh but still counts up.
    const first = Ring.create(64, makeMembers(3), 3);
    expect(first.version).toBe(1);
    const second = Ring.create(64, makeMembers(4), 3, first);
    expect(second.version).toBe(2);
    const resized = Ring.create(128, makeMembers(4), 3, second);
    expect(resized.version).toBe(3);
    expect(resized.ringSize).toBe(128);
  });

  it('serialises to {ringSize, version, partitions: [{index, owner, preference}]}', () => {
    // Proves the JSON shape the API and console use, round-tripped through JSON.stringify.
    const ring = Ring.create(8, makeMembers(3), 2);
    const json = JSON.parse(JSON.stringify(ring));
    expect(Object.keys(json).sort()).toEqual(['partitions', 'ringSize', 'version']);
    expect(json.ringSize).toBe(8);
    expect(json.version).toBe(1);
    expect(json.partitions).toHaveLength(8);
    json.partitions.forEach((entry: { index: number; owner: string; preference: string[] }, p: number) => {
      expect(entry).toEqual({ index: p, owner: ring.owner(p), preference: [...ring.preferenceList(p)] });
    });
  });

  it('keeps preference lists short when fewer than n members exist', () => {
    // Proves "all members if fewer than n": two members, n = 3, every list has both.
    const ring = Ring.create(16, makeMembers(2), 3);
    for (let p = 0; p < 16; p++) {
      expect(ring.preferenceList(p)).toHaveLength(2);
      expect(new Set(ring.preferenceList(p)).size).toBe(2);
    }
  });

  it('refuses malformed input', () => {
    // Proves the constructor's assertions: wrong owner count, bad ring size, n, version, owner
    // ids, and out-of-range partitions on lookup.
    const owners = Array.from({ length: 8 }, (_, p) => `n${p % 3}`);
    expect(() => new Ring({ ringSize: 8, n: 3, owners: owners.slice(1), version: 1 })).toThrow();
    expect(() => new Ring({ ringSize: 12, n: 3, owners, version: 1 })).toThrow();
    expect(() => new Ring({ ringSize: 8, n: 0, owners, version: 1 })).toThrow();
    expect(() => new Ring({ ringSize: 8, n: 3, owners, version: -1 })).toThrow();
    expect(() => new Ring({ ringSize: 8, n: 3, owners: [...owners.slice(1), ''], version: 1 })).toThrow();
    const ring = new Ring({ ringSize: 8, n: 3, owners, version: 1 });
    expect(() => ring.owner(8)).toThrow();
    expect(() => ring.preferenceList(-1)).toThrow();
    expect(() => ring.extendedPreferenceList(1.5)).toThrow();
  });
});
