// Vite builds the console's renderer (renderer/ → dist/renderer) with relative asset paths, so
// the same files load from `dynamo console`'s HTTP server and from the desktop shell's file://.
// `npx vite` serves it for development and forwards /api to a running `dynamo console`
// (DYNAMO_CONSOLE_URL, default http://127.0.0.1:3000).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const consoleUrl = process.env.DYNAMO_CONSOLE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // One chunk of vendor code is fine for a local console; keep the warning for real bloat.
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: { '/api': consoleUrl } },
});
