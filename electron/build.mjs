#!/usr/bin/env node
// Builds the desktop shell (`npm run build`): electron/ compiled against Electron's own types to
// dist/electron (tsconfig.electron.json), then the preload bundled into one CommonJS script,
// dist/electron/preload.cjs (preload.vite.config.mjs). With --check it only type-checks
// (`npm run typecheck`).
//
// Electron is an optional dependency: where its download failed, npm leaves it out, and there
// is no desktop shell to build; this says so and succeeds, so `npm install` and the web console
// still work. In CI (CI set) a missing Electron is an error: its types must be checked there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');

if (!existsSync(fileURLToPath(new URL('../node_modules/electron/electron.d.ts', import.meta.url)))) {
  const message = 'electron is not installed (an optional dependency): the desktop shell is not built';
  if (process.env.CI) {
    console.error(`${message}, and CI must check it: install with ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci`);
    process.exit(1);
  }
  console.log(message);
  process.exit(0);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('npx', ['tsc', '-p', 'tsconfig.electron.json', ...(check ? ['--noEmit'] : [])]);
if (!check) run('npx', ['vite', 'build', '--config', 'electron/preload.vite.config.mjs']);
