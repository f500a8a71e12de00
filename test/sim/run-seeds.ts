// Runs the data-path simulation over many seeds, outside the test suite:
//   npm run sim -- --seeds 5000 [--from 1] [--nodes 5] [--ops 25] [--joiners 2 --leavers 1]
//   SEED=89 npm run sim          (replays one seed)
// Prints one line per failing seed and a summary; exits 1 when any seed fails.

import { simulateDataPath } from './simulator.js';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const from = process.env.SEED !== undefined ? Number(process.env.SEED) : flag('from', 1);
const count = process.env.SEED !== undefined ? 1 : flag('seeds', 1000);
const started = performance.now();
let failures = 0;
let acked = 0;
let failed = 0;
for (let seed = from; seed < from + count; seed++) {
  const report = await simulateDataPath({
    seed,
    nodes: flag('nodes', 5),
    opsPerClient: flag('ops', 25),
    joiners: flag('joiners', 0),
    leavers: flag('leavers', 0),
  });
  acked += report.acked;
  failed += report.failed;
  if (report.violations.length > 0) {
    failures++;
    console.log(`seed ${seed} FAILED: ${JSON.stringify(report.violations.slice(0, 5))}`);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `${count} seeds from ${from}: ${failures} failed; ${acked} writes acknowledged, ${failed} failed under faults; ${seconds.toFixed(1)} s`,
);
process.exit(failures > 0 ? 1 : 0);
