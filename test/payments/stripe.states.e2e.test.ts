import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishStaleCompletions } from '../../src/modules/checkout/index.js';
import { createPaymentProviders } from '../../src/modules/payments/index.js';
import { STRIPE_API_VERSION, stripeProvider } from '../../src/modules/payments/providers/stripe.js';
import { checkoutDeps, wireModules } from '../../src/wiring.js';
import { ownerClient } from '../checkout/checkout.helpers.js';
import {
  adminOrder,
  complete,
  deliver,
  eventsOf,
  type GatewayShop,
  inboxDrained,
  paymentRow,
  preparedCart,
  stripeConfirm,
  stripeShop,
} from './gateway-e2e.helpers.js';

/**
 * States real Stripe produces that a happy path never does, driven over HTTP through the real adapter and the fake
 * Stripe: a PaymentIntent still `processing` at completion, 409 `idempotency_key_in_use` and 429 answers, a card
 * error without `decline_code`, and webhook payloads rendered in another API version.
 */
describe('Stripe states beyond the happy path', () => {
  let g: GatewayShop & { stripe: NonNullable<GatewayShop['stripe']> };
  beforeAll(async () => {
    g = await stripeShop();
  });
  afterAll(() => g.close());

  const inbox = async () => g.t.db.db.selectFrom('payment_webhook_event').select('event_id').execute();
  const orderOfCart = async (cartId: string) =>
    g.t.db.db.selectFrom('order').select(['id', 'status']).where('cart_id', '=', cartId).executeTakeFirst();

  it('processing at completion: 409 PAYMENT_PROCESSING, the order waits; the webhook places it when Stripe decides', async () => {
    const cart = await preparedCart(g);
    const secret = cart.clientData.clientSecret as string;
    const from = g.stripe.events.length;
    expect(await stripeConfirm(g.stripe, secret, 'pm_fake_processing')).toBe(200);
    const first = await complete(g.t, cart.cartId);
    expect(first.statusCode).toBe(409);
    expect(first.json()).toMatchObject({ code: 'PAYMENT_PROCESSING', paymentId: cart.paymentId });
    // Asking again asks Stripe again (same answer), and nothing is decided meanwhile.
    expect((await complete(g.t, cart.cartId)).json().code).toBe('PAYMENT_PROCESSING');
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'pending', authorized: 0, captured: 0 });
    expect((await orderOfCart(cart.cartId))?.status).toBe('pending_payment');
    for (const e of eventsOf(g, from)) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    expect((await orderOfCart(cart.cartId))?.status).toBe('pending_payment');

    const id = secret.split('_secret_')[0];
    const settled = g.stripe.events.length;
    const res = await fetch(`${g.stripe.url}/_fake/payment_intents/${id}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'succeed' }),
    });
    expect(res.status).toBe(200);
    for (const e of eventsOf(g, settled)) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    const order = await orderOfCart(cart.cartId);
    expect(order?.status).toBe('placed');
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'authorized', authorized: cart.total });
    const done = await complete(g.t, cart.cartId);
    expect(done.statusCode).toBe(200);
    expect(done.json().order.id).toBe(order?.id);
  }, 90_000);

  it('the completion worker never gives up a payment Stripe is still processing (its money may still arrive)', async () => {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string, 'pm_fake_processing');
    expect((await complete(g.t, cart.cartId)).json().code).toBe('PAYMENT_PROCESSING');
    const url = new URL(g.stripe.url);
    const stripe = stripeProvider({
      secretKey: 'sk_test_backroom',
      webhookSecret: 'whsec_backroom',
      api: { host: url.hostname, port: Number(url.port), protocol: 'http' },
    });
    const providers = createPaymentProviders({ extra: [stripe] });
    const deps = checkoutDeps(wireModules(g.t.db.db, { payments: { providers } }), g.t.config);
    // Past the abandon age: a payment with no answer would be given up and the order cancelled.
    const sweep = await finishStaleCompletions(deps, { graceSeconds: 0, abandonAfterSeconds: 0 });
    expect(sweep).toMatchObject({ cancelled: 0 });
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'pending', authorized: 0 });
    expect((await orderOfCart(cart.cartId))?.status).toBe('pending_payment');
  }, 90_000);

  it('409 idempotency_key_in_use on capture: no answer yet, nothing moves; the retry captures once', async () => {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const orderId = (await complete(g.t, cart.cartId)).json().order.id as string;
    const staff = await ownerClient(g.t);
    g.stripe.stripeFaults.push({ match: /\/capture$/, kind: 'idempotency_key_in_use' });
    const first = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(first.statusCode).toBe(502);
    expect(first.json().code).toBe('PAYMENT_PROVIDER_ERROR');
    const p = await paymentRow(g.t, cart.paymentId);
    expect(p).toMatchObject({ status: 'authorized', captured: 0 });
    expect(g.stripe.intents().find((i) => i.id === p.provider_reference)?.status).toBe('requires_capture');
    expect((await adminOrder(g.t, orderId)).paymentStatus).toBe('authorized');
    const retry = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(retry.statusCode).toBeLessThan(300);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'captured', captured: cart.total });
    expect(g.stripe.intents().find((i) => i.id === p.provider_reference)?.amount_received).toBe(cart.total);
  });

  it('429 rate_limit at completion: no decline, the order waits; the retry places it', async () => {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    g.stripe.stripeFaults.push({ match: /^GET \/v1\/payment_intents\//, kind: 'rate_limit' });
    const first = await complete(g.t, cart.cartId);
    // No answer yet, so "retry": a gateway error (502/503), never a decline and never "the buyer must act" (the
    // buyer already did; sending them back to the payment page would be wrong).
    expect([502, 503], first.body).toContain(first.statusCode);
    expect(first.json().code).not.toBe('PAYMENT_REQUIRES_ACTION');
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'requires_action', authorized: 0 });
    expect((await orderOfCart(cart.cartId))?.status).toBe('pending_payment');
    const retry = await complete(g.t, cart.cartId);
    expect(retry.statusCode).toBe(200);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'authorized', authorized: cart.total });
  });

  it('a card error without decline_code is declined with its code, never an empty one', async () => {
    for (const decline of [{ code: 'incorrect_cvc' }, { code: 'expired_card', decline_code: '' }]) {
      const cart = await preparedCart(g);
      g.stripe.declines.push(decline);
      expect(await stripeConfirm(g.stripe, cart.clientData.clientSecret as string)).toBe(402);
      const res = await complete(g.t, cart.cartId);
      expect(res.statusCode).toBe(402);
      expect(res.json().declineCode).toBe(decline.code);
      const row = await g.t.db.db
        .selectFrom('payment')
        .select(['status', 'decline_code'])
        .where('id', '=', cart.paymentId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'failed', decline_code: decline.code });
    }
  });

  it('refuses (400, logged, nothing stored) an event rendered in another API version than the adapter reads', async () => {
    const cart = await preparedCart(g);
    const from = g.stripe.events.length;
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const event = eventsOf(g, from, ['payment_intent.amount_capturable_updated'])[0];
    if (!event) throw new Error('no event');
    expect(JSON.parse(event.body).api_version).toBe(STRIPE_API_VERSION);
    const before = (await inbox()).length;
    const old = { ...event, body: event.body.replace(STRIPE_API_VERSION, '2020-08-27') };
    const res = await deliver(g, old);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'WEBHOOK_API_VERSION_MISMATCH',
      received: '2020-08-27',
      expected: STRIPE_API_VERSION,
    });
    expect((await inbox()).length).toBe(before);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'requires_action', authorized: 0 });
    const warning = g.t.logs.lines.find((l) => l.level === 40 && String(l.msg).includes('API version 2020-08-27'));
    expect(warning).toMatchObject({ provider: 'stripe', received: '2020-08-27', expected: STRIPE_API_VERSION });
    // The same event in the right version (as Stripe retries it once the endpoint is fixed) is stored and applied.
    expect((await deliver(g, event)).json()).toEqual({ received: true, duplicate: false });
    await inboxDrained(g.t);
    expect((await paymentRow(g.t, cart.paymentId)).status).toBe('authorized');
  });
});
