import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser } from './browser.js';
import { type BrowserServer, logTail, type StartOptions, startServer } from './server.js';

export interface BrowserSuite {
  server: BrowserServer;
  browser: Browser;
}

/**
 * One server and one Chromium for a test file (inside `describeBrowser`): started before its tests, stopped after.
 * When a test fails, the end of the server's log is printed next to the failure. Use the returned object's fields
 * inside tests (they are filled in by `beforeAll`).
 */
export function useBrowserSuite(opts: StartOptions = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    const [server, browser] = await Promise.all([startServer(opts), launchBrowser()]);
    suite.server = server;
    suite.browser = browser;
  }, 180_000);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail' && suite.server) {
      console.error(`--- server log (last lines) for "${ctx.task.name}" ---\n${logTail(suite.server)}`);
    }
  });
  afterAll(async () => {
    await suite.browser?.close().catch(() => {});
    await suite.server?.stop();
  }, 60_000);
  return suite;
}
