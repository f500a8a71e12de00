// Runs once before the browser tests: without Debian's chromium they cannot run, and the run
// says so in one line instead of failing (.ci/run installs it with apt).

import { existsSync } from 'node:fs';
import { chromiumPath } from './browser.js';

export default function setup(): void {
  if (!existsSync(chromiumPath)) {
    process.stdout.write(`browser tests skipped: ${chromiumPath} is missing (apt-get install -y chromium)\n`);
  }
}
