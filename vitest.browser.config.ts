import { defineConfig } from 'vitest/config';

/**
 * The browser suite (`npm run test:browser`): admin journeys in Chromium against a real server started from `dist/`.
 * Kept out of `npm test` (vitest.config.ts excludes test/browser) so a machine without Chromium still passes it and CI
 * runs these once. Each file starts its own server and browser, so files run one at a time on two cores.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    globalSetup: ['test/browser/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
