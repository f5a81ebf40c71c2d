import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginCompletion, finishStaleCompletions } from '../../src/modules/checkout/index.js';
import { verifyLedger } from '../../src/modules/inventory/index.js';
import { createPaymentProviders, testProvider, verifyPaymentLedger } from '../../src/modules/payments/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { checkoutDeps, wireModules } from '../../src/wiring.js';
import { countStatements } from '../catalog/storefront.support.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { heldUnits, signUp, store, variantLevel } from './carts.helpers.js';
import { complete, readyCart } from './completion.helpers.js';

const gateway = testProvider({ timeoutMs: 600 });
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    payments: { providers: createPaymentProviders({ extra: [gateway] }), providerTimeoutMs: 200 },
  });
});
afterAll(async () => {
  await t?.close();
});

interface Completed {
  order: {
    id: string;
    number: number;
    status: string;
    paymentStatus: string;
    total: { amount: number; currency: string };
    lines: { variantId: string; quantity: number; total: { amount: number } }[];
  };
  payment: { id: string; provider: string; status: string } | null;
}

const level = (variantId: string) => variantLevel(t, variantId);

async function cartStatus(cartId: string) {
  const row = await t.db.db.selectFrom('cart').select('status').where('id', '=', cartId).executeTakeFirstOrThrow();
  return row.status;
}

async function eventsOf(aggregateId: string) {
  const rows = await t.db.db
    .selectFrom('outbox_event')
    .select('type')
    .where('aggregate_id', '=', aggregateId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.type);
}

