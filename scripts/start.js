#!/usr/bin/env node
// `npm start`: builds what is stale, then opens the desktop console where Electron can run, and
// otherwise the web console (`dynamo console --nodes 5 --dir ./data/console`) in the foreground,
// which prints its address. Arguments after `npm start --` go to `dynamo console`.
//
// Stale means: a source is newer than what was built from it. `npm run build` (tsc for core and
// bench, plus the Electron shell's own build step) when core/, bench/ or electron/ changed; the
// renderer's build (`npm run build:renderer`, or `npx vite build`) when renderer/ changed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts) => path.join(root, ...parts);
const scripts = JSON.parse(readFileSync(at('package.json'), 'utf8')).scripts ?? {};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** Newest modification time under the given files and folders (node_modules and dist skipped). */
function newest(entries) {
  let time = 0;
  const visit = (file) => {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(file)) if (name !== 'node_modules' && name !== 'dist' && !name.startsWith('.')) visit(path.join(file, name));
    } else time = Math.max(time, stat.mtimeMs);
  };
  for (const entry of entries) visit(at(entry));
  return time;
}

/** Oldest modification time of the outputs, or 0 when one is missing (then it must be built). */
function oldest(outputs) {
  let time = Infinity;
  for (const output of outputs) {
    if (!existsSync(at(output))) return 0;
    time = Math.min(time, statSync(at(output)).mtimeMs);
  }
  return time;
}

/** Runs a build step; a failed one ends `npm start` unless it is `optional` (then it warns). */
function run(command, args, what, optional = false) {
  process.stderr.write(`npm start: ${what}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status === 0) return;
  if (!optional) {
    process.stderr.write(`npm start: ${what} failed\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`npm start: ${what} failed; going on (the console's page says what is missing, its API works)\n`);
}

// 1. The build of core, bench (and the Electron shell, when `npm run build` includes it).
const hasElectronSources = existsSync(at('electron'));
const coreOutputs = ['dist/core/cli/main.js', 'dist/bench/command.js'];
// The shell is built only where the electron package is installed (electron/build.mjs skips it otherwise).
if (hasElectronSources && existsSync(at('node_modules/electron')) && (scripts.build ?? '').includes('electron')) coreOutputs.push('dist/electron/main.js');
const coreSources = ['core', 'bench', 'tsconfig.json', 'tsconfig.build.json', ...(hasElectronSources ? ['electron'] : [])];
if (newest(coreSources) > oldest(coreOutputs)) run(npm, ['run', 'build'], 'building (core sources are newer than dist)');

// 2. The renderer (Vite, into dist/renderer).
if (existsSync(at('renderer'))) {
  const rendererSources = ['renderer', ...readdirSync(root).filter((name) => /^(vite\.config\.|tsconfig\.renderer\.|index\.html$)/.test(name))];
  if (newest(rendererSources) > oldest(['dist/renderer/index.html'])) {
    if (scripts['build:renderer'] !== undefined) run(npm, ['run', 'build:renderer'], 'building the renderer (renderer/ is newer than dist/renderer)', true);
    else run(npx, ['vite', 'build'], 'building the renderer with vite (renderer/ is newer than dist/renderer)', true);
  }
}

// 3. Electron where it can run; the web console otherwise.
function electronBinary() {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('electron');
  } catch {
    return { reason: 'the electron package is not installed (an optional dependency)' };
  }
  let binary;
  try {
    // From a plain Node process, the electron package resolves to the path of its binary; it
    // throws when the binary was never downloaded.
    binary = require('electron');
  } catch {
    return { reason: "Electron's binary is not installed (it could not be downloaded)" };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: "Electron's binary is not installed (it could not be downloaded)" };
  if (!existsSync(at('dist/electron/main.js'))) return { reason: 'the desktop shell is not built (dist/electron/main.js is missing)' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display' };
  return { binary };
}

/** Runs a child in the foreground: signals go to it, its exit is ours. */
function foreground(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
}

const electron = electronBinary();
if (electron.binary !== undefined) {
  process.stderr.write('npm start: opening the desktop console\n');
  foreground(electron.binary, [at('dist/electron/main.js')]);
} else {
  process.stderr.write(`npm start: starting the web console (no desktop console: ${electron.reason})\n`);
  foreground(process.execPath, [at('bin/dynamo.js'), 'console', '--nodes', '5', '--dir', './data/console', ...process.argv.slice(2)]);
}
