// Proves electron-builder.yml is a configuration electron-builder 26 accepts (its own loader and
// JSON-schema check, the same that start every build, so the AppImage, deb, dmg and nsis sections
// are checked although their tools cannot be downloaded here) and that it says what the issue
// asks: the built files only, native modules unpacked, RunAsNode off, every target. The full
// offline package of the linux dir target is electron/check-package.mjs (it needs a build).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = fileURLToPath(new URL('../../electron-builder.yml', import.meta.url));

interface BuilderConfig {
  appId: string;
  productName: string;
  electronVersion: string;
  extraMetadata: { main: string };
  /** The loader normalizes `files` into one filter set. */
  files: Array<{ filter: string[] }>;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; maintainer: string };
  mac: { target: string[] };
  win: { target: string[] };
}

async function loadConfig(): Promise<BuilderConfig> {
  // electron-builder's own loader and validator (app-builder-lib ships with electron-builder).
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  const { DebugLogger } = require('builder-util');
  const config = await getConfig(root, configFile, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config as BuilderConfig;
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema check", async () => {
    await expect(loadConfig()).resolves.toBeDefined();
  });

  it('names the app and the Electron that package.json installs', async () => {
    const config = await loadConfig();
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

    expect(config.productName).toBe('dynamo-desk');
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.electronVersion).toBe(pkg.optionalDependencies.electron);
    expect(config.extraMetadata.main).toBe('dist/electron/main.js');
  });

  it('packs the built files and package.json, and no sources, tests, maps or Electron package', async () => {
    const files = (await loadConfig()).files.flatMap((set) => set.filter);

    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/core/**/*', 'dist/electron/**/*', 'dist/renderer/**/*']));
    expect(files).toEqual(expect.arrayContaining(['!**/*.map', '!node_modules/electron{,/**/*}']));
    for (const pattern of files.filter((file) => !file.startsWith('!'))) {
      expect(pattern).toMatch(/^(package\.json|dist\/(core|electron|renderer)\/\*\*\/\*)$/);
    }
  });

  it('unpacks the native modules and flips RunAsNode (and the other hardening fuses) off', async () => {
    const config = await loadConfig();

    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/classic-level/**/*', 'node_modules/msgpackr-extract/**/*']));
    expect(config.npmRebuild).toBe(false);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });

  it('builds AppImage and deb for linux, dmg for mac, nsis for windows', async () => {
    const config = await loadConfig();

    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.maintainer).toBeTruthy();
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });
});
