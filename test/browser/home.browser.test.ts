import { beforeAll, expect, it } from 'vitest';
import { createStaff, signInPage, staffToken } from './support/auth.js';
import { describeBrowser, newPage, problemsOf } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * Home in the admin app: the owner's dashboard is open; a guest checkout made through the storefront API shows up in
 * the orders count, the sales and the activity — without a reload (the dashboard stream) — and every number is the
 * API's. The backlog cards open the orders list filtered to the orders they count.
 */
describeBrowser('admin home', () => {
  const s = useBrowserSuite();
  let token: string;

  const dashboard = async () => (await s.server.api(token).GET('/v1/admin/dashboard')).data;
  const eur = async () => {
    const row = (await dashboard()).sales.find((r) => r.currency === 'EUR');
    if (!row) throw new Error('no EUR row on the dashboard');
    return row;
  };

  beforeAll(async () => {
    token = (await staffToken(s.server)).token;
  });

  it('shows a guest order placed through the API without a reload: orders, sales, backlog and activity', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, token, '/admin/');
      await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
      await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 15_000 }).toContain('Live');
      const before = await eur();
      await expect.poll(() => page.getByTestId('orders-today-EUR').textContent()).toBe(String(before.today.orders));
      const capture0 = (await dashboard()).awaitingCapture.count;
      // A marker that a reload would wipe out.
      await page.evaluate('window.__stillHere = true');

      const email = `home-${Date.now()}@example.com`;
      const order = await guestCheckout(s.server, { email, quantity: 2 });
      const after = await eur();
      expect(after.today.orders).toBe(before.today.orders + 1);
      expect(after.today.sales.amount).toBe(before.today.sales.amount + order.total.amount);

      await expect
        .poll(() => page.getByTestId('orders-today-EUR').textContent(), { timeout: 10_000 })
        .toBe(String(after.today.orders));
      const salesText = await page.getByTestId('sales-today-EUR').textContent();
      const shown = await page.evaluate(
        `new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(${after.today.sales.amount} / 100)`,
      );
      expect(salesText).toBe(shown);
      await expect.poll(() => page.getByTestId('awaiting-capture').textContent()).toContain(String(capture0 + 1));
      const line = page
        .getByTestId('activity')
        .getByRole('link', { name: new RegExp(`Order #${order.number} placed by ${email}`) });
      await line.waitFor();
      expect(await page.evaluate('window.__stillHere === true')).toBe(true);

      await checkPage(page, 'home');

      // The activity line opens the order.
      await line.click();
      await page.waitForURL(`**/admin/orders/${order.id}`);
    } finally {
      await page.context().close();
    }
  });

  it('opens the orders list filtered to exactly the orders each backlog card counts', async () => {
    const page = await newPage(s.browser);
    try {
      const data = await dashboard();
      await signInPage(page, s.server, token, '/admin/');
      await page.getByTestId('awaiting-capture').click();
      await page.waitForURL(/\/admin\/orders\?/);
      let url = new URL(page.url());
      expect(url.searchParams.get('status')).toBe('placed');
      expect(url.searchParams.get('paymentStatus')).toBe('authorized');
      expect(data.awaitingCapture.filter).toEqual({ status: ['placed'], paymentStatus: ['authorized'] });

      await page.goBack();
      await page.getByTestId('awaiting-fulfilment').click();
      await page.waitForURL(/fulfillmentStatus=/);
      url = new URL(page.url());
      for (const [key, values] of Object.entries(data.awaitingFulfillment.filter)) {
        expect(url.searchParams.get(key)).toBe(values.join(','));
      }
      // The list shows the applied filter in its selects (a combined state too), not "All".
      await expect
        .poll(() => page.getByLabel('Fulfilment').inputValue())
        .toBe(data.awaitingFulfillment.filter.fulfillmentStatus?.join(','));
      await expect
        .poll(() => page.getByLabel('Payment').inputValue())
        .toBe(data.awaitingFulfillment.filter.paymentStatus?.join(','));
    } finally {
      await page.context().close();
    }
  });

  it('shows no low-stock card to a member who may not read inventory, and no numbers to one who may not read orders', async () => {
    const support = await createStaff(s.server, 'role_support');
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, support.token, '/admin/');
      await page.getByRole('heading', { name: 'Recent activity' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Low stock' }).count()).toBe(0);
      // A member who may not read orders gets no numbers, and the page asks the API for none (no refusal logged).
      const { data: role } = await s.server
        .api(token)
        .POST('/v1/admin/roles', { body: { name: 'Catalogue only', permissions: ['catalog:read'] } });
      const catalog = await createStaff(s.server, role.id);
      const other = await newPage(s.browser);
      try {
        await signInPage(other, s.server, catalog.token, '/admin/');
        await other.getByText('Your role cannot see orders').waitFor();
        expect(await other.getByTestId('live-state').count()).toBe(0);
        expect(problemsOf(other).consoleErrors.filter((e) => !/favicon\.ico/.test(e))).toEqual([]);
      } finally {
        await other.context().close();
      }
      const owner = await newPage(s.browser);
      try {
        await signInPage(owner, s.server, token, '/admin/');
        await owner.getByRole('heading', { name: 'Low stock' }).waitFor();
        // The demo shop's cardigan has no stock: it is listed, and the card opens the inventory's low-stock view.
        await owner
          .getByTestId('low-stock')
          .getByRole('link', { name: /Chunky Knit Cardigan/ })
          .first()
          .waitFor();
        await owner.getByRole('link', { name: /in Inventory$/ }).click();
        await owner.waitForURL(/\/admin\/inventory\?lowStock=true/);
        await owner.getByRole('heading', { name: 'Inventory', level: 1 }).waitFor();
      } finally {
        await owner.context().close();
      }
    } finally {
      await page.context().close();
    }
  });
});
