import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { demoOwner, ownerSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { checkPage } from './support/checks.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * Every page of the admin app, as the demo owner with the demo shop (plus an order and a customer), checked at desktop
 * and phone size: axe 0 serious/critical, no sideways scroll, no CSP violation or console error; screenshots for
 * review in test-results/screenshots/.
 */

/** The page has drawn its heading and finished its first loads (no "Loading" spinner left). */
async function pageReady(page: Page) {
  await page.locator('h1').first().waitFor({ state: 'visible', timeout: 20_000 });
  await page
    .locator('[role="status"]', { hasText: /^Loading/ })
    .first()
    .waitFor({ state: 'hidden', timeout: 20_000 });
}

describeBrowser('every admin page passes the page checks', () => {
  const s = useBrowserSuite();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const owner = await ownerSession(s.server);
    const api = s.server.api(owner.token);
    const order = await guestCheckout(s.server, { email: 'pages@example.com', quantity: 2 });
    ids.order = order.id;
    await s.server.api().POST('/v1/store/customers', {
      body: {
        email: 'grace@example.com',
        password: 'a long customer password 1',
        firstName: 'Grace',
        lastName: 'Hopper',
      },
    });
    const { data: customers } = await api.GET('/v1/admin/customers', { params: { query: { q: 'grace@example.com' } } });
    ids.customer = customers.data[0]?.id ?? '';
    const { data: products } = await api.GET('/v1/admin/products', { params: { query: { limit: 1 } } });
    ids.product = products.data[0]?.id ?? '';
    const { data: items } = await api.GET('/v1/admin/inventory/items', { params: { query: { limit: 1 } } });
    ids.item = items.data[0]?.id ?? '';
    expect(ids).toMatchObject({
      order: expect.any(String),
      customer: expect.stringMatching(/./),
      product: expect.stringMatching(/./),
      item: expect.stringMatching(/./),
    });
  }, 120_000);

  /** Opens `path` in a fresh tab, signed in as the owner (or signed out), and runs the checks. */
  async function visit(name: string, path: () => string, signedIn = true) {
    const page = await newPage(s.browser);
    try {
      if (signedIn) await signInPage(page, s.server, (await ownerSession(s.server)).token, `/admin${path()}`);
      else await page.goto(`${s.server.baseUrl}/admin${path()}`);
      await pageReady(page);
      await checkPage(page, name, { ready: pageReady });
    } finally {
      await page.context().close();
    }
  }

  it('sign-in page (signed out)', () => visit('sign-in', () => '/sign-in', false));
  it('forgot-password page', () => visit('forgot-password', () => '/forgot-password', false));
  it('reset-password page with a bad token', () => visit('reset-password', () => '/reset-password?token=bogus', false));
  it('accept-invite page with a bad token', () => visit('accept-invite', () => '/accept-invite?token=bogus', false));
  it('a signed-out visit to an app page lands on sign-in', async () => {
    const page = await newPage(s.browser);
    try {
      await page.goto(`${s.server.baseUrl}/admin/orders`);
      await page.waitForURL(/\/admin\/sign-in/);
    } finally {
      await page.context().close();
    }
  });

  it('home', () => visit('home', () => '/'));
  it('orders list', () => visit('orders', () => '/orders'));
  it('order detail', () => visit('order-detail', () => `/orders/${ids.order}`));
  it('packing slip', () => visit('packing-slip', () => `/orders/${ids.order}/packing-slip`));
  it('products list', () => visit('products', () => '/products'));
  it('new product', () => visit('product-new', () => '/products/new'));
  it('product detail', () => visit('product-detail', () => `/products/${ids.product}`));
  it('categories', () => visit('categories', () => '/categories'));
  it('collections', () => visit('collections', () => '/collections'));
  it('inventory list', () => visit('inventory', () => '/inventory'));
  it('inventory item', () => visit('inventory-item', () => `/inventory/${ids.item}`));
  it('customers list', () => visit('customers', () => '/customers'));
  it('customer detail', () => visit('customer-detail', () => `/customers/${ids.customer}`));
  it('imports and exports', () => visit('imports', () => '/imports'));
  it('account', () => visit('account', () => '/account'));
  it('promotions', () => visit('promotions', () => '/promotions'));
  it('settings: regions, taxes and shipping', () => visit('settings-regions', () => '/settings/regions'));
  it('settings: payments', () => visit('settings-payments', () => '/settings/payments'));
  it('settings: channels and API keys', () => visit('settings-channels', () => '/settings/channels'));
  it('settings: team', () => visit('settings-team', () => '/settings/team'));
  it('settings: webhooks', () => visit('settings-webhooks', () => '/settings/webhooks'));
  it('settings: audit log', () => visit('settings-audit-log', () => '/settings/audit-log'));
  it('settings: system', () => visit('settings-system', () => '/settings/system'));
  it('not found', () => visit('not-found', () => '/no-such-page'));

  it('command palette (Ctrl-K)', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, (await ownerSession(s.server)).token, '/admin/');
      await pageReady(page);
      await page.keyboard.press('Control+k');
      await page.getByRole('dialog').waitFor({ state: 'visible' });
      await checkPage(page, 'command-palette');
    } finally {
      await page.context().close();
    }
  });

  // Last: it signs the owner in through the page, not the API, so the owner's API session above stays usable.
  it('sign-in with MFA asks for the code after the password', async () => {
    const page = await newPage(s.browser);
    try {
      await page.goto(`${s.server.baseUrl}/admin/sign-in`);
      await page.getByLabel(/email/i).fill(demoOwner.email);
      await page.getByLabel(/password/i).fill(demoOwner.password);
      await page.getByRole('button', { name: /sign in/i }).click();
      await page.getByLabel(/code/i).first().waitFor({ state: 'visible' });
      await checkPage(page, 'sign-in-code', { allowConsoleErrors: [/status of 401/] });
    } finally {
      await page.context().close();
    }
  });
});
