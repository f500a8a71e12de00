// DESIGN.md rule 1 for the renderer, checked on every file (dependency-cruiser's swc parser
// cannot read .tsx): the renderer imports only its own modules, core/admin and the pure
// folders of core, and the UI packages it was built on; never Electron, Node or a node's code.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const rendererDir = path.join(repo, 'renderer');
const pureCore = /^core\/(common|ring|version|merkle|membership|coordinator|admin)\//;
const packages = /^(react|react-dom|react\/jsx-runtime|react-dom\/client|@mantine\/(core|hooks)|@mantine\/core\/styles\.css|@tanstack\/react-query|d3-shape|uplot|uplot\/dist\/uPlot\.min\.css)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

function importsOf(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
  const bare = [...source.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
  const dynamic = [...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return [...specifiers, ...bare, ...dynamic];
}

describe('renderer imports', () => {
  const files = sourceFiles(rendererDir);

  it('finds the renderer', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('imports only renderer modules, core/admin and pure helpers, and its UI packages', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = path.relative(repo, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/');
          if (target.startsWith('renderer/') || pureCore.test(target)) continue;
          broken.push(`${path.relative(repo, file)} imports ${target}`);
        } else if (!packages.test(specifier)) {
          broken.push(`${path.relative(repo, file)} imports the package ${specifier}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
