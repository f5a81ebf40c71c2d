import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Waits until an admin page has its data: the page heading is shown (and `ready`, when given: something only drawn
 * once the page's own data is there), and no "Loading…" status is left anywhere on the page — every one, not only
 * the first, since a page loads several sections at once.
 */
export async function settled(page: Page, ready?: (page: Page) => Locator): Promise<void> {
  await page.locator('main h1').first().waitFor({ state: 'visible', timeout: 20_000 });
  if (ready) await ready(page).first().waitFor({ state: 'visible', timeout: 20_000 });
  await expect
    .poll(() => page.locator('[role="status"]', { hasText: /^Loading/ }).count(), { timeout: 20_000 })
    .toBe(0);
}
