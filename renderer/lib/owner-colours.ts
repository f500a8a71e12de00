// Which colour draws which owner on the ring. Owners take palette colours in natural id order
// (n1, n2, …, n10), so a node keeps its colour from one view to the next as long as the
// membership does not change, and neighbours in the palette are easy to tell apart. The
// colours are Mantine theme colour names; components turn them into theme CSS variables.

import { compareNodeIds } from './format.js';

/**
 * Ordered so that the first six (the everyday cluster plus a joining node) are far apart in hue;
 * red and green are left to member states.
 */
export const ownerPalette = ['blue', 'orange', 'teal', 'grape', 'lime', 'pink', 'cyan', 'yellow', 'indigo', 'violet'] as const;

export type OwnerColour = (typeof ownerPalette)[number];

export function ownerColours(ids: Iterable<string>): Map<string, OwnerColour> {
  const sorted = [...new Set(ids)].sort(compareNodeIds);
  return new Map(sorted.map((id, i) => [id, ownerPalette[i % ownerPalette.length]]));
}
