#!/usr/bin/env node
// Runs the test suite (vitest) and closes with one plain summary line, `N passed, N failed`,
// which CI reads. Arguments pass through to vitest (e.g. a folder: npm test -- test/sim).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const results = path.join(tmpdir(), `dynamo-vitest-${process.pid}.json`);
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let summary = '';
try {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  summary = `${report.numPassedTests} passed, ${report.numFailedTests} failed`;
  if (report.numPendingTests + report.numTodoTests > 0) summary += `, ${report.numPendingTests + report.numTodoTests} skipped`;
  rmSync(results, { force: true });
} catch {
  summary = '0 passed, 1 failed';
}
console.log(summary);
process.exit(run.status ?? 1);
