// Proves membership's scaling on a small scale (the full table, to 200 nodes, is
// `npx tsx test/membership/scale.ts`): with 25 and 50 members on 1024 partitions, a change
// reaches every node within about log2 S rounds, a join moves only the joiner's share, the ring
// stays balanced, and each node's gossip costs a bounded number of bytes per member per round.

import { describe, expect, it } from 'vitest';
import { measureScale } from './scale-sim.js';

describe('membership at scale', () => {
  it('spreads in about log S rounds with balanced rings and linear bytes', async () => {
    for (const members of [25, 50]) {
      const report = await measureScale({ members, ringSize: 1024, trials: 5 });
      const share = 1024 / (members + 1);
      expect(report.spreadRoundsMax, `S=${members}`).toBeLessThanOrEqual(Math.log2(members) + 2);
      expect(report.joinPlanRounds, `S=${members}`).toBeLessThanOrEqual(Math.log2(members) + 2);
      expect(report.joinMoved).toBeLessThanOrEqual(Math.ceil(share));
      expect(report.balanceMaxOverMean).toBeLessThanOrEqual(Math.ceil(share) / share + 1e-9);
      // One heartbeat entry, a record version and a share of the ack per member: ~30 bytes.
      expect(report.bytesPerNodeRoundSteady / members).toBeLessThan(60);
    }
  }, 60_000);
});
