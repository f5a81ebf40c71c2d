import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/__tests__/**/*.test.ts', 'test/**/*.test.ts'],
    // Browser tests need Chromium and a built server: `npm run test:browser` (vitest.browser.config.ts) runs them.
    exclude: ['**/node_modules/**', 'test/browser/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Test files share their worker's module cache: every file builds its own app and database, and no module
    // keeps state a file could see (caches are keyed by database). Importing the app anew per file cost about
    // 350 s of the PostgreSQL run's ~1,600 s of test work (measured 345 s → 31 s).
    isolate: false,
    // Two cores: two files at a time keeps PostgreSQL and the CPU from thrashing.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
