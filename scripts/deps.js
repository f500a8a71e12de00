#!/usr/bin/env node
// `npm run deps`: checks the dependency rules (.dependency-cruiser.cjs; DESIGN.md rule 1) over
// every top-level source folder that exists yet (electron/ and renderer/ join when they do),
// so that a folder added later is checked without anyone remembering to list it. Exits non-zero
// on any violation, printing one line per broken rule.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const folders = ['core', 'bench', 'electron', 'renderer'].filter((folder) => existsSync(folder));
const run = spawnSync(
  'npx',
  ['depcruise', ...folders, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
