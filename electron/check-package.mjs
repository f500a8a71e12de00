#!/usr/bin/env node
// Packages the desktop app offline and checks the result: `npm run build`, then
// `node electron/check-package.mjs`. Electron's binary cannot be downloaded here, so this
// stands a fake one in (a file carrying Electron's fuse wire, all Electron needs for
// @electron/fuses) and runs electron-builder's `--linux dir` target with electron-builder.yml
// into a temporary folder. It then checks the app.asar (built files and package.json only, the
// main entry, no sources, no Electron package), the native modules unpacked beside it, and the
// fuses as flipped (RunAsNode off). AppImage, deb, dmg and nsis need tools electron-builder
// downloads; they are checked against electron-builder's schema only
// (test/electron/builder-config.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's fuses in their order (@electron/fuses FuseV1Options) and Electron's defaults. */
const fuses = [
  ['runAsNode', '1'],
  ['enableCookieEncryption', '0'],
  ['enableNodeOptionsEnvironmentVariable', '1'],
  ['enableNodeCliInspectArguments', '1'],
  ['enableEmbeddedAsarIntegrityValidation', '0'],
  ['onlyLoadAppFromAsar', '0'],
  ['loadBrowserProcessSpecificV8Snapshot', '0'],
  ['grantFileProtocolExtraPrivileges', '1'],
];
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

if (!existsSync(path.join(root, 'dist/electron/main.js')) || !existsSync(path.join(root, 'dist/electron/preload.cjs'))) {
  console.error('dist/electron is not built: run `npm run build` first');
  process.exit(1);
}

const work = mkdtempSync(path.join(tmpdir(), 'dynamo-package-'));
try {
  const electronDist = path.join(work, 'electron-dist');
  mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
  const wire = Buffer.concat([Buffer.from(sentinel), Buffer.from([1, fuses.length]), Buffer.from(fuses.map(([, value]) => value).join(''))]);
  writeFileSync(path.join(electronDist, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), wire]), { mode: 0o755 });
  writeFileSync(path.join(electronDist, 'LICENSE'), 'stand-in for Electron');
  const output = path.join(work, 'release');

  const run = spawnSync(
    'npx',
    ['electron-builder', '--linux', 'dir', '--dir', `-c.electronDist=${electronDist}`, `-c.directories.output=${output}`],
    { cwd: root, stdio: 'inherit' },
  );
  check(run.status === 0, 'electron-builder --linux dir packaged the app with electron-builder.yml');
  if (run.status !== 0) process.exit(1);

  const app = path.join(output, 'linux-unpacked');
  const asar = readFileSync(path.join(app, 'resources', 'app.asar'));
  // The archive opens with a pickled JSON header: its length is at byte 12, the JSON at 16.
  const header = JSON.parse(asar.subarray(16, 16 + asar.readUInt32LE(12)).toString('utf8'));
  const has = (file) => file.split('/').reduce((node, part) => node?.files?.[part], header) !== undefined;
  const top = Object.keys(header.files).sort();
  check(JSON.stringify(top) === JSON.stringify(['dist', 'node_modules', 'package.json']), `app.asar holds dist, node_modules and package.json only (${top.join(', ')})`);
  // File contents follow the header pickle (its size at byte 4); each entry gives its offset.
  const entry = header.files['package.json'];
  const contentAt = 8 + asar.readUInt32LE(4) + Number(entry.offset);
  const packaged = JSON.parse(asar.subarray(contentAt, contentAt + entry.size).toString('utf8'));
  check(Object.keys(header.files.dist.files).sort().join() === 'core,electron' + (existsSync(path.join(root, 'dist/renderer')) ? ',renderer' : ''), 'dist holds core, electron and renderer (when built)');
  for (const file of ['dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/core/host/node-main.js']) check(has(file), `app.asar has ${file}`);
  check(!has('dist/electron/preload.js') && !has('dist/electron/main.js.map'), 'no ES-module preload copy and no source maps');
  check(!has('node_modules/electron'), 'the electron npm package is not packed');
  check(has('node_modules/fastify') && has('node_modules/xstate'), 'production dependencies are packed');
  check(packaged.type === 'module' && packaged.main === 'dist/electron/main.js', 'the packed package.json: "type": "module", "main": "dist/electron/main.js"');
  const unpacked = path.join(app, 'resources', 'app.asar.unpacked', 'node_modules');
  check(existsSync(path.join(unpacked, 'classic-level', 'prebuilds')), 'classic-level is unpacked beside the archive');
  check(existsSync(path.join(unpacked, 'msgpackr-extract')), 'msgpackr-extract is unpacked beside the archive');

  const binary = readFileSync(path.join(app, 'dynamo-desk'));
  const at = binary.indexOf(sentinel) + sentinel.length + 2;
  const flipped = Object.fromEntries(fuses.map(([name], i) => [name, String.fromCharCode(binary[at + i])]));
  const expected = {
    runAsNode: '0',
    enableCookieEncryption: '1',
    enableNodeOptionsEnvironmentVariable: '0',
    enableNodeCliInspectArguments: '0',
    enableEmbeddedAsarIntegrityValidation: '1',
    onlyLoadAppFromAsar: '1',
    loadBrowserProcessSpecificV8Snapshot: '0',
    grantFileProtocolExtraPrivileges: '1',
  };
  for (const [name, value] of Object.entries(expected)) check(flipped[name] === value, `fuse ${name} is ${value === '1' ? 'on' : 'off'}`);
  check(readdirSync(app).includes('dynamo-desk'), 'the executable is named dynamo-desk');
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(failures.length === 0 ? 'the package is as electron-builder.yml says' : `${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
