import { beforeAll, expect, it } from 'vitest';
import { createStaff, ownerSession, type StaffSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { checkPage } from './support/checks.js';
import { settled } from './support/settled.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The promotions journey: a 10 % code created (and edited) in the browser gives a guest checkout (through the storefront API) its
 * discount; disabled in the browser, the same code is refused in a new cart (rejected, nothing taken off).
 */
describeBrowser('promotions', () => {
  const s = useBrowserSuite();
  let owner: StaffSession;
  const code = `SAVE${String(Date.now()).slice(-6)}`;

  beforeAll(async () => {
    owner = await ownerSession(s.server);
  }, 120_000);

  async function cartWithCode() {
    const shop = s.server.api();
    const { data: product } = await shop.GET('/v1/store/products/{idOrHandle}', {
      params: { path: { idOrHandle: 'organic-cotton-t-shirt' }, query: { currency: 'EUR' } },
    });
    const variant = product.variants[0];
    if (!variant) throw new Error('no variant');
    const { data: cart } = await shop.POST('/v1/store/carts', { body: { countryCode: 'DE' } });
    const path = { id: cart.id };
    await shop.POST('/v1/store/carts/{id}/lines', { params: { path }, body: { variantId: variant.id, quantity: 1 } });
    await shop.POST('/v1/store/carts/{id}/promo-codes', { params: { path }, body: { code } });
    return (await shop.GET('/v1/store/carts/{id}', { params: { path } })).data;
  }

  it('creates a code that discounts a checkout, and disables it so the code is refused', async () => {
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, owner.token, '/admin/promotions');
      await settled(page);
      await checkPage(page, 'promotions-list', { ready: settled });

      await page.getByRole('button', { name: 'New promotion' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Browser test 10 %');
      await dialog.getByRole('textbox', { name: 'Code', exact: true }).fill(code);
      await dialog.getByRole('textbox', { name: 'Percent off', exact: true }).fill('10');
      await dialog.getByRole('textbox', { name: 'Uses per customer', exact: true }).fill('2');
      await checkPage(page, 'promotions-new');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      const row = page.locator('main').getByText(code).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });

      // Edited: a limit in total.
      await page.getByRole('button', { name: 'Edit Browser test 10 %' }).first().click();
      const edit = page.getByRole('dialog');
      await edit.getByRole('textbox', { name: 'Uses in total', exact: true }).fill('50');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'hidden', timeout: 15_000 });
      await page.locator('main tbody').getByText('50 in total, 2 per customer').waitFor({ timeout: 15_000 });

      // A guest checkout with the code gets 10 % off.

      const order = await guestCheckout(s.server, { promoCode: code });
      expect(order.discountTotal.amount).toBeGreaterThan(0);
      expect(Math.abs(order.discountTotal.amount - order.subtotal.amount / 10)).toBeLessThanOrEqual(1);

      // The list shows the use after a reload.
      await page.reload();
      await settled(page);
      await expect
        .poll(async () => (await page.locator('main').textContent()) ?? '', { timeout: 15_000 })
        .toMatch(/1 \/ 50/);

      await page.getByRole('button', { name: 'Disable Browser test 10 %' }).first().click();
      await page.getByRole('button', { name: 'Enable Browser test 10 %' }).first().waitFor({ timeout: 15_000 });
      await page.locator('main tbody').getByText('Disabled', { exact: true }).first().waitFor({ timeout: 15_000 });
      await checkPage(page, 'promotions-disabled', { ready: settled });

      const cart = await cartWithCode();
      expect(cart.totals.discountTotal.amount).toBe(0);
      expect(cart.promotions.rejected.map((r) => r.code)).toContain(code);
    } finally {
      await page.close();
    }
  });

  it('shows a read-only member the promotions without any button to change them', async () => {
    const reader = await createStaff(s.server, 'role_read_only', { ownerToken: owner.token });
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, reader.token, '/admin/promotions');
      await settled(page);
      await page.locator('main').getByText('WELCOME10').first().waitFor({ timeout: 15_000 });
      for (const name of [/New promotion/, /^Edit /, /^Disable /, /^Enable /]) {
        expect(await page.getByRole('button', { name }).count()).toBe(0);
      }
    } finally {
      await page.close();
    }
  }, 120_000);
});
