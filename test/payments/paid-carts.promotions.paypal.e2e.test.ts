import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePayPal } from '../../src/fake-gateways/paypal/index.js';
import { type CheckoutDeps, completePaidCarts, paymentEventHook } from '../../src/modules/checkout/index.js';
import { processWebhookInbox, receiveWebhook, refreshGateways } from '../../src/modules/payments/index.js';
import { checkoutDeps, gatewayEnvOf, wireModules } from '../../src/wiring.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import {
  complete,
  deliver,
  eventsOf,
  type GatewayShop,
  inboxDrained,
  paymentRow,
  paypalApprove,
  paypalShop,
  preparedCart,
} from './gateway-e2e.helpers.js';
import { ledger, paypalRecord } from './paypal-e2e.helpers.js';

/**
 * PayPal's half of "a promotion must not cost a paying buyer the order": the buyer enters a code, approves at PayPal
 * and closes the tab. Approval moves no money until we authorize, so Backroom completes the cart itself — from the
 * CHECKOUT.ORDER.APPROVED webhook, or from the worker's sweep when that webhook never came — at the discounted total,
 * with one authorization at PayPal and the promotion's use counted once.
 */
describe('PayPal: approved with a promotion, never completed', () => {
  let g: GatewayShop & { paypal: FakePayPal };
  /** A worker process: its own gateway registry and checkout deps on the same database, as `startWorkers` builds them. */
  let worker: CheckoutDeps;

  beforeAll(async () => {
    g = await paypalShop();
    const modules = wireModules(g.t.db.db, { payments: { providerTimeoutMs: 4000 } });
    await refreshGateways({ db: g.t.db.db, providers: modules.payments.providers, env: gatewayEnvOf(g.t.config) });
    worker = checkoutDeps(modules, g.t.config);
  });
  afterAll(() => g.close());

  /** A ready cart with a 10 % code entered, the PayPal order prepared for its discounted total. */
  async function discountedCart() {
    const code = `WELCOME${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1000)}`;
    const owner = (await staffSession(g.t, 'role_owner')).token;
    const created = await g.t.app.inject({
      method: 'POST',
      url: '/v1/admin/promotions',
      headers: auth(owner),
      payload: { name: code, code, kind: 'percentage', value: 1000 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const promoId = created.json<{ id: string }>().id;
    const cart = await preparedCart(g, { quantities: [2] });
    const entered = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/promo-codes`,
      payload: { code },
    });
    expect(entered.statusCode, entered.body).toBe(200);
    const totals = entered.json<{ totals: { discountTotal: { amount: number }; total: { amount: number } } }>().totals;
    expect(totals.discountTotal.amount).toBeGreaterThan(0);
    // The code changed the total: choose PayPal again, as the storefront does, for the discounted amount.
    const pay = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/payment`,
      payload: { provider: 'paypal' },
    });
    expect(pay.statusCode, pay.body).toBe(200);
    const payment = pay.json<{ payment: { id: string; clientData: Record<string, string> } }>().payment;
    const orderRef = payment.clientData.orderId as string;
    expect(paypalRecord(g.paypal, orderRef).status).toBe('PAYER_ACTION_REQUIRED');
    return { cartId: cart.cartId, promoId, paymentId: payment.id, orderRef, total: totals.total.amount };
  }
  type Cart = Awaited<ReturnType<typeof discountedCart>>;

  async function seen(cart: Cart) {
    const db = g.t.db.db;
    return {
      orders: await db
        .selectFrom('order')
        .select(['id', 'status', 'total', 'discount_total'])
        .where('cart_id', '=', cart.cartId)
        .execute(),
      uses: await db
        .selectFrom('promotion_redemption')
        .select('order_id')
        .where('promotion_id', '=', cart.promoId)
        .execute(),
      used: (await db.selectFrom('promotion').select('used').where('id', '=', cart.promoId).executeTakeFirstOrThrow())
        .used,
      cart: (await db.selectFrom('cart').select('status').where('id', '=', cart.cartId).executeTakeFirstOrThrow())
        .status,
    };
  }

  async function expectPlaced(cart: Cart): Promise<string> {
    const s = await seen(cart);
    expect(s.orders).toHaveLength(1);
    const order = s.orders[0];
    expect(order).toMatchObject({ status: 'placed', total: cart.total });
    expect(order?.discount_total).toBeGreaterThan(0);
    expect(s.cart).toBe('completed');
    expect(s.uses).toEqual([{ order_id: order?.id }]);
    expect(s.used).toBe(1);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({
      status: 'authorized',
      authorized: cart.total,
      order_id: order?.id,
    });
    expect((await ledger(g.t, cart.paymentId)).map((r) => r.kind)).toEqual(['authorization']);
    // One authorization at PayPal, for the discounted total, and the money stays held for the order.
    expect(paypalRecord(g.paypal, cart.orderRef)).toMatchObject({
      status: 'COMPLETED',
      authorizations: 1,
      authorized: cart.total,
      captured: 0,
    });
    return order?.id ?? '';
  }

  /** The worker receives and applies the approval, but its follow-up never runs (it stopped right after). */
  async function approvalAppliedWithoutFollowUp(from: number) {
    for (const e of eventsOf(g, from, ['CHECKOUT.ORDER.APPROVED'])) {
      await receiveWebhook(worker.payments, 'paypal', Buffer.from(e.body), g.paypal.signedHeaders(e.body));
    }
    await processWebhookInbox(worker.payments, { onApplied: paymentEventHook(worker) });
  }

  it('the approval webhook places the order at the discounted total: one authorization, the promotion used once', async () => {
    const cart = await discountedCart();
    const from = eventsOf(g).length;
    await paypalApprove(g.paypal, cart.orderRef);
    const approved = eventsOf(g, from);
    expect(approved.map((e) => e.type)).toEqual(['CHECKOUT.ORDER.APPROVED']);
    for (const e of approved) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    // The in-process applier completes the cart right after the event's transaction; wait for it, bounded.
    for (let i = 0; i < 400 && (await seen(cart)).orders[0]?.status !== 'placed'; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const orderId = await expectPlaced(cart);
    // PayPal's authorization webhook and the buyer's late return change nothing.
    for (const e of eventsOf(g, from + approved.length)) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    const again = await complete(g.t, cart.cartId);
    expect(again.statusCode).toBe(200);
    expect(again.json().order.id).toBe(orderId);
    await expectPlaced(cart);
  }, 60_000);

  it("the approval webhook never delivered: the worker's sweep asks PayPal and places the order", async () => {
    const cart = await discountedCart();
    await paypalApprove(g.paypal, cart.orderRef);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'requires_action', order_id: null });
    const sweep = await completePaidCarts(worker, { olderThanSeconds: 0 });
    expect(sweep).toMatchObject({ completed: 1, released: 0, failed: 0 });
    await expectPlaced(cart);
    expect(await completePaidCarts(worker, { olderThanSeconds: 0 })).toEqual({ completed: 0, released: 0, failed: 0 });
    await expectPlaced(cart);
  }, 60_000);

  it("the approval applied but its follow-up lost: the worker's sweep places the order", async () => {
    const cart = await discountedCart();
    const from = eventsOf(g).length;
    await paypalApprove(g.paypal, cart.orderRef);
    await approvalAppliedWithoutFollowUp(from);
    const row = await g.t.db.db
      .selectFrom('payment')
      .select(['approved_at', 'order_id'])
      .where('id', '=', cart.paymentId)
      .executeTakeFirstOrThrow();
    expect(row.approved_at).not.toBeNull();
    expect(row.order_id).toBeNull();
    expect((await seen(cart)).orders).toHaveLength(0);
    expect(paypalRecord(g.paypal, cart.orderRef).authorizations).toBe(0);
    const sweep = await completePaidCarts(worker, { olderThanSeconds: 0 });
    expect(sweep).toMatchObject({ completed: 1, released: 0, failed: 0 });
    await expectPlaced(cart);
  }, 60_000);

  it('an older attempt on a cart no longer open does not hide a newer one from the sweep (paged, not cut at the limit)', async () => {
    const stale = await discountedCart();
    const fresh = await discountedCart();
    const from = eventsOf(g).length;
    await paypalApprove(g.paypal, stale.orderRef);
    await paypalApprove(g.paypal, fresh.orderRef);
    await approvalAppliedWithoutFollowUp(from);
    // The older cart stopped being completable (here: closed directly; e.g. completed through another attempt).
    await g.t.db.db.updateTable('cart').set({ status: 'completed' }).where('id', '=', stale.cartId).execute();
    const sweep = await completePaidCarts(worker, { olderThanSeconds: 0, limit: 1 });
    expect(sweep).toMatchObject({ completed: 1, released: 0, failed: 0 });
    await expectPlaced(fresh);
    // The approval of the closed cart is left to lapse: nothing authorized, nothing cancelled at PayPal.
    expect(await paymentRow(g.t, stale.paymentId)).toMatchObject({ status: 'requires_action', authorized: 0 });
    expect(paypalRecord(g.paypal, stale.orderRef)).toMatchObject({ status: 'APPROVED', authorizations: 0 });
  }, 60_000);
});
