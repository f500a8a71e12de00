// A short fault campaign (campaign/campaign.ts) on a 5-node cluster of real processes, with a
// fixed seed: every fault kind (SIGKILL and restart, SIGSTOP/SIGCONT, a node isolated, a
// minority isolated, two halves split) while register and cart clients write; afterwards no
// acknowledged write and no acknowledged cart add is lost, and every replica converged.
// The long runs are `npm run campaign -- --duration 120 --seed S`.

import { describe, expect, it } from 'vitest';
import { formatReport, runCampaign } from '../../campaign/campaign.js';

const seed = Number(process.env.SEED ?? 3);

describe('a short fault campaign on real processes', () => {
  it(`loses nothing and converges (seed ${seed})`, { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const report = await runCampaign({
      seed,
      durationMs: 24_000,
      timing: { holdMs: [1_500, 3_000], quietMs: [500, 1_500] },
      say: (line) => lines.push(line),
    });
    const summary = `${lines.join('\n')}\n${formatReport(report)}`;
    console.log(summary);
    expect(report.lost, summary).toBe(0);
    expect(report.violations, summary).toEqual([]);
    expect(report.lostAdds, summary).toBe(0);
    expect(report.cartViolations, summary).toEqual([]);
    expect(report.converged, summary).toBe(true);
    // Every fault kind happened and the clients did real work.
    for (const [kind, count] of Object.entries(report.faults)) expect(count, `${kind}\n${summary}`).toBeGreaterThan(0);
    expect(report.ackedWrites).toBeGreaterThan(200);
    expect(report.ackedAdds).toBeGreaterThan(50);
  });
});
