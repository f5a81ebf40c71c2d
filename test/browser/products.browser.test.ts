import { createBackroomClient } from '@backroom/client';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signInPage, staffToken } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * Products in the admin app: a product created in the browser with two variants (Size S and M) priced in EUR and
 * USD and published to the demo sales channel is served by the storefront API with both variants and prices; the
 * same product edited in two pages shows the second the conflict instead of overwriting; a bulk price edit changes
 * the prices (checked through the API); the categories and collections pages manage their trees and lists.
 */
describeBrowser('admin products', () => {
  const s = useBrowserSuite();
  let token: string;
  let publishableKey: string;
  let productId: string;
  const title = 'Browser Linen Tee';

  const api = () => s.server.api(token);
  const adminProduct = async (id: string) =>
    (await api().GET('/v1/admin/products/{id}', { params: { path: { id } } })).data;
  const pricesOf = async (id: string, currency: string) =>
    (await adminProduct(id)).variants.map((v) => ({
      sku: v.sku,
      amount: v.prices.find((p) => p.price.currency === currency)?.price.amount,
      compareAt: v.prices.find((p) => p.price.currency === currency)?.compareAtPrice?.amount ?? null,
    }));
  /** A control by its label's exact text (a required field's label ends with " *", hidden from screen readers). */
  const field = (scope: Page | Locator, name: string) =>
    scope.getByLabel(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));
  /** The card of one variant in the product form (a fieldset named by its option values). */
  const variant = (page: Page, name: string) => page.getByRole('group', { name, exact: true });

  beforeAll(async () => {
    token = (await staffToken(s.server)).token;
    // The storefront's key for the demo sales channel (the default one), as a storefront developer makes it.
    const { data: key } = await api().POST('/v1/admin/api-keys', {
      body: { name: 'browser storefront', kind: 'publishable' },
    });
    publishableKey = key.key;
    expect(publishableKey).toMatch(/^pk_/);
  });

  it('creates a product with two priced variants in the browser, and the storefront API serves it', async () => {
    const page = await newPage(s.browser);
    await signInPage(page, s.server, token, '/admin/products/new');
    await page.getByRole('heading', { name: 'New product' }).waitFor();

    await field(page, 'Title').fill(title);
    await field(page, 'Status').selectOption('active');
    await page.getByRole('button', { name: 'Add option' }).click();
    await field(page, 'Option 1 name').fill('Size');
    await field(page, 'Option 1 values').fill('S, M');
    await page.getByRole('button', { name: 'Create variants (2)' }).click();
    // The shop's currencies (its regions: EUR and USD) are the price columns.
    await field(variant(page, 'S'), 'Price EUR').waitFor();
    await field(variant(page, 'S'), 'SKU').fill('BLT-S');
    await field(variant(page, 'M'), 'SKU').fill('BLT-M');
    await field(variant(page, 'S'), 'Price EUR').fill('24.90');
    await field(variant(page, 'S'), 'Compare-at EUR').fill('29.90');
    await field(variant(page, 'M'), 'Price EUR').fill('26');
    await field(variant(page, 'S'), 'Price USD').fill('27.50');
    await field(variant(page, 'M'), 'Price USD').fill('28.50');
    await page.getByRole('button', { name: 'Add image' }).click();
    await field(page, 'Image 1 URL').fill('https://cdn.example.com/linen-tee.jpg');
    await field(page, 'Image 1 alt text').fill('A linen tee, folded');
    // Published to the demo sales channel: the default channel is ticked for a new product.
    expect(await page.getByRole('checkbox', { name: 'Default', exact: true }).isChecked()).toBe(true);
    await checkPage(page, 'product-new');

    await page.getByRole('button', { name: 'Create product' }).click();
    await page.waitForURL(/\/admin\/products\/prod_/);
    productId = page.url().split('/').pop() ?? '';
    await page.getByRole('heading', { name: title }).waitFor();
    await checkPage(page, 'product-detail');

    const created = await adminProduct(productId);
    expect(created.status).toBe('active');
    expect(created.salesChannelIds.length).toBe(1);
    expect(created.images).toEqual([{ url: 'https://cdn.example.com/linen-tee.jpg', alt: 'A linen tee, folded' }]);

    const shop = createBackroomClient({ baseUrl: s.server.baseUrl, publishableKey, retries: 0 });
    const eur = (
      await shop.GET('/v1/store/products/{idOrHandle}', {
        params: { path: { idOrHandle: productId }, query: { currency: 'EUR' } },
      })
    ).data;
    expect(eur.title).toBe(title);
    expect(eur.options).toEqual([{ name: 'Size', values: ['S', 'M'] }]);
    expect(
      eur.variants.map((v) => ({ sku: v.sku, options: v.options, price: v.price, compareAt: v.compareAtPrice })),
    ).toEqual([
      {
        sku: 'BLT-S',
        options: { Size: 'S' },
        price: { amount: 2490, currency: 'EUR' },
        compareAt: { amount: 2990, currency: 'EUR' },
      },
      { sku: 'BLT-M', options: { Size: 'M' }, price: { amount: 2600, currency: 'EUR' }, compareAt: null },
    ]);
    const usd = (
      await shop.GET('/v1/store/products/{idOrHandle}', {
        params: { path: { idOrHandle: productId }, query: { currency: 'USD' } },
      })
    ).data;
    expect(usd.variants.map((v) => v.price)).toEqual([
      { amount: 2750, currency: 'USD' },
      { amount: 2850, currency: 'USD' },
    ]);
    // And in the storefront's list, found by its title.
    const list = (await shop.GET('/v1/store/products', { params: { query: { q: 'linen tee', currency: 'EUR' } } }))
      .data;
    expect(list.data.map((p) => p.id)).toContain(productId);
    await page.context().close();
  });

  it('shows a duplicate SKU next to its field, and saves nothing', async () => {
    const page = await newPage(s.browser);
    await signInPage(page, s.server, token, '/admin/products/new');
    await field(page, 'Title').fill('Duplicate SKU product');
    await field(page, 'SKU').fill('BLT-S');
    await page.getByRole('button', { name: 'Create product' }).click();
    const sku = field(page, 'SKU');
    await expect.poll(() => sku.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('is already taken').first().isVisible()).toBe(true);
    const { data } = await api().GET('/v1/admin/products', { params: { query: { q: 'Duplicate SKU product' } } });
    expect(data.data.filter((p) => p.title === 'Duplicate SKU product')).toEqual([]);
    await page.context().close();
  });

  it('the same product saved in one page shows the second page the conflict, and keeps the first change', async () => {
    const [first, second] = await Promise.all([newPage(s.browser), newPage(s.browser)]);
    for (const page of [first, second]) {
      await signInPage(page, s.server, token, `/admin/products/${productId}`);
      await page.getByRole('heading', { name: title }).waitFor();
    }
    const before = (await adminProduct(productId)).version;
    await field(first, 'Subtitle').fill('Saved by the first');
    await field(second, 'Subtitle').fill('Saved by the second');
    await first.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await adminProduct(productId)).version).toBeGreaterThan(before);
    await second.getByRole('button', { name: 'Save' }).click();
    await second.getByRole('alert').filter({ hasText: 'Changed by someone else' }).waitFor();
    expect((await adminProduct(productId)).subtitle).toBe('Saved by the first');
    // The browser logs the refused save (412) as a failed resource load: that is the conflict under test.
    await checkPage(second, 'product-detail-conflict', { allowConsoleErrors: [/status of 412/] });

    // Reload takes the saved product; the member decides again from it.
    await second.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => field(second, 'Subtitle').inputValue()).toBe('Saved by the first');
    await first.context().close();
    await second.context().close();
  });

  it('a bulk price edit raises the selected products’ prices by 10 % through the API', async () => {
    const page = await newPage(s.browser);
    await signInPage(page, s.server, token, '/admin/products');
    await page.getByRole('heading', { name: 'Products' }).waitFor();
    await field(page, 'Search products').fill('BLT-');
    await page.getByRole('link', { name: title }).first().waitFor();
    await checkPage(page, 'product-list');
    await page
      .getByRole('checkbox', { name: `Select ${productId}` })
      .first()
      .check();
    await page.getByRole('button', { name: 'Edit prices' }).click();
    const dialog = page.getByRole('dialog');
    await field(dialog, 'Currency').selectOption('EUR');
    await field(dialog, 'Change').selectOption('increase');
    await field(dialog, 'By').selectOption('percent');
    await field(dialog, 'Percent').fill('10');
    await dialog.getByRole('button', { name: 'Apply 2 prices' }).waitFor();
    await checkPage(page, 'product-bulk-price', {
      ready: async (p) => {
        await p.getByRole('dialog').getByRole('button', { name: 'Apply 2 prices' }).waitFor();
      },
    });
    // 24.90 + 10 % = 27.39, which is not below the 29.90 compare-at price; 26.00 → 28.60.
    await dialog.getByRole('button', { name: 'Apply 2 prices' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => pricesOf(productId, 'EUR'))
      .toEqual([
        { sku: 'BLT-S', amount: 2739, compareAt: 2990 },
        { sku: 'BLT-M', amount: 2860, compareAt: null },
      ]);
    // USD untouched.
    expect((await pricesOf(productId, 'USD')).map((p) => p.amount)).toEqual([2750, 2850]);
    await page.context().close();
  });

  it('categories: create one under another and move it; collections: create one and add the product', async () => {
    const page = await newPage(s.browser);
    await signInPage(page, s.server, token, '/admin/categories');
    await page.getByRole('heading', { name: 'Categories' }).waitFor();
    await page.getByRole('button', { name: 'New category' }).click();
    let dialog = page.getByRole('dialog');
    await field(dialog, 'Name').fill('Linen');
    await field(dialog, 'Parent').selectOption({ label: 'Clothing' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const categories = async () => (await api().GET('/v1/admin/categories')).data.data;
    await expect.poll(async () => (await categories()).find((c) => c.name === 'Linen')?.parentId).toBeTruthy();
    await checkPage(page, 'categories');

    // Move it to the top level.
    await page.getByRole('button', { name: 'Edit Linen' }).click();
    dialog = page.getByRole('dialog');
    await field(dialog, 'Parent').selectOption('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await categories()).find((c) => c.name === 'Linen')?.parentId).toBeNull();

    await page.goto(`${s.server.baseUrl}/admin/collections`);
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    await page.getByRole('button', { name: 'New collection' }).click();
    dialog = page.getByRole('dialog');
    await field(dialog, 'Title').fill('Linen season');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const collection = async () =>
      (await api().GET('/v1/admin/collections')).data.data.find((c) => c.title === 'Linen season');
    await expect.poll(async () => (await collection())?.id).toBeTruthy();
    const id = (await collection())?.id ?? '';
    await page.locator(`button[aria-controls="collection-${id}"]`).click();
    await field(page, 'Add a product to Linen season').fill('Browser Linen');
    await page.getByRole('button', { name: `Add ${title}` }).click();
    await expect.poll(async () => (await collection())?.productIds).toEqual([productId]);
    await page.getByRole('button', { name: `Remove ${title} from Linen season` }).waitFor();
    await checkPage(page, 'collections');

    // Delete the collection (asked first; the list reloads), then the category.
    await page.getByRole('button', { name: 'Delete Linen season' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    // The open dialog hides the page from the accessibility tree: wait for it to close before looking at the list.
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete Linen season' }).waitFor({ state: 'detached' });
    await expect.poll(collection).toBeUndefined();
    await page.goto(`${s.server.baseUrl}/admin/categories`);
    await page.getByRole('button', { name: 'Delete Linen', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete Linen', exact: true }).waitFor({ state: 'detached' });
    await expect.poll(async () => (await categories()).find((c) => c.name === 'Linen')).toBeUndefined();
    await page.context().close();
  });
});
