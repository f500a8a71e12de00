#!/usr/bin/env node
// The `dynamo` command: runs the built CLI (npm install builds it; `npm run build` rebuilds).
// It composes the program: core's commands (core/cli) plus `dynamo bench` (bench/command.ts),
// which lives outside core and joins as an extension.
import { existsSync } from 'node:fs';

// Few libuv threads: a node reads synchronously, so a larger pool only adds wake-ups
// (nodeThreadPoolSize in core/host/limits.ts; set here, before anything can start the pool).
process.env.UV_THREADPOOL_SIZE ??= '2';

const cli = new URL('../dist/core/cli/main.js', import.meta.url);
const bench = new URL('../dist/bench/command.js', import.meta.url);
if (!existsSync(cli) || !existsSync(bench)) {
  process.stderr.write('dynamo: not built yet; run `npm run build` in the repository first\n');
  process.exit(1);
}
const [{ main }, { addBenchCommand }] = await Promise.all([import(cli.href), import(bench.href)]);
await main(process.argv, [addBenchCommand]);