describe('checkout completion', () => {
  it('places the order: stock reserved, payment authorized, cart completed, events and the confirmation email', async () => {
    const ready = await readyCart(t, { quantities: [2, 1] });
    const res = await complete(t, ready.cartId);
    expect(res.statusCode).toBe(200);
    const { order, payment } = res.json<Completed>();
    expect(order).toMatchObject({ status: 'placed', paymentStatus: 'authorized', fulfillmentStatus: 'not_fulfilled' });
    // 3 × 19.99 (tax included) + 4.90 shipping
    expect(order.total).toEqual({ amount: 3 * 1999 + 490, currency: 'EUR' });
    expect(order.lines.map((l) => l.quantity)).toEqual([2, 1]);
    expect(payment).toMatchObject({ provider: 'manual', status: 'authorized' });
    const [a, b] = ready.variants;
    expect(await level(a!.variantId)).toEqual({ onHand: 10, reserved: 2, held: 0 });
    expect(await level(b!.variantId)).toEqual({ onHand: 10, reserved: 1, held: 0 });
    expect(await heldUnits(t, a!.variantId)).toBe(0);
    expect(await cartStatus(ready.cartId)).toBe('completed');
    expect(await eventsOf(order.id)).toEqual(expect.arrayContaining(['order.placed']));
    expect(await eventsOf(ready.cartId)).toContain('cart.completed');
    const mail = await t.db.db
      .selectFrom('notification')
      .select(['template', 'subject'])
      .where('recipient', '=', ready.email)
      .execute();
    expect(mail).toEqual([{ template: 'order-confirmation', subject: expect.stringContaining(`#${order.number}`) }]);
    const detail = await t.db.db
      .selectFrom('order_event')
      .select('kind')
      .where('order_id', '=', order.id)
      .orderBy('id')
      .execute();
    expect(detail.map((e) => e.kind)).toEqual(['order.created', 'status.changed', 'payment_status.changed']);
    // The cart no longer changes.
    const again = await store(t)('POST', `/v1/store/carts/${ready.cartId}/lines`, {
      variantId: a!.variantId,
      quantity: 1,
    });
    expect(again.json()).toMatchObject({ status: 409, code: 'CART_NOT_OPEN' });
  });

  it('answers a repeat with the same order and changes nothing', async () => {
    const ready = await readyCart(t);
    const first = await complete(t, ready.cartId);
    const second = await complete(t, ready.cartId);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    const orders = await t.db.db.selectFrom('order').select('id').where('cart_id', '=', ready.cartId).execute();
    expect(orders).toHaveLength(1);
  });

  it('lists everything an incomplete cart lacks (422) and changes nothing', async () => {
    const shop = await readyCart(t); // creates the shop and a variant we can reuse
    const call = store(t);
    const cart = (await call('POST', '/v1/store/carts', { regionId: shop.shop.regionId })).json<{ id: string }>();
    await call('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: shop.variants[0]!.variantId, quantity: 1 });
    const res = await complete(t, cart.id);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'CART_INCOMPLETE',
      errors: [
        { path: '/email' },
        { path: '/shippingAddress' },
        { path: '/shippingMethod' },
        { path: '/payment/provider' },
      ],
    });
    expect(await cartStatus(cart.id)).toBe('open');
    expect(await t.db.db.selectFrom('order').select('id').where('cart_id', '=', cart.id).execute()).toEqual([]);
  });

  it('refuses an unknown payment provider naming the field', async () => {
    const ready = await readyCart(t);
    const res = await store(t)('POST', `/v1/store/carts/${ready.cartId}/payment`, { provider: 'nope' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'UNKNOWN_PAYMENT_PROVIDER', errors: [{ path: '/body/provider' }] });
  });

  it('409 INSUFFICIENT_STOCK when the stock is gone, with nothing created', async () => {
    const ready = await readyCart(t, { quantities: [3], stock: 2 });
    const res = await complete(t, ready.cartId);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    expect(await cartStatus(ready.cartId)).toBe('open');
    expect(await level(ready.variants[0]!.variantId)).toEqual({ onHand: 2, reserved: 0, held: 0 });
    const payments = await t.db.db.selectFrom('payment').select('id').where('cart_id', '=', ready.cartId).execute();
    expect(payments).toEqual([]);
  });

  it('a decline is 402: stock released, order cancelled, cart open for another try that succeeds', async () => {
    const ready = await readyCart(t, { quantities: [2], provider: 'test', data: { testOutcome: 'decline' } });
    const res = await complete(t, ready.cartId);
    expect(res.statusCode).toBe(402);
    expect(res.json()).toMatchObject({ code: 'PAYMENT_DECLINED', declineCode: 'card_declined' });
    const v = ready.variants[0]!.variantId;
    expect(await level(v)).toEqual({ onHand: 10, reserved: 0, held: 0 });
    expect(await cartStatus(ready.cartId)).toBe('open');
    const [declined] = await t.db.db
      .selectFrom('order')
      .select(['id', 'status'])
      .where('cart_id', '=', ready.cartId)
      .execute();
    expect(declined?.status).toBe('cancelled');
    expect(await eventsOf(declined!.id)).toContain('order.cancelled');

    await store(t)('POST', `/v1/store/carts/${ready.cartId}/payment`, { provider: 'manual' });
    const retry = await complete(t, ready.cartId);
    expect(retry.statusCode).toBe(200);
    expect(retry.json<Completed>().order.id).not.toBe(declined!.id);
    expect(await level(v)).toEqual({ onHand: 10, reserved: 2, held: 0 });
  });

  it('a gateway timeout leaves the order waiting; the retry asks again with the same key and charges once', async () => {
    const ready = await readyCart(t, { quantities: [1], provider: 'test', data: { testOutcome: 'timeout' } });
    const first = await complete(t, ready.cartId);
    expect(first.statusCode).toBe(503);
    expect(first.json()).toMatchObject({ code: 'PAYMENT_PROVIDER_TIMEOUT' });
    expect(await cartStatus(ready.cartId)).toBe('completing');
    const order = await t.db.db
      .selectFrom('order')
      .select(['id', 'status'])
      .where('cart_id', '=', ready.cartId)
      .executeTakeFirstOrThrow();
    expect(order.status).toBe('pending_payment');
    expect(await level(ready.variants[0]!.variantId)).toMatchObject({ reserved: 1 });

    const retry = await complete(t, ready.cartId);
    expect(retry.statusCode).toBe(200);
    const done = retry.json<Completed>();
    expect(done.order).toMatchObject({ id: order.id, status: 'placed', paymentStatus: 'authorized' });
    const keys = gateway.calls
      .filter((c) => c.idempotencyKey.startsWith(done.payment!.id))
      .map((c) => c.idempotencyKey);
    expect(keys).toEqual([`${done.payment!.id}:initiate`, `${done.payment!.id}:initiate`]);
    const ledger = await t.db.db
      .selectFrom('payment_transaction')
      .select('kind')
      .where('payment_id', '=', done.payment!.id)
      .execute();
    expect(ledger).toEqual([{ kind: 'authorization' }]);
  });

  it("a customer's cart completes only for that customer (others: 404)", async () => {
    const owner = await signUp(t);
    const other = await signUp(t);
    const ready = await readyCart(t, { token: owner.token, email: owner.email });
    expect((await complete(t, ready.cartId)).statusCode).toBe(404);
    expect((await complete(t, ready.cartId, other.token)).statusCode).toBe(404);
    const res = await complete(t, ready.cartId, owner.token);
    expect(res.statusCode).toBe(200);
    const orders = await store(t, owner.token)('GET', '/v1/store/customers/me/orders');
    expect(orders.json<{ data: { id: string }[] }>().data.map((o) => o.id)).toEqual([res.json<Completed>().order.id]);
  });

  it("a customer's declined attempt is not in their orders; the retry is", async () => {
    const buyer = await signUp(t);
    const ready = await readyCart(t, {
      quantities: [1],
      token: buyer.token,
      email: buyer.email,
      provider: 'test',
      data: { testOutcome: 'decline' },
    });
    expect((await complete(t, ready.cartId, buyer.token)).statusCode).toBe(402);
    await store(t, buyer.token)('POST', `/v1/store/carts/${ready.cartId}/payment`, { provider: 'manual' });
    const placed = await complete(t, ready.cartId, buyer.token);
    expect(placed.statusCode).toBe(200);
    const mine = await store(t, buyer.token)('GET', '/v1/store/customers/me/orders');
    expect(mine.json<{ data: { id: string }[] }>().data.map((o) => o.id)).toEqual([placed.json<Completed>().order.id]);
  });

  it('completing again after staff cancelled the order answers the cancelled order', async () => {
    const ready = await readyCart(t, { quantities: [1] });
    const first = await complete(t, ready.cartId);
    const orderId = first.json<Completed>().order.id;
    const owner = (await staffSession(t)).token;
    const cancelled = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/orders/${orderId}/cancel`,
      headers: auth(owner),
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const again = await complete(t, ready.cartId);
    expect(again.statusCode).toBe(200);
    expect(again.json<Completed>().order).toMatchObject({ id: orderId, status: 'cancelled' });
  });

  it('keeps within its statement budget, whatever the number of lines', async () => {
    // Manual payment settles in one transaction: 28 statements today — cart lock, a sold-out pre-check (1) and
    // pricing (4: region, tax rule and shipping options come from the settings cache while its token is current), order + lines,
    // payment start and record, placing (status, payment status, cart, email), the timeline rows of all of it in one
    // insert and the outbox events in another, both before COMMIT, then the stock reserved in one statement plus the
    // storefront read model (5), and the answer (2). Saleor's guest checkout: ~230.
    for (const quantities of [[1], [1, 1, 1, 1]]) {
      const ready = await readyCart(t, { quantities });
      const { result, count, sql } = await countStatements(() => complete(t, ready.cartId));
      expect(result.statusCode).toBe(200);
      expect(count, sql.join('\n')).toBeLessThanOrEqual(28);
    }
    // A network gateway takes the three phases (two transactions around the call): 32.
    const gatewayCart = await readyCart(t, { quantities: [1, 1], provider: 'test' });
    const { result, count, sql } = await countStatements(() => complete(t, gatewayCart.cartId));
    expect(result.statusCode).toBe(200);
    expect(count, sql.join('\n')).toBeLessThanOrEqual(32);
  });

  it('a crash between the phases: the worker finishes the order (or releases its stock)', async () => {
    const deps = {
      ...checkoutDeps(
        wireModules(t.db.db, { payments: { providers: createPaymentProviders({ extra: [gateway] }) } }),
        t.config,
      ),
    };
    const approve = await readyCart(t, { quantities: [1], provider: 'test' });
    const decline = await readyCart(t, { quantities: [1], provider: 'test', data: { testOutcome: 'decline' } });
    // Phase one commits, then the process "dies": no gateway call, no phase three.
    for (const cartId of [approve.cartId, decline.cartId]) {
      await withTransaction(t.db.db, (tx) => beginCompletion(deps, tx, { type: 'anonymous' }, systemActor, cartId));
    }
    expect(await cartStatus(approve.cartId)).toBe('completing');
    const sweep = await finishStaleCompletions(deps, { graceSeconds: 0 });
    expect(sweep).toMatchObject({ placed: 1, cancelled: 1, waiting: 0 });
    expect(await cartStatus(approve.cartId)).toBe('completed');
    expect(await cartStatus(decline.cartId)).toBe('open');
    expect(await level(approve.variants[0]!.variantId)).toMatchObject({ reserved: 1, held: 0 });
    expect(await level(decline.variants[0]!.variantId)).toMatchObject({ reserved: 0, held: 0 });
    expect(await verifyLedger(t.db.db)).toEqual([]);
    expect(await verifyPaymentLedger(t.db.db)).toEqual([]);
  });

  it('the worker abandons a completion whose payment never got an answer, releasing its stock', async () => {
    const deps = checkoutDeps(
      wireModules(t.db.db, {
        payments: { providers: createPaymentProviders({ extra: [gateway] }), providerTimeoutMs: 100 },
      }),
      t.config,
    );
    const ready = await readyCart(t, { quantities: [2], provider: 'test', data: { testOutcome: 'error' } });
    const res = await complete(t, ready.cartId);
    expect(res.statusCode).toBe(502);
    await t.db.db
      .updateTable('order')
      .set({ created_at: new Date(Date.now() - 7200_000) })
      .where('cart_id', '=', ready.cartId)
      .execute();
    const sweep = await finishStaleCompletions(deps, { graceSeconds: 0, abandonAfterSeconds: 3600 });
    expect(sweep).toMatchObject({ cancelled: 1 });
    expect(await level(ready.variants[0]!.variantId)).toMatchObject({ reserved: 0 });
    const payment = await t.db.db
      .selectFrom('payment')
      .select(['status', 'decline_code'])
      .where('cart_id', '=', ready.cartId)
      .executeTakeFirstOrThrow();
    expect(payment).toEqual({ status: 'failed', decline_code: 'abandoned' });
    expect(await cartStatus(ready.cartId)).toBe('open');
  });
});
