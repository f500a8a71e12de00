// Bundles the window's preload (electron/preload.ts and what it imports: the bridge, the channel
// names of core/admin) into one CommonJS script, dist/electron/preload.cjs. A sandboxed preload
// cannot load ES modules or files of its own: its `require` knows only 'electron' (and a few
// Node built-ins), so 'electron' stays external and everything else is inlined.
// Run by `npm run build` (electron/build.mjs): vite build --config electron/preload.vite.config.mjs
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/electron', import.meta.url)),
    // dist/electron also holds tsc's output: never empty it.
    emptyOutDir: false,
    minify: false,
    sourcemap: false,
    target: 'es2022',
    lib: {
      entry: fileURLToPath(new URL('./preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: { external: ['electron'] },
  },
});
