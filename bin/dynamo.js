#!/usr/bin/env node
// The `dynamo` command: runs the built CLI (npm install builds it; `npm run build` rebuilds).
import { existsSync } from 'node:fs';

// Few libuv threads: a node reads synchronously, so a larger pool only adds wake-ups (cluster-command.ts).
process.env.UV_THREADPOOL_SIZE ??= '2';

const entry = new URL('../dist/core/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('dynamo: not built yet; run `npm run build` in the repository first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
