import { readFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import { ownerSession, type StaffSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { checkPage } from './support/checks.js';
import { settled } from './support/settled.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The customers journey: a customer registered through the storefront API is found by name, opened, given a phone
 * number (saved with If-Match), found again by that phone and by their email, disabled (their session ends) and
 * enabled, exported (the downloaded JSON holds their profile and order) and erased behind the typed-email
 * confirmation (the API then shows placeholders). The command palette finds an order by number and a customer by email, with the keyboard only.
 */
describeBrowser('customers and the command palette', () => {
  const s = useBrowserSuite();
  let owner: StaffSession;
  const email = `grace.${Date.now()}@example.com`;
  const password = 'a long customer password 7';
  const phone = `+49 30 ${String(Date.now()).slice(-7)}`;
  let customerId = '';
  let orderNumber = 0;

  beforeAll(async () => {
    owner = await ownerSession(s.server);
    const shop = s.server.api();
    const { data: created } = await shop.POST('/v1/store/customers', {
      body: { email, password, firstName: 'Grace', lastName: 'Hopper' },
    });
    customerId = created.id;
    // An order placed with the customer's email (a guest checkout): theirs in the export, anonymised by the erase.
    const order = await guestCheckout(s.server, { email });
    orderNumber = order.number;
  }, 120_000);

  it('finds the customer by name, phone and email; edits, disables and enables, exports and erases them', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, owner.token, '/admin/customers');
      await settled(page);
      await checkPage(page, 'customers-list', { ready: settled });

      const search = page.getByLabel('Search customers');
      const row = page
        .locator('main')
        .getByRole('link', { name: /Grace Hopper/ })
        .first();
      await search.fill('hopper');
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      await expect.poll(() => page.url()).toContain('q=hopper');
      await row.click();
      await page.getByRole('heading', { level: 1, name: 'Grace Hopper' }).waitFor({ timeout: 15_000 });
      await checkPage(page, 'customer-detail', {
        ready: async (p) => {
          await p.getByRole('heading', { level: 1, name: 'Grace Hopper' }).waitFor();
        },
      });

      // The profile form: a phone number saved (with If-Match), then the customer found by it and by their email.
      const api = s.server.api(owner.token);
      const customerNow = async () =>
        (await api.GET('/v1/admin/customers/{id}', { params: { path: { id: customerId } } })).data;
      await page.getByLabel('Phone', { exact: true }).fill(phone);
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(async () => (await customerNow()).phone, { timeout: 15_000 }).toBe(phone);
      await page.getByText('Unsaved changes').waitFor({ state: 'hidden' });
      await page.getByRole('link', { name: '← Customers' }).click();
      // Each search starts from an empty result, so the row seen is the new search's answer, not the last one's.
      const findBy = async (text: string) => {
        await search.fill('nobody-by-this-name');
        await page.getByText('Nothing matches').waitFor({ timeout: 15_000 });
        await search.fill(text);
        await row.waitFor({ state: 'visible', timeout: 15_000 });
      };
      await findBy(phone.slice(-7));
      await findBy(email.toUpperCase());
      await row.click();
      await page.getByRole('heading', { level: 1, name: 'Grace Hopper' }).waitFor({ timeout: 15_000 });

      // Disable ends their session; enable lets them sign in again.
      const { token: customerToken } = await s.server.api().loginCustomer({ email, password });
      await page.getByRole('button', { name: 'Disable' }).click();
      await expect.poll(async () => (await customerNow()).status, { timeout: 15_000 }).toBe('disabled');
      const me = await s.server
        .api(customerToken)
        .GET('/v1/store/customers/me')
        .then(() => 200)
        .catch((err: { status?: number }) => err.status);
      expect(me).toBe(401);
      await page.getByRole('button', { name: 'Enable' }).click();
      await expect.poll(async () => (await customerNow()).status, { timeout: 15_000 }).toBe('enabled');
      await page.getByRole('button', { name: 'Disable' }).waitFor();

      // Export: the download is the JSON of everything held, the guest order with their email included.
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 20_000 }),
        page.getByRole('button', { name: 'Export data' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`customer-${customerId}.json`);
      const path = await download.path();
      const doc = JSON.parse(await readFile(path, 'utf8'));
      expect(doc).toMatchObject({ customerId, profile: { email, firstName: 'Grace', lastName: 'Hopper' } });
      expect(doc.orders.map((o: { number: number }) => o.number)).toContain(orderNumber);

      // Erase: the confirm button waits for the typed email.
      await page.getByRole('button', { name: 'Erase personal data' }).click();
      const dialog = page.getByRole('dialog', { name: /Erase this customer/ });
      await dialog.waitFor();
      const confirm = dialog.getByRole('button', { name: 'Erase for good' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByRole('textbox').fill('someone@else.example');
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByRole('textbox').fill(email.toUpperCase());
      await confirm.click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await page.getByText('Erased', { exact: true }).first().waitFor({ timeout: 15_000 });
      await checkPage(page, 'customer-erased', {
        ready: async (p) => {
          await p.getByText('Erased', { exact: true }).first().waitFor();
        },
      });

      // The API shows placeholders only; the order keeps its number but not the person.
      const after = await customerNow();
      expect(after).toMatchObject({
        erased: true,
        email: `erased-${customerId}@erased.invalid`,
        firstName: null,
        lastName: null,
        phone: null,
      });
      const { data: orders } = await api.GET('/v1/admin/orders', { params: { query: { q: String(orderNumber) } } });
      expect(orders.data[0]?.email).toMatch(/^erased-ord_.*@erased\.invalid$/);
    } finally {
      await page.context().close();
    }
  });

  it('the palette (Ctrl-K) finds an order by number, a customer by email and a product by SKU and by title, keyboard only', async () => {
    const other = `palette.${Date.now()}@example.com`;
    await s.server
      .api()
      .POST('/v1/store/customers', { body: { email: other, password: 'a long customer password 8' } });
    const order = await guestCheckout(s.server, { email: `palette-order.${Date.now()}@example.com` });
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, owner.token, '/admin/');
      await settled(page);

      await page.keyboard.press('Control+k');
      const palette = page.getByRole('dialog', { name: /Go to an order, product or customer/ });
      await palette.waitFor();
      await page.keyboard.type(`#${order.number}`);
      await palette.getByRole('option', { name: new RegExp(`Order #${order.number}`) }).waitFor({ timeout: 15_000 });
      await checkPage(page, 'command-palette', {
        ready: async (p) => {
          await p.getByRole('option', { name: new RegExp(`Order #${order.number}`) }).waitFor();
        },
      });
      await page.keyboard.press('Enter');
      await palette.waitFor({ state: 'hidden' });
      await expect.poll(() => page.url(), { timeout: 15_000 }).toContain(`/admin/orders/${order.id}`);

      await page.keyboard.press('Control+k');
      await palette.waitFor();
      await page.keyboard.type(other);
      await palette.getByRole('option', { name: new RegExp(other.replace(/\./g, '\\.')) }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/admin\/customers\/cus_/);
      await page.getByRole('heading', { level: 1, name: other }).waitFor({ timeout: 15_000 });

      // A product by one of its SKUs (the demo shop's cardigan, size L), then another by words of its title.
      await page.keyboard.press('Control+k');
      await palette.waitFor();
      await page.keyboard.type('DEMO-004-L');
      await palette.getByRole('option', { name: /Chunky Knit Cardigan/ }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await expect.poll(() => page.url(), { timeout: 15_000 }).toMatch(/\/admin\/products\/prod_/);
      await page.getByRole('heading', { level: 1, name: 'Chunky Knit Cardigan' }).waitFor({ timeout: 15_000 });

      await page.keyboard.press('Control+k');
      await palette.waitFor();
      await page.keyboard.type('stoneware');
      await palette.getByRole('option', { name: /Stoneware Coffee Mug/ }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Stoneware Coffee Mug' }).waitFor({ timeout: 15_000 });
    } finally {
      await page.context().close();
    }
  });
});
