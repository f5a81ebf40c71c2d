import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signInPage, staffToken } from './support/auth.js';
import { clearProblems, describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * Inventory in the admin app: stock adjusted from two browser sessions at once (compare-and-set: the second sees the
 * conflict and the first's count is kept), a change made through the API showing in the open list without a reload,
 * and a transfer between two locations — each checked through the API afterwards.
 */
describeBrowser('admin inventory', () => {
  const s = useBrowserSuite();
  let token: string;
  let item: { id: string; sku: string };
  let main: { id: string; code: string };
  let floor: { id: string; code: string };

  const api = () => s.server.api(token);
  const onHandAt = async (locationId: string) => {
    const { data } = await api().GET('/v1/admin/inventory/items/{id}', { params: { path: { id: item.id } } });
    return data.levels.find((l) => l.locationId === locationId)?.onHand;
  };
  /** The on-hand cell of a location in the detail page's "Stock by location" table. */
  const detailOnHand = (page: Page, code: string) =>
    page.locator(`table[aria-label="Stock by location"] tr[data-location="${code}"] td[data-col="onHand"]`);

  beforeAll(async () => {
    token = (await staffToken(s.server)).token;
    const { data: locations } = await api().GET('/v1/admin/inventory/locations');
    const first = locations.data[0];
    if (!first) throw new Error('the demo shop has no stock location');
    main = first;
    const { data: created } = await api().POST('/v1/admin/inventory/locations', {
      body: { code: 'shop-floor', name: 'Shop floor', priority: 50 },
    });
    floor = created;
    const { data: items } = await api().GET('/v1/admin/inventory/items', { params: { query: { limit: 50 } } });
    const stocked = items.data.find((i) => (i.levels.find((l) => l.locationId === main.id)?.onHand ?? 0) >= 10);
    if (!stocked) throw new Error('no demo item with 10 or more on hand');
    item = stocked;
  });

  it('two sessions adjust the same item: the second sees the conflict, and the first count is not overwritten', async () => {
    const [first, second] = await Promise.all([newPage(s.browser), newPage(s.browser)]);
    try {
      // Two members' sessions (two sign-ins, two browser contexts) on the same item.
      const other = (await staffToken(s.server)).token;
      await signInPage(first, s.server, token, `/admin/inventory/${item.id}`);
      await signInPage(second, s.server, other, `/admin/inventory/${item.id}`);
      const before = (await onHandAt(main.id)) ?? 0;
      for (const page of [first, second]) {
        await page.getByRole('heading', { name: item.sku }).waitFor();
        await page.getByRole('form', { name: 'Adjust stock' }).getByLabel('Location').selectOption(main.id);
        await expect.poll(() => page.getByTestId('adjust-base').textContent()).toContain(`: ${before}`);
      }

      // Both start from the same count; the first saves, then the second.
      await first.getByLabel('New on hand').fill(String(before + 5));
      await second.getByLabel('New on hand').fill(String(before + 2));
      await first.getByRole('button', { name: 'Save adjustment' }).click();
      await expect.poll(() => onHandAt(main.id)).toBe(before + 5);
      await second.getByRole('button', { name: 'Save adjustment' }).click();

      const alert = second.getByRole('alert').filter({ hasText: 'Changed by someone else' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain(`now ${before + 5}, not ${before}`);
      // Refused on the server: the first member's count stands.
      expect(await onHandAt(main.id)).toBe(before + 5);
      await expect.poll(() => detailOnHand(second, main.code).textContent()).toBe(String(before + 5));
      // The refused request is logged by Chromium as a failed resource load: expected here.
      clearProblems(second);
      await checkPage(second, 'inventory-detail-conflict');

      // The second member decides again from the new count, and saves.
      await second.getByRole('button', { name: `Continue from ${before + 5}` }).click();
      await second.getByRole('button', { name: 'Save adjustment' }).click();
      await expect.poll(() => onHandAt(main.id)).toBe(before + 2);
      // The first page follows the stock stream: no reload.
      await expect
        .poll(() => detailOnHand(first, main.code).textContent(), { timeout: 10_000 })
        .toBe(String(before + 2));

      const { data: ledger } = await api().GET('/v1/admin/inventory/items/{id}/movements', {
        params: { path: { id: item.id }, query: { limit: 5 } },
      });
      expect(ledger.data.slice(0, 2).map((m) => m.deltaOnHand)).toEqual([-3, 5]);
    } finally {
      await first.context().close();
      await second.context().close();
    }
  });

  it('shows a stock change made through the API in the open list, without a reload', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, `/admin/inventory?q=${encodeURIComponent(item.sku)}`);
      const row = page.locator('table tbody tr').filter({ hasText: item.sku });
      await row.waitFor();
      await page.getByText('Live', { exact: true }).first().waitFor();
      await page.evaluate('window.__sameDocument = true');
      const before = (await onHandAt(main.id)) ?? 0;
      await expect.poll(() => row.textContent()).toContain(String(before));

      await api().POST('/v1/admin/inventory/items/{id}/adjustments', {
        params: { path: { id: item.id } },
        body: { locationId: main.id, delta: 7, reason: 'received', note: 'delivery from the API' },
      });
      // The on-hand column lists one line per location (main first by priority? the API's order): find the new count.
      await expect
        .poll(async () => (await row.locator('td').nth(2).locator('li').allTextContents()).map(Number), {
          timeout: 10_000,
        })
        .toContain(before + 7);
      expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
      await checkPage(page, 'inventory-list');

      await page.goto(`${s.server.baseUrl}/admin/inventory?lowStock=true`);
      await page.getByRole('heading', { name: 'Inventory' }).waitFor();
      await checkPage(page, 'inventory-list-low-stock');
    } finally {
      await page.context().close();
    }
  });

  it('transfers units between two locations', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, `/admin/inventory/${item.id}`);
      await page.getByRole('heading', { name: item.sku }).waitFor();
      const fromBefore = (await onHandAt(main.id)) ?? 0;
      const toBefore = (await onHandAt(floor.id)) ?? 0;
      const form = page.getByRole('form', { name: 'Transfer stock' });
      await form.getByLabel('From', { exact: true }).selectOption(main.id);
      await form.getByLabel('To', { exact: true }).selectOption(floor.id);
      await form.getByLabel('Quantity').fill('3');
      await form.getByRole('button', { name: 'Transfer' }).click();
      await expect.poll(() => onHandAt(floor.id)).toBe(toBefore + 3);
      expect(await onHandAt(main.id)).toBe(fromBefore - 3);
      await expect.poll(() => detailOnHand(page, 'shop-floor').textContent()).toBe(String(toBefore + 3));

      // More than is available is refused by the server, and said so; nothing moves.
      await form.getByLabel('Quantity').fill(String(fromBefore + 100));
      await form.getByRole('button', { name: 'Transfer' }).click();
      await form.getByText(`Only ${fromBefore - 3} available at Main warehouse`).waitFor();
      expect(await onHandAt(floor.id)).toBe(toBefore + 3);
      expect(await onHandAt(main.id)).toBe(fromBefore - 3);
      clearProblems(page); // the refused transfer's 409, logged by Chromium

      // The history lists the two transfer rows: 3 out of the main warehouse, 3 into the shop floor.
      const history = page.locator('table[aria-label="Movement history"] tbody tr');
      await expect
        .poll(async () => (await history.allTextContents()).filter((t) => t.includes('Transfer')).length)
        .toBe(2);
      const transfers = (await history.allTextContents()).filter((t) => t.includes('Transfer'));
      expect(transfers.some((t) => t.includes('Shop floor') && t.includes('+3 on hand'))).toBe(true);
      expect(transfers.some((t) => t.includes('Main warehouse') && t.includes('-3 on hand'))).toBe(true);
      // Filtered by location, only that location's rows remain.
      await page.locator('#movements-location').selectOption(floor.id);
      await expect.poll(() => history.count()).toBe(1);
      expect(await history.first().textContent()).toContain('+3 on hand');
      await page.getByRole('form', { name: 'Transfer stock' }).getByLabel('Quantity').fill('');
      await checkPage(page, 'inventory-detail');
    } finally {
      await page.context().close();
    }
  });
  it('edits the low-stock threshold: saved through the API, the item shows as low, and the low-stock filter lists it', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, `/admin/inventory/${item.id}`);
      await page.getByRole('heading', { name: item.sku }).waitFor();
      const { data: before } = await api().GET('/v1/admin/inventory/items/{id}', { params: { path: { id: item.id } } });
      expect(before.lowStock).toBe(false);
      const threshold = (before.available ?? 0) + 10;

      const form = page.getByRole('form', { name: 'Stock settings' });
      await form.getByLabel('Low-stock threshold').fill(String(threshold));
      await form.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Stock settings saved', { exact: true }).waitFor();
      await expect
        .poll(async () => {
          const { data } = await api().GET('/v1/admin/inventory/items/{id}', { params: { path: { id: item.id } } });
          return [data.lowStockThreshold, data.lowStock];
        })
        .toEqual([threshold, true]);
      await page.getByText(`(low at ≤ ${threshold})`).waitFor();
      await page.getByText('Low stock', { exact: true }).first().waitFor();

      // Not a number: refused in the form, nothing sent.
      await form.getByLabel('Low-stock threshold').fill('many');
      await form.getByRole('button', { name: 'Save settings' }).click();
      await form.getByText('Enter a whole number, 0 or more').waitFor();
      const { data: after } = await api().GET('/v1/admin/inventory/items/{id}', { params: { path: { id: item.id } } });
      expect(after.lowStockThreshold).toBe(threshold);
      await form.getByLabel('Low-stock threshold').fill(String(threshold));

      await page.goto(`${s.server.baseUrl}/admin/inventory?lowStock=true`);
      await page.locator('table tbody tr').filter({ hasText: item.sku }).waitFor();

      // Put it back, so other tests see the item as it was.
      await api().PATCH('/v1/admin/inventory/items/{id}', {
        params: { path: { id: item.id } },
        body: { lowStockThreshold: before.lowStockThreshold },
      });
    } finally {
      await page.context().close();
    }
  });
});
