// The browser tests (test/e2e/**/*.e2e.ts, `npm run test:e2e`): a real `dynamo console` with a
// local cluster, driven through Debian's chromium by playwright-core. One file at a time: the
// machine has two cores and each file hosts a five-node cluster.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
