import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  regionCapture,
  stripeConfirm,
  stripeShop,
  stripeThreeDS,
} from './gateway-e2e.helpers.js';

/**
 * Stripe end to end over HTTP: Backroom configured with Stripe keys, the official SDK talking to the local fake
 * Stripe, a test acting as the storefront (Stripe.js confirming with the client secret Backroom returned) and as
 * Stripe's webhook sender. Every money movement is checked on both sides: Backroom's ledger and the gateway's.
 */
describe('Stripe checkout end to end', () => {
  let g: GatewayShop & { stripe: NonNullable<GatewayShop['stripe']> };

  beforeAll(async () => {
    g = await stripeShop();
  });
  afterAll(() => g.close());

  const intent = (id: string) => g.stripe.intents().find((pi) => pi.id === id);

  it('checkout → authorize → capture → partial refund → refund the rest, each recorded once', async () => {
    const cart = await preparedCart(g);
    expect(cart.clientData.clientSecret).toMatch(/^pi_.+_secret_/);
    expect(cart.clientData.publishableKey).toBe('pk_test_backroom');
    // Choosing again with the same total answers the same PaymentIntent.
    const again = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/payment`,
      payload: { provider: 'stripe' },
    });
    expect(again.json().payment.clientData.clientSecret).toBe(cart.clientData.clientSecret);

    expect(await stripeConfirm(g.stripe, cart.clientData.clientSecret as string)).toBe(200);
    const done = await complete(g.t, cart.cartId);
    expect(done.statusCode).toBe(200);
    const orderId = done.json().order.id as string;
    expect(done.json().payment).toMatchObject({ provider: 'stripe', status: 'authorized' });

    const staff = await ownerClient(g.t);
    const captured = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(captured.statusCode).toBeLessThan(300);
    const partial = await staff('POST', `/v1/admin/orders/${orderId}/refunds`, {
      amount: { amount: 1000, currency: 'EUR' },
      reason: 'scratch',
    });
    expect(partial.statusCode).toBe(201);
    const rest = await staff('POST', `/v1/admin/orders/${orderId}/refunds`, {
      amount: { amount: cart.total - 1000, currency: 'EUR' },
    });
    expect(rest.statusCode).toBe(201);

    const p = await paymentRow(g.t, cart.paymentId);
    expect(p).toMatchObject({ status: 'refunded', captured: cart.total, refunded: cart.total });
    const pi = intent(p.provider_reference as string);
    expect(pi).toMatchObject({ status: 'succeeded', amount_received: cart.total });

    // Every webhook Stripe sent, delivered now (and twice): nothing is counted again.
    for (const e of eventsOf(g)) {
      expect((await deliver(g, e)).statusCode).toBe(200);
      expect((await deliver(g, e)).json()).toEqual({ received: true, duplicate: true });
    }
    await inboxDrained(g.t);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: cart.total, refunded: cart.total });
    expect((await adminOrder(g.t, orderId)).paymentStatus).toBe('refunded');
    // Delivers every event twice (refund.created too): on a loaded 2-core CI box this alone can pass 30 s.
  }, 90_000);

  it('a declined card: 402, the cart open again, no order placed, nothing charged', async () => {
    const cart = await preparedCart(g);
    expect(await stripeConfirm(g.stripe, cart.clientData.clientSecret as string, 'pm_card_chargeDeclined')).toBe(402);
    const res = await complete(g.t, cart.cartId);
    expect(res.statusCode).toBe(402);
    expect(res.json()).toMatchObject({ code: 'PAYMENT_DECLINED', declineCode: 'generic_decline' });
    const cartView = await g.t.app.inject({ method: 'GET', url: `/v1/store/carts/${cart.cartId}` });
    expect(cartView.json().status).toBe('open');
    // The buyer tries again: a new PaymentIntent, this time with a good card.
    const retry = await preparedCart(g);
    expect(await stripeConfirm(g.stripe, retry.clientData.clientSecret as string)).toBe(200);
    expect((await complete(g.t, retry.cartId)).statusCode).toBe(200);
  });

  it('3-D Secure: completion answers 409 requires_action with the client secret, then places the order', async () => {
    const cart = await preparedCart(g);
    const secret = cart.clientData.clientSecret as string;
    expect(await stripeConfirm(g.stripe, secret, 'pm_card_threeDSecure2Required')).toBe(200);
    const waiting = await complete(g.t, cart.cartId);
    expect(waiting.statusCode).toBe(409);
    expect(waiting.json()).toMatchObject({
      code: 'PAYMENT_REQUIRES_ACTION',
      clientData: { clientSecret: secret, nextAction: 'three_d_secure' },
    });
    await stripeThreeDS(g.stripe, secret, 'succeed');
    const placed = await complete(g.t, cart.cartId);
    expect(placed.statusCode).toBe(200);
    expect(placed.json().order.status).toBe('placed');
  });

  it('automatic capture (a region setting): the money is taken at checkout', async () => {
    await regionCapture(g.t, 'automatic');
    try {
      const cart = await preparedCart(g);
      expect(await stripeConfirm(g.stripe, cart.clientData.clientSecret as string)).toBe(200);
      const res = await complete(g.t, cart.cartId);
      expect(res.statusCode).toBe(200);
      expect(res.json().payment.status).toBe('captured');
      expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: cart.total });
    } finally {
      await regionCapture(g.t, 'manual');
    }
  });

  it('a gateway timeout on capture, then the retry: one charge at Stripe', async () => {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const orderId = (await complete(g.t, cart.cartId)).json().order.id as string;
    g.stripe.faults.push({ match: /\/capture$/, kind: 'slow', delayMs: 5000 });
    const staff = await ownerClient(g.t);
    const first = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(first.statusCode).toBe(503);
    const retry = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(retry.statusCode).toBeLessThan(300);
    const p = await paymentRow(g.t, cart.paymentId);
    expect(p.captured).toBe(cart.total);
    expect(intent(p.provider_reference as string)?.amount_received).toBe(cart.total);
  });

  it('cancelling an authorized order voids the PaymentIntent at Stripe', async () => {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const orderId = (await complete(g.t, cart.cartId)).json().order.id as string;
    const staff = await ownerClient(g.t);
    const cancelled = await staff('POST', `/v1/admin/orders/${orderId}/cancel`, { reason: 'customer asked' });
    expect(cancelled.statusCode).toBeLessThan(300);
    const p = await paymentRow(g.t, cart.paymentId);
    expect(p.status).toBe('voided');
    expect(intent(p.provider_reference as string)?.status).toBe('canceled');
  });

  it('webhook before completion: the order is placed by the webhook alone; complete then answers it', async () => {
    const cart = await preparedCart(g);
    const from = eventsOf(g).length;
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    for (const e of eventsOf(g, from)) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    expect((await paymentRow(g.t, cart.paymentId)).status).toBe('authorized');
    const res = await complete(g.t, cart.cartId);
    expect(res.statusCode).toBe(200);
    const again = await complete(g.t, cart.cartId);
    expect(again.json().order.id).toBe(res.json().order.id);
  });

  it('webhook during completion (concurrently): one order, one authorization', async () => {
    const cart = await preparedCart(g);
    const from = eventsOf(g).length;
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const hooks = eventsOf(g, from);
    const [a, b] = await Promise.all([
      complete(g.t, cart.cartId),
      complete(g.t, cart.cartId),
      ...hooks.map((e) => deliver(g, e)),
    ]);
    await inboxDrained(g.t);
    expect([a?.statusCode, b?.statusCode]).toEqual([200, 200]);
    expect(a?.json().order.id).toBe(b?.json().order.id);
    const ledger = await g.t.db.db
      .selectFrom('payment_transaction')
      .select(['kind'])
      .where('payment_id', '=', cart.paymentId)
      .execute();
    expect(ledger.map((r) => r.kind)).toEqual(['authorization']);
  });
});
