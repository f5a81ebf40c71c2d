import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckoutDeps, completePaidCarts, paymentEventHook } from '../../src/modules/checkout/index.js';
import { processWebhookInbox, receiveWebhook, refreshGateways } from '../../src/modules/payments/index.js';
import { checkoutDeps, gatewayEnvOf, wireModules } from '../../src/wiring.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import {
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
 * A buyer who entered a promotion code, paid at the gateway and closed the tab gets the order at the discounted total
 * — from the webhook, and from the worker's sweep — and the promotion's use is counted once. The webhook applier and
 * the worker price the cart exactly as the storefront did: the promotion engine is part of every pricing path.
 */
describe('paid at the gateway with a promotion, never completed', () => {
  let g: GatewayShop & { stripe: NonNullable<GatewayShop['stripe']> };
  /** A worker process: its own gateway registry and checkout deps on the same database, as `startWorkers` builds them. */
  let worker: CheckoutDeps;

  beforeAll(async () => {
    g = await stripeShop();
    const modules = wireModules(g.t.db.db, { payments: { providerTimeoutMs: 4000 } });
    await refreshGateways({ db: g.t.db.db, providers: modules.payments.providers, env: gatewayEnvOf(g.t.config) });
    worker = checkoutDeps(modules, g.t.config);
  });
  afterAll(() => g.close());

  async function promotion(percent: number) {
    const code = `SAVE${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1000)}`;
    const owner = (await staffSession(g.t, 'role_owner')).token;
    const res = await g.t.app.inject({
      method: 'POST',
      url: '/v1/admin/promotions',
      headers: auth(owner),
      payload: { name: code, code, kind: 'percentage', value: percent * 100 },
    });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json<{ id: string }>().id, code };
  }

  /** A ready cart with the code entered, the Stripe attempt prepared for its discounted total. */
  async function discountedCart() {
    const promo = await promotion(10);
    const cart = await preparedCart(g, { quantities: [2] });
    const entered = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/promo-codes`,
      payload: { code: promo.code },
    });
    expect(entered.statusCode, entered.body).toBe(200);
    const view = entered.json<{ totals: { discountTotal: { amount: number }; total: { amount: number } } }>();
    expect(view.totals.discountTotal.amount).toBeGreaterThan(0);
    // The code changed the total: choose the method again, as the storefront does, for the discounted amount.
    const pay = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/payment`,
      payload: { provider: 'stripe' },
    });
    expect(pay.statusCode, pay.body).toBe(200);
    const body = pay.json<{ payment: { id: string; clientData: Record<string, string> } }>();
    const paymentId = body.payment.id;
    expect(
      (await g.t.db.db.selectFrom('payment').select('amount').where('id', '=', paymentId).executeTakeFirstOrThrow())
        .amount,
    ).toBe(view.totals.total.amount);
    return {
      ...cart,
      promo,
      paymentId,
      clientSecret: body.payment.clientData.clientSecret as string,
      total: view.totals.total.amount,
    };
  }

  async function placed(cart: Awaited<ReturnType<typeof discountedCart>>) {
    const orders = await g.t.db.db
      .selectFrom('order')
      .select(['id', 'status', 'total', 'discount_total'])
      .where('cart_id', '=', cart.cartId)
      .execute();
    const uses = await g.t.db.db
      .selectFrom('promotion_redemption')
      .select('order_id')
      .where('promotion_id', '=', cart.promo.id)
      .execute();
    const promo = await g.t.db.db
      .selectFrom('promotion')
      .select('used')
      .where('id', '=', cart.promo.id)
      .executeTakeFirstOrThrow();
    const payment = await paymentRow(g.t, cart.paymentId);
    const intent = g.stripe.intents().find((pi) => pi.id === payment.provider_reference);
    const cartRow = await g.t.db.db
      .selectFrom('cart')
      .select('status')
      .where('id', '=', cart.cartId)
      .executeTakeFirstOrThrow();
    return { orders, uses, used: promo.used, payment, intent, cartStatus: cartRow.status };
  }

  function expectPlaced(cart: Awaited<ReturnType<typeof discountedCart>>, seen: Awaited<ReturnType<typeof placed>>) {
    expect(seen.orders).toHaveLength(1);
    const order = seen.orders[0];
    expect(order).toMatchObject({ status: 'placed', total: cart.total });
    expect(order?.discount_total).toBeGreaterThan(0);
    expect(seen.payment).toMatchObject({ status: 'authorized', authorized: cart.total, order_id: order?.id });
    // Never cancelled at the gateway: the money stays held for the order.
    expect(seen.intent?.status).toBe('requires_capture');
    expect(seen.cartStatus).toBe('completed');
    expect(seen.uses).toEqual([{ order_id: order?.id }]);
    expect(seen.used).toBe(1);
  }

  it('the webhook places the order at the discounted total and counts the promotion once', async () => {
    const cart = await discountedCart();
    const from = eventsOf(g).length;
    await stripeConfirm(g.stripe, cart.clientSecret);
    for (const e of eventsOf(g, from)) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    // The in-process applier places the order right after the event's transaction; wait for it, bounded.
    let seen = await placed(cart);
    for (let i = 0; i < 200 && seen.orders[0]?.status !== 'placed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await placed(cart);
    }
    expectPlaced(cart, seen);
    // The buyer comes back after all: the same order, the promotion still counted once.
    const again = await g.t.app.inject({ method: 'POST', url: `/v1/store/carts/${cart.cartId}/complete` });
    expect(again.json().order.id).toBe(seen.orders[0]?.id);
    expectPlaced(cart, await placed(cart));
  }, 60_000);

  it("the worker's sweep places the order at the discounted total and counts the promotion once", async () => {
    const cart = await discountedCart();
    const from = eventsOf(g).length;
    await stripeConfirm(g.stripe, cart.clientSecret);
    // The webhook reaches a worker whose own follow-up never ran (the process stopped right after applying it).
    for (const e of eventsOf(g, from)) {
      const headers = { 'stripe-signature': g.stripe.signatureHeader(e.body) };
      await receiveWebhook(worker.payments, 'stripe', Buffer.from(e.body), headers);
    }
    await processWebhookInbox(worker.payments, { onApplied: paymentEventHook(worker) });
    expect((await placed(cart)).orders).toHaveLength(0);
    expect((await paymentRow(g.t, cart.paymentId)).status).toBe('authorized');

    const sweep = await completePaidCarts(worker, { olderThanSeconds: 0 });
    expect(sweep).toMatchObject({ completed: 1, released: 0, failed: 0 });
    expectPlaced(cart, await placed(cart));
    // A second sweep finds nothing left to do.
    expect(await completePaidCarts(worker, { olderThanSeconds: 0 })).toEqual({ completed: 0, released: 0, failed: 0 });
  }, 60_000);
});
