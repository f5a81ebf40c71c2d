import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { desktop, type PageProblems, phone, problemsOf } from './browser.js';

const require = createRequire(import.meta.url);
const axeSource: string = (require('axe-core') as { source: string }).source;

/** Screenshots land in `test-results/screenshots/` (git-ignored) for a reviewer to look at. */
export const screenshotDir = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  targets: string[];
}

export interface CheckOptions {
  /** Waits until the page shows what it should (e.g. a heading is visible); run at each size after resizing. */
  ready?: (page: Page) => Promise<void>;
  /** axe rule ids to leave out, each with a reason in the caller's code. */
  skipAxeRules?: string[];
  /** Console errors the page is expected to log (regexps); anything else fails the check. */
  allowConsoleErrors?: RegExp[];
}

export interface SizeResult {
  size: 'desktop' | 'phone';
  violations: AxeViolation[];
  scrollWidth: number;
  innerWidth: number;
  screenshot: string;
}

/** Runs axe-core in the page (injected over the DevTools protocol, outside the page's CSP). */
export async function runAxe(page: Page, skipRules: string[] = []): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axeSource);
  const rules = Object.fromEntries(skipRules.map((id) => [id, { enabled: false }]));
  const json = await page.evaluate(`
    axe.run(document, { resultTypes: ['violations'], rules: ${JSON.stringify(rules)} }).then((r) =>
      JSON.stringify(r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + '  ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' ')),
      }))))
  `);
  return JSON.parse(String(json)) as AxeViolation[];
}

/** Lets layout, fonts and the app's first queries settle without waiting for "network idle" (live streams never are). */
async function settle(page: Page) {
  await page.waitForLoadState('load');
  await page.evaluate('document.fonts ? document.fonts.ready.then(() => true) : true');
  await page.waitForTimeout(300);
}

async function checkAt(page: Page, name: string, size: 'desktop' | 'phone', opts: CheckOptions): Promise<SizeResult> {
  await page.setViewportSize(size === 'desktop' ? desktop : phone);
  await settle(page);
  if (opts.ready) await opts.ready(page);
  const violations = (await runAxe(page, opts.skipAxeRules)).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  const { scrollWidth, innerWidth } = JSON.parse(
    String(
      await page.evaluate(
        'JSON.stringify({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
      ),
    ),
  ) as { scrollWidth: number; innerWidth: number };
  mkdirSync(screenshotDir, { recursive: true });
  // From the top: a page left scrolled by the test draws its sticky header mid-page in a full-page screenshot.
  await page.evaluate('window.scrollTo(0, 0)');
  const screenshot = join(screenshotDir, `${name}-${size}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  return { size, violations, scrollWidth, innerWidth, screenshot };
}

function describeProblems(problems: PageProblems, allowed: RegExp[]): string[] {
  const out: string[] = [];
  const consoleErrors = problems.consoleErrors.filter((e) => !allowed.some((re) => re.test(e)));
  for (const e of problems.cspViolations) out.push(`CSP violation: ${e}`);
  for (const e of problems.pageErrors) out.push(`uncaught error: ${e}`);
  for (const e of consoleErrors) out.push(`console error: ${e}`);
  return out;
}

/**
 * The checks every admin page must pass, at desktop (1440×900) and phone (390×844) size on the same page: axe-core
 * finds no serious or critical violation, nothing scrolls sideways, and (for pages opened with `newPage`) there was no
 * CSP violation, uncaught error or console error. Writes `<name>-desktop.png` and `<name>-phone.png`. Throws one
 * error listing every failure; the viewport is left at desktop size.
 */
export async function checkPage(page: Page, name: string, opts: CheckOptions = {}): Promise<SizeResult[]> {
  const results = [await checkAt(page, name, 'desktop', opts), await checkAt(page, name, 'phone', opts)];
  await page.setViewportSize(desktop);
  const failures: string[] = [];
  for (const r of results) {
    for (const v of r.violations) {
      failures.push(`[${r.size}] axe ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n    ${v.targets.join('\n    ')}`);
    }
    if (r.scrollWidth > r.innerWidth) {
      failures.push(`[${r.size}] scrolls sideways: content is ${r.scrollWidth}px wide in a ${r.innerWidth}px viewport`);
    }
  }
  failures.push(...describeProblems(problemsOf(page), opts.allowConsoleErrors ?? []));
  if (failures.length > 0) {
    throw new Error(`page "${name}" (${page.url()}) failed its checks:\n  ${failures.join('\n  ')}`);
  }
  return results;
}
