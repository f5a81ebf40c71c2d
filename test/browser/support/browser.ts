import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe } from 'vitest';

/**
 * Chromium for browser tests: Debian's `chromium` package (`CHROMIUM_PATH` to use another build). In CI
 * (`CI=true` or `BROWSER_TESTS_REQUIRED=1`) a missing Chromium fails the run; on a developer's machine without it
 * the browser suites are skipped with a message, so `npm run test:browser` never pretends to have passed.
 */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const browserTestsRequired =
  ['1', 'true'].includes((process.env.CI ?? '').toLowerCase()) || process.env.BROWSER_TESTS_REQUIRED === '1';

export const missingChromiumMessage =
  `Chromium not found at ${chromiumPath}: install Debian's \`chromium\` package (apt-get install -y chromium) ` +
  'or set CHROMIUM_PATH';

/** `describe` when the suite can (or must) run, else `describe.skip` — a required run without Chromium fails. */
export const describeBrowser = describe.skipIf(!hasChromium && !browserTestsRequired);

export async function launchBrowser(): Promise<Browser> {
  if (!hasChromium) throw new Error(missingChromiumMessage);
  return chromium.launch({
    executablePath: chromiumPath,
    // Without the background-networking flags Chromium stalls on a closed network (component updates, sync).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const desktop = { width: 1440, height: 900 } as const;
export const phone = { width: 390, height: 844 } as const;

/** What went wrong on a page while a test used it. */
export interface PageProblems {
  /** `console.error` messages (resource load failures included). */
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** Content-Security-Policy violations: the `securitypolicyviolation` events and console "Refused to …" lines. */
  cspViolations: string[];
}

const tracked = new WeakMap<Page, PageProblems>();

/** The problems recorded for a page opened with `newPage` (empty lists for any other page). */
export function problemsOf(page: Page): PageProblems {
  return tracked.get(page) ?? { consoleErrors: [], pageErrors: [], cspViolations: [] };
}

/** Empties a page's recorded problems (e.g. after a step that is expected to log an error). */
export function clearProblems(page: Page): void {
  const p = tracked.get(page);
  if (!p) return;
  p.consoleErrors.length = 0;
  p.pageErrors.length = 0;
  p.cspViolations.length = 0;
}

export interface NewPageOptions {
  viewport?: { width: number; height: number };
}

/**
 * A page in a context of its own (its own sessionStorage, so two pages are two signed-in tabs of different people),
 * recording console errors, page errors and CSP violations. Close it with `page.context().close()`.
 */
export async function newPage(browser: Browser, opts: NewPageOptions = {}): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ viewport: opts.viewport ?? desktop });
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], cspViolations: [] };
  // Bindings and init scripts are injected by the DevTools protocol, outside the page's CSP, so they see the
  // violations the policy reports without the policy having to allow anything.
  await context.exposeBinding('__backroomCspViolation', (_source, text: string) => {
    problems.cspViolations.push(text);
  });
  await context.addInitScript(`
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__backroomCspViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
        ' (' + (e.sourceFile || '') + ':' + e.lineNumber + ')');
    });
  `);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const url = msg.location().url ?? '';
    // Chromium asks for /favicon.ico by itself when a page names no icon: not a request the app made.
    if (url.endsWith('/favicon.ico') && /Failed to load resource/.test(text)) return;
    if (/Refused to/i.test(text)) problems.cspViolations.push(text);
    else problems.consoleErrors.push(`${text}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (err) => problems.pageErrors.push(err.stack ?? err.message));
  tracked.set(page, problems);
  return page;
}
