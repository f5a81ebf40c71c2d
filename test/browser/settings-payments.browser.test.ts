import { beforeAll, expect, it } from 'vitest';
import { createStaff, ownerSession, type StaffSession, signInPage } from './support/auth.js';
import { describeBrowser, newPage, problemsOf } from './support/browser.js';
import { checkPage } from './support/checks.js';
import { settled } from './support/settled.js';
import { useBrowserSuite } from './support/suite.js';

/**
 * The payments settings journey, against the local fake gateways (BACKROOM_FAKE_GATEWAYS, which the harness turns
 * on): Stripe's keys entered in the browser (stored sealed; the page then says "set", never the value), the German
 * region set to offer Stripe and capture at checkout. The secret key is first rolled at the fake (as an owner rolls it in
 * Stripe's dashboard), so the environment's key is refused from then on and the checkout can only succeed with the
 * key typed into the page, then a Stripe checkout through the storefront API is placed and
 * captured; its webhooks and a dispute opened at the fake show on the page. No API response the page received, no
 * admin API answer and no page HTML ever contains a secret.
 */
describeBrowser('payments settings', () => {
  const s = useBrowserSuite();
  let owner: StaffSession;
  // The fake Stripe's credentials (src/fake-gateways/index.ts gives the server the first secret key through its
  // environment); the test rolls the secret key to a new one before typing it into the page.
  const envSecretKey = 'sk_test_backroom';
  const secretKey = `sk_test_dashboard_${Date.now()}`;
  const webhookSecret = 'whsec_backroom';
  const publishableKey = 'pk_test_backroom';
  const secrets = [envSecretKey, secretKey, webhookSecret];

  beforeAll(async () => {
    owner = await ownerSession(s.server);
  }, 120_000);

  /** Where the server's fake Stripe listens (it logs it when it starts). */
  function stripeUrl(): string {
    for (const line of s.server.log().split('\n')) {
      if (!line.includes('fake payment gateways started')) continue;
      const parsed = JSON.parse(line) as { stripe?: string };
      if (parsed.stripe) return parsed.stripe;
    }
    throw new Error('the server did not log its fake Stripe');
  }

  async function stripeCheckout() {
    const shop = s.server.api();
    const { data: product } = await shop.GET('/v1/store/products/{idOrHandle}', {
      params: { path: { idOrHandle: 'organic-cotton-t-shirt' }, query: { currency: 'EUR' } },
    });
    const variant = product.variants[0];
    if (!variant) throw new Error('no variant');
    const { data: cart } = await shop.POST('/v1/store/carts', { body: { countryCode: 'DE' } });
    const path = { id: cart.id };
    await shop.POST('/v1/store/carts/{id}/lines', { params: { path }, body: { variantId: variant.id, quantity: 1 } });
    await shop.PATCH('/v1/store/carts/{id}', {
      params: { path },
      body: {
        email: `stripe-${Date.now()}@example.com`,
        shippingAddress: {
          firstName: 'Ada',
          lastName: 'Lovelace',
          line1: 'Unter den Linden 1',
          city: 'Berlin',
          postalCode: '10117',
          countryCode: 'DE',
        },
      },
    });
    const { data: options } = await shop.GET('/v1/store/carts/{id}/shipping-options', { params: { path } });
    const option = options.data[0];
    if (!option) throw new Error('no shipping option');
    await shop.POST('/v1/store/carts/{id}/shipping-method', { params: { path }, body: { optionId: option.id } });
    const { data: pay } = await shop.POST('/v1/store/carts/{id}/payment', {
      params: { path },
      body: { provider: 'stripe' },
    });
    const clientData = (pay as { payment: { clientData: Record<string, string> | null } }).payment.clientData ?? {};
    expect(clientData.publishableKey).toBe(publishableKey);
    const clientSecret = clientData.clientSecret ?? '';
    const intentId = clientSecret.split('_secret_')[0] ?? '';
    // Stripe.js's part, as the buyer's browser would do it, at the fake.
    const confirm = await fetch(`${stripeUrl()}/v1/payment_intents/${intentId}/confirm`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publishableKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_method: 'pm_card_visa', client_secret: clientSecret }).toString(),
    });
    await confirm.arrayBuffer();
    expect(confirm.status).toBe(200);
    const { data: placed } = await shop.POST('/v1/store/carts/{id}/complete', { params: { path } });
    return { placed, intentId };
  }

  it('configures Stripe and a region in the browser; a Stripe checkout then succeeds and no secret is ever shown', async () => {
    const page = await newPage(s.browser);
    const seen: string[] = [];
    page.on('response', (res) => {
      if (!res.url().includes('/v1/')) return;
      res.text().then(
        (t) => seen.push(t),
        () => {},
      );
    });
    const api = s.server.api(owner.token);
    try {
      await signInPage(page, s.server, owner.token, '/admin/settings/payments');
      await settled(page);
      const stripe = page.getByTestId('gateway-stripe');
      await stripe.getByText('environment variables').waitFor({ timeout: 15_000 });

      // The owner rolls the secret key at Stripe: the key in the environment is refused from now on.
      const rolled = await fetch(`${stripeUrl()}/_fake/keys/roll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secretKey }),
      });
      expect(await rolled.json()).toEqual({ secretKey });

      // Stripe's keys entered here: stored sealed, shown only as "Set".
      await page.getByRole('button', { name: 'Edit Stripe' }).click();
      const dialog = page.getByRole('dialog', { name: 'Stripe settings' });
      await dialog.getByLabel('Publishable key').fill(publishableKey);
      await dialog.getByLabel('Secret key').fill(secretKey);
      await dialog.getByLabel('Webhook signing secret').fill(webhookSecret);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await stripe.getByText('this dashboard').waitFor({ timeout: 15_000 });
      await expect.poll(() => stripe.getByTestId('secret-stripe-secretKey').textContent()).toBe('Set');
      const { data: gateways } = await api.GET('/v1/admin/payment-gateways');
      expect(gateways.data.find((g) => g.provider === 'stripe')).toMatchObject({
        active: true,
        source: 'database',
        secrets: { secretKey: true, webhookSecret: true },
        settings: { publishableKey },
      });

      // The German region: Stripe and manual payments only, captured at checkout.
      const { data: regions } = await api.GET('/v1/admin/regions');
      const region = regions.data.find((r) =>
        r.countries.some((c) => c === 'DE' || (c as { code?: string }).code === 'DE'),
      );
      if (!region) throw new Error('no region for DE');
      await page.getByRole('button', { name: `Edit payment settings of ${region.name}` }).click();
      const regionDialog = page.getByRole('dialog', { name: `Payments in ${region.name}` });
      await regionDialog.getByLabel('Every configured provider').uncheck();
      await regionDialog.getByLabel('Stripe').check();
      await regionDialog.getByLabel('Manual (pay later)').check();
      await regionDialog.getByLabel('Capture').selectOption('automatic');
      await regionDialog.getByRole('button', { name: 'Save' }).click();
      await regionDialog.waitFor({ state: 'hidden', timeout: 15_000 });
      await expect
        .poll(async () => (await api.GET('/v1/admin/regions/{id}', { params: { path: { id: region.id } } })).data)
        .toMatchObject({ paymentProviders: ['stripe', 'manual'], captureMethod: 'automatic' });
      await checkPage(page, 'settings-payments', { ready: settled });

      // A Stripe checkout through the storefront API, against the fake: placed, and captured at checkout.
      const { placed, intentId } = await stripeCheckout();
      expect(placed.order.status).toBe('placed');
      expect((placed as { payment?: { provider: string } }).payment?.provider).toBe('stripe');

      // The gateway's webhooks arrive and are applied; a dispute opened at the fake is recorded.
      await expect
        .poll(async () => (await api.GET('/v1/admin/payments/webhook-events')).data.data.length, { timeout: 30_000 })
        .toBeGreaterThan(0);
      const disputed = await fetch(`${stripeUrl()}/_fake/payment_intents/${intentId}/dispute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'fraudulent' }),
      });
      expect(disputed.status).toBe(200);
      await disputed.arrayBuffer();
      await expect
        .poll(async () => (await api.GET('/v1/admin/disputes')).data.data.map((d) => d.reason), { timeout: 30_000 })
        .toContain('fraudulent');

      await page.reload();
      await settled(page);
      await page
        .getByTestId('webhook-events')
        .getByText('payment_intent.succeeded')
        .first()
        .waitFor({ timeout: 15_000 });
      const disputes = page.getByTestId('disputes');
      await disputes.getByRole('cell', { name: 'fraudulent', exact: true }).waitFor({ timeout: 15_000 });
      await disputes.getByRole('link', { name: 'Open order' }).first().waitFor();
      await page.getByLabel('Status').selectOption('won');
      await page.getByText('No disputes').waitFor({ timeout: 15_000 });
      await page.getByLabel('Status').selectOption('needs_response');
      await disputes.getByRole('cell', { name: 'fraudulent', exact: true }).waitFor({ timeout: 15_000 });
      await checkPage(page, 'settings-payments-activity', { ready: settled });

      // No secret in the page, in anything the page received, or in the admin API's answers.
      const html = await page.content();
      const { data: after } = await api.GET('/v1/admin/payment-gateways');
      const answers = [html, ...seen, JSON.stringify(after)];
      for (const secret of secrets) {
        for (const text of answers) expect(text).not.toContain(secret);
      }
      expect(seen.length).toBeGreaterThan(3);
    } finally {
      await page.close();
    }
  }, 240_000);

  it('shows a member with payments:manage only the gateways, disputes and webhooks; the API refuses the rest', async () => {
    const { data: role } = await s.server
      .api(owner.token)
      .POST('/v1/admin/roles', { body: { name: 'Payments only', permissions: ['payments:manage'] } });
    const member = await createStaff(s.server, role.id);
    const page = await newPage(s.browser);
    try {
      await signInPage(page, s.server, member.token, '/admin/settings/payments');
      await settled(page);
      await page.getByRole('button', { name: 'Edit Stripe' }).waitFor();
      await page.getByRole('heading', { name: 'Disputes' }).waitFor();
      await page.getByRole('heading', { name: 'Webhook events' }).waitFor();
      // Regions need settings:manage and the differences events:read: not shown, and not asked for.
      expect(await page.getByRole('heading', { name: 'Regions' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Reconciliation differences' }).count()).toBe(0);
      expect(problemsOf(page).consoleErrors.filter((e) => !/favicon\.ico/.test(e))).toEqual([]);
      const api = s.server.api(member.token);
      const regions = await api.GET('/v1/admin/regions').catch((e: { status?: number }) => e);
      expect((regions as { status?: number }).status).toBe(403);
      const events = await api
        .GET('/v1/admin/events', { params: { query: { type: 'payment.mismatch' } } })
        .catch((e: { status?: number }) => e);
      expect((events as { status?: number }).status).toBe(403);
    } finally {
      await page.close();
    }
  }, 120_000);
});
