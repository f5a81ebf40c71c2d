import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserTestsRequired, hasChromium, missingChromiumMessage } from './browser.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '__tests__') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Before the browser suite: say clearly why it skips (no Chromium on a developer's machine) or fail at once (CI),
 * and warn when the built server is older than its sources — the tests run `dist/`, not `src/`.
 */
export default function setup() {
  if (!hasChromium) {
    if (browserTestsRequired) throw new Error(`${missingChromiumMessage} (browser tests are required in CI)`);
    console.error(`\nBrowser tests SKIPPED: ${missingChromiumMessage}\n`);
  }
  const built = join(root, 'dist/main.js');
  if (!existsSync(built)) {
    throw new Error('dist/ is missing: browser tests run the built server; run `npm run build` first');
  }
  const stale = newestMtime(join(root, 'src')) > statSync(built).mtimeMs;
  if (stale)
    console.error('\nWarning: src/ changed after the last build; the browser tests run dist/ (npm run build)\n');
}
