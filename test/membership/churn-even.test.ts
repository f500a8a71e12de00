// Proves the churn property of churn.test.ts on the even seeds (see there for what it checks);
// a separate file so that vitest runs the two halves on two workers.

import { describe, expect, it } from 'vitest';
import { churnSeeds, runChurnSeeds } from './churn.js';

const seeds = churnSeeds(0);

describe('membership under churn (even seeds)', () => {
  it(`converges to one ring on every node over ${seeds.length} seeds`, async () => {
    const { joinMoved, joinShare } = await runChurnSeeds(seeds);
    expect(joinMoved).toBeGreaterThan(0.9 * joinShare - seeds.length);
  }, 120_000);
});
