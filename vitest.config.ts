import { defineConfig } from 'vitest/config';

// Own config so vitest does not pick up vite.config.ts (whose root is renderer/).
export default defineConfig({
  test: {
    include: ['{electron,shared,simnet,renderer,bench,scripts}/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    // Child processes rather than worker threads: tests start gRPC servers and native modules.
    pool: 'forks',
    // vitest's summary, then every skipped test with its reason (scripts/skip-reasons-reporter.ts).
    reporters: ['default', './scripts/skip-reasons-reporter.ts'],
  },
});
