import { type FakePayPal, startFakePayPal } from '../../src/fake-gateways/paypal/index.js';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';
import { ownerClient } from '../checkout/checkout.helpers.js';
import { complete, type ReadyCart, readyCart, shopOf } from '../checkout/completion.helpers.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../support/app.js';

/**
 * Backroom over HTTP with a real gateway adapter pointed at a local fake gateway — configured exactly as an operator
 * would (environment variables), webhooks held by the fake and delivered by the test, so each test chooses when the
 * webhook arrives: before, during or after the storefront's "complete".
 */

export interface GatewayShop {
  t: TestApp;
  provider: 'stripe' | 'paypal';
  stripe?: FakeStripe;
  paypal?: FakePayPal;
  close(): Promise<void>;
}

export async function stripeShop(
  env: Record<string, string> = {},
  opts: Pick<TestAppOptions, 'db'> = {},
): Promise<GatewayShop & { stripe: FakeStripe }> {
  const stripe = await startFakeStripe({ holdWebhooks: true });
  const t = await createTestApp({
    ...opts,
    env: {
      STRIPE_SECRET_KEY: 'sk_test_backroom',
      STRIPE_WEBHOOK_SECRET: 'whsec_backroom',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_backroom',
      STRIPE_API_BASE: stripe.url,
      PAYMENT_PROVIDER_TIMEOUT_MS: '4000',
      ...env,
    },
  });
  return {
    t,
    provider: 'stripe',
    stripe,
    close: async () => {
      await t.close();
      await stripe.close();
    },
  };
}

export async function paypalShop(env: Record<string, string> = {}): Promise<GatewayShop & { paypal: FakePayPal }> {
  const paypal = await startFakePayPal({ holdWebhooks: true });
  const t = await createTestApp({
    env: {
      PAYPAL_CLIENT_ID: 'paypal-client-backroom',
      PAYPAL_CLIENT_SECRET: 'paypal-secret-backroom',
      PAYPAL_WEBHOOK_ID: 'WH-FAKE-BACKROOM',
      PAYPAL_API_BASE: paypal.url,
      PAYMENT_PROVIDER_TIMEOUT_MS: '4000',
      ...env,
    },
  });
  return {
    t,
    provider: 'paypal',
    paypal,
    close: async () => {
      await t.close();
      await paypal.close();
    },
  };
}

/** Sets the test region's capture method (and providers) through the admin API. */
export async function regionCapture(
  t: TestApp,
  captureMethod: 'automatic' | 'manual',
  providers: string[] | null = null,
) {
  const shop = await shopOf(t);
  const call = await ownerClient(t);
  const res = await call('PUT', `/v1/admin/regions/${shop.regionId}/payment-settings`, { providers, captureMethod });
  if (res.statusCode !== 200) throw new Error(`payment settings: ${res.statusCode} ${res.body}`);
}

export interface PreparedCart extends ReadyCart {
  paymentId: string;
  clientData: Record<string, string>;
  total: number;
}

/** A ready cart whose buyer chose the gateway: the attempt exists at the gateway, waiting for the buyer. */
export async function preparedCart(g: GatewayShop, opts: Parameters<typeof readyCart>[1] = {}): Promise<PreparedCart> {
  const cart = await readyCart(g.t, { ...opts, provider: g.provider });
  const res = await g.t.app.inject({
    method: 'POST',
    url: `/v1/store/carts/${cart.cartId}/payment`,
    payload: { provider: g.provider },
  });
  if (res.statusCode !== 200) throw new Error(`payment: ${res.statusCode} ${res.body}`);
  const body = res.json<{
    cart: { totals: { total: { amount: number } } };
    payment: { id: string; clientData: Record<string, string> };
  }>();
  return {
    ...cart,
    paymentId: body.payment.id,
    clientData: body.payment.clientData,
    total: body.cart.totals.total.amount,
  };
}

/** What Stripe.js does in the browser: confirm the PaymentIntent with the publishable key and its client secret. */
export async function stripeConfirm(stripe: FakeStripe, clientSecret: string, paymentMethod = 'pm_card_visa') {
  const id = clientSecret.split('_secret_')[0] ?? '';
  const res = await fetch(`${stripe.url}/v1/payment_intents/${id}/confirm`, {
    method: 'POST',
    headers: { authorization: 'Bearer pk_test_backroom', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ payment_method: paymentMethod, client_secret: clientSecret }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The buyer passes (or fails) the 3-D Secure challenge. */
export async function stripeThreeDS(stripe: FakeStripe, clientSecret: string, outcome: 'succeed' | 'fail') {
  const id = clientSecret.split('_secret_')[0] ?? '';
  const res = await fetch(`${stripe.url}/_fake/payment_intents/${id}/3ds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome }),
  });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`3ds: ${res.status}`);
}

/** The buyer approves (or their funding later fails) on PayPal's page. */
export async function paypalApprove(paypal: FakePayPal, orderId: string, outcome: 'approve' | 'decline' = 'approve') {
  const res = await fetch(`${paypal.url}/_fake/orders/${orderId}/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome }),
  });
  await res.arrayBuffer();
  if (res.status >= 400) throw new Error(`approve: ${res.status}`);
}

/** Events the fake recorded since `from` (an index into its event list), optionally of some types. */
export function eventsOf(g: GatewayShop, from = 0, types?: string[]) {
  const all = (g.stripe?.events ?? g.paypal?.events ?? []).slice(from);
  return types ? all.filter((e) => types.includes(e.type)) : all;
}

/** Delivers one recorded event to Backroom's webhook endpoint, signed as the gateway signs it. */
export async function deliver(g: GatewayShop, event: { id: string; body: string }) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (g.stripe) headers['stripe-signature'] = g.stripe.signatureHeader(event.body);
  if (g.paypal) Object.assign(headers, g.paypal.signedHeaders(event.body));
  return g.t.app.inject({ method: 'POST', url: `/v1/webhooks/${g.provider}`, headers, payload: event.body });
}

/**
 * Waits until the app has applied every stored webhook (the endpoint nudges an in-process applier). "Applied"
 * includes events whose first try failed and wait for their backoff (1 s, 2 s …): under CI load a try can fail
 * (a lock timeout), and the test must see the state the shop converges to, not the moment in between.
 */
export async function inboxDrained(t: TestApp, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await t.db.db
      .selectFrom('payment_webhook_event')
      .select(['event_id', 'type', 'attempts', 'last_error', 'result'])
      .where('status', '=', 'pending')
      .execute();
    if (rows.length === 0) return;
    if (Date.now() > until) throw new Error(`webhook inbox not drained: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { complete };

/** The admin view of an order (status, payment status, timeline). */
export async function adminOrder(t: TestApp, orderId: string) {
  const call = await ownerClient(t);
  const res = await call('GET', `/v1/admin/orders/${orderId}`);
  if (res.statusCode !== 200) throw new Error(`order: ${res.statusCode} ${res.body}`);
  return res.json<{
    id: string;
    status: string;
    paymentStatus: string;
    total: number;
    timeline: { kind: string; data: Record<string, unknown> }[];
  }>();
}

/** The payment row's totals as Backroom recorded them. */
export async function paymentRow(t: TestApp, paymentId: string) {
  return t.db.db
    .selectFrom('payment')
    .select(['status', 'authorized', 'captured', 'refunded', 'provider_reference', 'order_id'])
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
}
