import { beforeAll, expect, it } from 'vitest';
import { ownerSession, type StaffSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage } from './support/browser.js';
import { guestCheckout } from './support/checkout.js';
import { checkPage } from './support/checks.js';
import { settled } from './support/settled.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The first journey: a new shop's region (two countries, tax-exclusive EUR), a tax rate and a flat shipping
 * option are set up in the browser, the preview shows what a sample cart pays; then a guest checkout through the
 * storefront API in that region, with a publishable key and a 1 € promotion code (made on the Promotions page), gets
 * the expected tax and shipping. The publishable key is made on the Channels & API keys page: the whole set-up is
 * done in the browser.
 */
describeBrowser('settings: regions, taxes & shipping', () => {
  const s = useBrowserSuite();
  let owner: StaffSession;
  const suffix = String(Date.now()).slice(-6);
  const regionName = `Microstates ${suffix}`;
  const code = `MICRO${suffix}`;

  beforeAll(async () => {
    owner = await ownerSession(s.server);
  }, 120_000);

  it('sets up a region, a tax rate and a shipping option; a guest checkout there gets the expected totals', async () => {
    const page = await newPage(s.browser);
    let publishableKey = '';
    try {
      await signInPage(page, s.server, owner.token, '/admin/settings/regions');
      await settled(page);
      await checkPage(page, 'settings-regions', { ready: settled });

      // A region with two countries.
      await page.getByRole('button', { name: 'New region' }).click();
      let dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill(regionName);
      await dialog.getByLabel('Currency').fill('eur');
      await dialog.getByLabel('Countries').fill('mc, sm');
      await checkPage(page, 'settings-regions-new');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      const card = page.locator('section', { has: page.getByRole('heading', { name: regionName }) });
      await card.getByText('Countries: MC, SM').waitFor({ timeout: 15_000 });

      // A tax rate for one of them.
      await page.getByRole('button', { name: 'New tax rate' }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByLabel('Country').fill('MC');
      await dialog.getByLabel('Name').fill('TVA');
      await dialog.getByLabel('Rate (%)').fill('20');
      await checkPage(page, 'settings-regions-tax-rate');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await page.getByRole('row', { name: /MC\s+TVA\s+20%/ }).waitFor({ timeout: 15_000 });

      // A flat shipping option, free from 500 €.
      await card.getByRole('button', { name: `Add shipping option to ${regionName}` }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill('Courier');
      const from = dialog.getByLabel('Ships from');
      await expect.poll(() => from.locator('option').count(), { timeout: 15_000 }).toBeGreaterThan(1);
      await from.selectOption({ index: 1 });
      await dialog.getByLabel('Price').selectOption('free_above');
      await dialog.getByLabel('Amount (EUR)').fill('5');
      await dialog.getByLabel('Free from (EUR)').fill('500');
      await checkPage(page, 'settings-regions-shipping-option');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await card.getByRole('row', { name: /Courier/ }).waitFor({ timeout: 15_000 });

      // The preview: 100 € to Monaco, 20 % → tax 20 + shipping tax 1, shipping 6 with tax, total 126.
      await card.getByLabel('Subtotal (EUR)').fill('100');
      await card.getByLabel('Weight (g)').fill('800');
      await card.getByRole('button', { name: 'Preview' }).click();
      const previewRow = card.getByRole('table', { name: 'Preview' }).getByRole('row', { name: /Courier/ });
      await previewRow.waitFor({ timeout: 15_000 });
      await expect.poll(() => previewRow.textContent()).toMatch(/6\.00[\s\S]*21\.00[\s\S]*126\.00/);
      await checkPage(page, 'settings-regions-preview', { ready: settled });

      // A weight-band option shows in the preview too; deleted, it goes (the checkout below takes the only option).
      await card.getByRole('button', { name: `Add shipping option to ${regionName}` }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill('Parcel');
      await dialog.getByLabel('Ships from').selectOption({ index: 1 });
      await dialog.getByLabel('Price').selectOption('weight_bands');
      await dialog.getByLabel('Weight bands').fill('1000 = 3\n5000 = 8.50');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await card.getByRole('row', { name: /Parcel/ }).waitFor({ timeout: 15_000 });
      await card.getByRole('button', { name: 'Preview' }).click();
      const parcelRow = card.getByRole('table', { name: 'Preview' }).getByRole('row', { name: /Parcel/ });
      await parcelRow.waitFor({ timeout: 15_000 });
      await expect.poll(() => parcelRow.textContent()).toMatch(/3\.60[\s\S]*20\.60[\s\S]*123\.60/);
      await card.getByRole('button', { name: 'Delete Parcel' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await expect
        .poll(
          () =>
            card
              .getByRole('table', { name: `Shipping options of ${regionName}` })
              .getByRole('row', { name: /Parcel/ })
              .count(),
          { timeout: 15_000 },
        )
        .toBe(0);

      // A 1 € code on the Promotions page.
      await page.goto(`${s.server.baseUrl}/admin/promotions`);
      await settled(page);
      await page.getByRole('button', { name: 'New promotion' }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill(`Micro ${suffix}`);
      await dialog.getByRole('textbox', { name: 'Code' }).fill(code);
      await dialog.getByLabel('Discount type').selectOption('fixed');
      await dialog.getByLabel('Amount off').fill('1');
      await dialog.getByLabel('Currency').selectOption('EUR');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await page.locator('main').getByText(code).first().waitFor({ timeout: 15_000 });

      // A publishable key for the storefront on the Channels & API keys page (shown once).
      await page.goto(`${s.server.baseUrl}/admin/settings/channels`);
      await settled(page);
      await page.getByRole('button', { name: 'New publishable key' }).click();
      dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(`Micro storefront ${suffix}`);
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const shown = page.getByRole('dialog', { name: /created/ });
      await shown.waitFor({ timeout: 15_000 });
      publishableKey = await shown.getByRole('textbox', { name: 'Key' }).inputValue();
      await shown.getByRole('button', { name: 'Done' }).click();
      expect(publishableKey).toMatch(/^pk_/);
    } finally {
      await page.close();
    }

    const order = await guestCheckout(s.server, { countryCode: 'MC', promoCode: code, publishableKey });
    const subtotal = order.subtotal.amount;
    expect(order.subtotal.currency).toBe('EUR');
    expect(order.discountTotal.amount).toBe(100);
    expect(order.shippingTotal.amount).toBe(600); // 5 € + 20 %
    const lineTax = Math.round(((subtotal - 100) * 20) / 100);
    expect(order.taxTotal.amount).toBe(lineTax + 100);
    expect(order.total.amount).toBe(subtotal - 100 + lineTax + 600);
  }, 240_000);
});
