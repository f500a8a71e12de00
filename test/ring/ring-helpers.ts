// Shared fixtures for the ring tests: member sets, share bounds and a naive preference walk.

import { SeededRandom } from '../../core/common/random.js';
import type { ClaimMember } from '../../core/ring/claim.js';

export const sweepRingSizes = [8, 16, 32, 64, 128, 256, 512, 1024];

/** `count` members n00, n01, ...; weight 1, or seeded random weights in 1..4. */
export function makeMembers(count: number, random?: SeededRandom): ClaimMember[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `n${String(i).padStart(2, '0')}`,
    weight: random === undefined ? 1 : 1 + random.int(4),
  }));
}

export function countOwners(owners: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of owners) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Members whose partition count is not floor or ceil of Q·w/Σw (or who own without weight). */
export function unbalanced(ringSize: number, members: readonly ClaimMember[], owners: readonly string[]): string[] {
  const total = members.reduce((sum, member) => sum + member.weight, 0);
  const counts = countOwners(owners);
  const bad: string[] = [];
  for (const member of members) {
    const share = (ringSize * member.weight) / total;
    const count = counts.get(member.id) ?? 0;
    if (count < Math.floor(share) || count > Math.ceil(share)) bad.push(`${member.id}: ${count} for ${share.toFixed(2)}`);
  }
  for (const id of counts.keys()) {
    if (!members.some((member) => member.id === id && member.weight > 0)) bad.push(`${id} owns without weight`);
  }
  return bad;
}

/** A deterministic shuffle (Fisher-Yates on a seeded generator). */
export function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** The extended preference list by its definition: walk clockwise, keep first sightings. */
export function walkDistinct(owners: readonly string[], partition: number): string[] {
  const seen: string[] = [];
  for (let i = 0; i < owners.length; i++) {
    const id = owners[(partition + i) % owners.length];
    if (!seen.includes(id)) seen.push(id);
  }
  return seen;
}
