// The fault campaign from the command line:
//   npm run campaign -- --duration 120 --seed 7 [--json report.json]
// Prints the figures; exits 1 on any violation (lost write, lost cart add, unconverged replicas)
// and names the folder that keeps the failing run's history and node logs.

import { writeFile } from 'node:fs/promises';
import { formatReport, runCampaign } from './campaign.js';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const durationS = Number(flag('duration') ?? 60);
const seed = Number(flag('seed') ?? process.env.SEED ?? 1);
if (!Number.isFinite(durationS) || durationS <= 0 || !Number.isInteger(seed)) {
  console.error('usage: npm run campaign -- --duration <seconds> --seed <integer> [--json <file>]');
  process.exit(2);
}

const started = performance.now();
try {
  const report = await runCampaign({ seed, durationMs: durationS * 1000 });
  console.log(formatReport(report));
  console.log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const json = flag('json');
  if (json !== undefined) await writeFile(json, JSON.stringify(report, null, 1));
  process.exit(report.ok ? 0 : 1);
} catch (error) {
  console.error('campaign failed:', error);
  process.exit(1);
}
