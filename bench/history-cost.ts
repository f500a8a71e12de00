// `npm run bench:history`: what the per-key version history costs (issue 10 asks for at most 5%
// of throughput). Fresh 3-node clusters with --history 8 (the default) and --history 0 (off),
// interleaved round by round and compared by their medians (cost-rounds.ts). Workloads W
// (updates only: every write supersedes a version and grows the history) and A (50/50).

import { fileURLToPath } from 'node:url';
import { costCommand, costTable, runCostRounds, type CostSetting } from './cost-rounds.js';

/** The baseline first: history off. */
export const historySettings: readonly CostSetting[] = [
  { label: 'history 0', nodes: { history: 0 } },
  { label: 'history 8', nodes: { history: 8 } },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = costCommand('bench:history', { rounds: 3, duration: 15 });
  const samples = await runCostRounds(historySettings, { ...options, workloads: ['w', 'a'] });
  process.stdout.write(`${costTable(historySettings, samples)}\n`);
}
