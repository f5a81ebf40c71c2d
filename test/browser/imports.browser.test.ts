import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { signInPage, staffToken } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * Imports and exports in the admin app: a CSV with one bad row is uploaded from a file input, the job's progress and
 * its row-by-row report are shown, the good rows are imported (checked through the API); the products export
 * downloads as a file.
 */
describeBrowser('admin imports and exports', () => {
  const s = useBrowserSuite();
  let token: string;
  let location: string;
  const run = Date.now().toString(36);

  beforeAll(async () => {
    token = (await staffToken(s.server)).token;
    const { data } = await s.server.api(token).GET('/v1/admin/inventory/locations');
    location = data.data[0]?.code ?? 'main';
  });

  it('uploads a CSV with one bad row: shows progress and the report naming the row; the good rows are imported', async () => {
    const csv = [
      `handle,title,status,sku,price_EUR,stock_${location}`,
      `lamp-${run},Desk lamp ${run},active,LAMP-${run},4900,12`,
      `BAD HANDLE ${run},Broken,active,BROKEN-${run},100,1`,
      `vase-${run},Vase ${run},active,VASE-${run},2500,4`,
    ].join('\n');
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/imports');
      await page.getByRole('heading', { name: 'Imports and exports' }).waitFor();
      await page.getByLabel('CSV file').setInputFiles({
        name: 'products.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv, 'utf8'),
      });
      await page.getByLabel('Import the valid products even if other rows have problems').check();
      await page.getByRole('button', { name: 'Upload and import' }).click();

      const report = page.getByTestId('import-report');
      await report.waitFor();
      await page.getByRole('progressbar', { name: 'Import progress' }).waitFor();
      await expect.poll(() => report.textContent(), { timeout: 30_000 }).toContain('Done, some rows skipped');
      // Three rows in the file; the bad one is never imported.
      expect(await page.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('2 of 3 rows imported');
      const problems = page.locator('table[aria-label="Problems by row"] tbody tr');
      expect(await problems.count()).toBe(1);
      const [row, column, message] = await problems.first().locator('td').allTextContents();
      expect([row, column]).toEqual(['3', 'handle']);
      expect(message).toMatch(/^must be lowercase/);
      expect(page.url()).toMatch(/[?&]job=imp_/);

      // The two good products are in the catalog, with their stock; the bad row's is not.
      const api = s.server.api(token);
      for (const [sku, onHand] of [
        [`LAMP-${run}`, 12],
        [`VASE-${run}`, 4],
      ] as const) {
        const { data } = await api.GET('/v1/admin/inventory/items', { params: { query: { sku } } });
        expect(data.data.map((i) => i.sku)).toEqual([sku]);
        expect(data.data[0]?.levels.find((l) => l.locationCode === location)?.onHand).toBe(onHand);
      }
      // The products themselves, with their title, status and price as the file gave them.
      const { data: lamps } = await api.GET('/v1/admin/products', { params: { query: { q: `LAMP-${run}` } } });
      const lampSummaries = lamps.data.filter((p) => p.skus.includes(`LAMP-${run}`));
      expect(lampSummaries.map((p) => [p.handle, p.title, p.status, p.skus])).toEqual([
        [`lamp-${run}`, `Desk lamp ${run}`, 'active', [`LAMP-${run}`]],
      ]);
      const { data: lamp } = await api.GET('/v1/admin/products/{id}', {
        params: { path: { id: lampSummaries[0]?.id ?? '' } },
      });
      expect(lamp.variants[0]?.prices.map((p) => p.price)).toEqual([{ amount: 4900, currency: 'EUR' }]);
      const { data: none } = await api.GET('/v1/admin/products', { params: { query: { q: `BROKEN-${run}` } } });
      expect(none.data.filter((p) => p.skus.includes(`BROKEN-${run}`))).toEqual([]);
      const { data: broken } = await api.GET('/v1/admin/inventory/items', {
        params: { query: { sku: `BROKEN-${run}` } },
      });
      expect(broken.data).toEqual([]);

      // The past imports list it; its report opens from there too.
      const past = page.locator('table[aria-label="Past imports"] tbody tr').first();
      await expect.poll(() => past.textContent()).toContain('Done, some rows skipped');
      await checkPage(page, 'imports-report');
    } finally {
      await page.context().close();
    }
  });

  it('refuses a file with a bad row when partial import is off, importing nothing', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/imports');
      await page.getByLabel('CSV file').setInputFiles({
        name: 'bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`handle,title,sku\nok-${run},Ok,OK-${run}\nNOT OK,No,NO-${run}\n`, 'utf8'),
      });
      await page.getByRole('button', { name: 'Upload and import' }).click();
      const report = page.getByTestId('import-report');
      await expect.poll(() => report.textContent(), { timeout: 30_000 }).toContain('Rejected: nothing imported');
      expect(await report.textContent()).toContain('nothing was imported');
      const { data } = await s.server
        .api(token)
        .GET('/v1/admin/inventory/items', { params: { query: { sku: `OK-${run}` } } });
      expect(data.data).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('downloads the products export as a CSV file', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/imports');
      const button = page.getByRole('button', { name: 'Download products CSV' });
      await button.waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      expect(download.suggestedFilename()).toBe('products.csv');
      const path = await download.path();
      const text = readFileSync(path, 'utf8');
      const [header, ...rows] = text.trim().split('\n');
      expect(header).toContain('handle,title');
      expect(header).toContain(`stock_${location}`);
      expect(rows.length).toBeGreaterThan(10);
      // The content is the shop's: the product imported by the first test is in it, with its SKU, price and stock.
      const columns = (header ?? '').split(',');
      const lampRow = rows.find((r) => r.startsWith(`lamp-${run},`))?.split(',');
      expect(lampRow).toBeDefined();
      const cell = (name: string) => lampRow?.[columns.indexOf(name)];
      expect([cell('title'), cell('sku'), cell('price_EUR'), cell(`stock_${location}`)]).toEqual([
        `Desk lamp ${run}`,
        `LAMP-${run}`,
        '4900',
        '12',
      ]);
      await page.getByText('Downloaded products.csv', { exact: true }).waitFor();
      await checkPage(page, 'imports');
    } finally {
      await page.context().close();
    }
  });
});
