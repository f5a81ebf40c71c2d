import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/inventory/index.js';
import { refundPayment, verifyPaymentLedger } from '../../src/modules/payments/index.js';
import { wireModules } from '../../src/wiring.js';
import { product, stock, store } from '../checkout/carts.helpers.js';
import { complete, readyCart, shopOf } from '../checkout/completion.helpers.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';

/**
 * Checkout under real concurrency (PostgreSQL: separate connections; the embedded database runs transactions one at
 * a time, which proves nothing about races, so these run on PostgreSQL only).
 */
let db: TestDb;
let t: TestApp;
beforeAll(async () => {
  if (!usingPostgres) return;
  db = await createTestDb({ poolMax: 24, lockTimeoutMs: 30_000 });
  t = await createTestApp({ db, env: { RATE_LIMIT_MAX: '100000' } });
});
afterAll(async () => {
  await t?.close();
  await db?.destroy();
});

/** Runs `tasks` with at most `width` in flight, keeping their results in order. */
async function pool<T>(width: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < tasks.length; i = next++) results[i] = await (tasks[i] as () => Promise<T>)();
    }),
  );
  return results;
}

describe.skipIf(!usingPostgres)('checkout under concurrency (PostgreSQL)', { timeout: 300_000 }, () => {
  it('flash sale: 500 buyers, 64 at a time, 100 units → exactly 100 orders, stock 0, ledger consistent', async () => {
    const shop = await shopOf(t);
    const v = await product(t);
    await stock(t, v.variantId, shop.locationId, 100);
    const carts = await pool(
      16,
      Array.from({ length: 500 }, () => () => readyCart(t, { quantities: [1], variants: [v] })),
    );
    const answers = await pool(
      64,
      carts.map((c) => () => complete(t, c.cartId)),
    );
    const codes = answers.map((a) => (a.statusCode === 200 ? 'ok' : `${a.statusCode} ${a.json().code}`));
    const tally: Record<string, number> = {};
    for (const c of codes) tally[c] = (tally[c] ?? 0) + 1;
    expect(tally).toEqual({ ok: 100, '409 INSUFFICIENT_STOCK': 400 });
    const level = await t.db.db
      .selectFrom('inventory_level as l')
      .innerJoin('inventory_item as i', 'i.id', 'l.item_id')
      .select(['l.on_hand', 'l.reserved', 'l.held'])
      .where('i.variant_id', '=', v.variantId)
      .executeTakeFirstOrThrow();
    expect(level).toEqual({ on_hand: 100, reserved: 100, held: 0 });
    const orders = await t.db.db
      .selectFrom('order_line')
      .innerJoin('order', 'order.id', 'order_line.order_id')
      .select((eb) => eb.fn.sum<number>('order_line.quantity').as('units'))
      .where('order_line.variant_id', '=', v.variantId)
      .where('order.status', '=', 'placed')
      .executeTakeFirstOrThrow();
    expect(Number(orders.units)).toBe(100);
    expect(await verifyLedger(t.db.db)).toEqual([]);
  });

  it('double completion: 50 parallel completes of one cart → one order, 50 identical answers', async () => {
    const ready = await readyCart(t, { quantities: [2, 1] });
    const answers = await Promise.all(Array.from({ length: 50 }, () => complete(t, ready.cartId)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(200));
    const bodies = new Set(answers.map((a) => a.body));
    expect(bodies.size).toBe(1);
    const orders = await t.db.db.selectFrom('order').select('id').where('cart_id', '=', ready.cartId).execute();
    expect(orders).toHaveLength(1);
    const payments = await t.db.db.selectFrom('payment').select('id').where('cart_id', '=', ready.cartId).execute();
    expect(payments).toHaveLength(1);
  });

  it('promotion limit: a code limited to 10 uses, 40 parallel checkouts → exactly 10 orders use it', async () => {
    const owner = (await staffSession(t)).token;
    const code = `FLASH${Date.now().toString(36).toUpperCase()}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/promotions',
      headers: auth(owner),
      payload: { name: 'ten uses', code, kind: 'percentage', value: 1000, usageLimit: 10 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const carts = await pool(
      8,
      Array.from({ length: 40 }, () => async () => {
        const c = await readyCart(t, { quantities: [1] });
        const added = await store(t)('POST', `/v1/store/carts/${c.cartId}/promo-codes`, { code });
        expect(added.statusCode, added.body).toBe(200);
        return c;
      }),
    );
    const answers = await Promise.all(carts.map((c) => complete(t, c.cartId)));
    const placed = answers.filter((a) => a.statusCode === 200);
    const refused = answers.filter((a) => a.statusCode !== 200);
    expect(placed).toHaveLength(10);
    expect(new Set(refused.map((a) => `${a.statusCode} ${a.json().code}`))).toEqual(
      new Set(['409 PROMOTION_EXHAUSTED']),
    );
    const used = await t.db.db
      .selectFrom('promotion')
      .select('used')
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    expect(used.used).toBe(10);
    // A refused cart is open again; its code no longer applies, so completing it again is refused until the buyer
    // removes the code (no silent full-price order), then it completes at full price.
    const cartId = carts[answers.indexOf(refused[0] as (typeof answers)[number])]!.cartId;
    expect((await complete(t, cartId)).json()).toMatchObject({ status: 409, code: 'PROMOTION_EXHAUSTED' });
    const removed = await store(t)('DELETE', `/v1/store/carts/${cartId}/promo-codes/${code}`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await complete(t, cartId)).statusCode).toBe(200);
  });

  it('parallel captures and refunds of one order never exceed the amounts', async () => {
    const o = await placeOrder(t, { quantities: [3] });
    const owner = (await staffSession(t)).token;
    const capture = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/admin/orders/${o.orderId}/capture`,
        headers: auth(owner),
        payload: { amount: { amount: 1000, currency: 'EUR' } },
      });
    const captures = await Promise.all(Array.from({ length: 12 }, capture));
    const ok = captures.filter((c) => c.statusCode === 200).length;
    expect(ok).toBe(Math.floor(o.total / 1000));
    expect(captures.filter((c) => c.statusCode !== 200).every((c) => c.statusCode === 422)).toBe(true);
    const payments = wireModules(t.db.db).payments;
    const refunds = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        refundPayment(payments, { paymentId: o.paymentId, amount: { amount: 700, currency: 'EUR' } }),
      ),
    );
    const refunded = refunds.filter((r) => r.status === 'fulfilled').length;
    expect(refunded).toBe(Math.floor((ok * 1000) / 700));
    const p = await t.db.db
      .selectFrom('payment')
      .select(['authorized', 'captured', 'refunded'])
      .where('id', '=', o.paymentId)
      .executeTakeFirstOrThrow();
    expect(p).toEqual({ authorized: o.total, captured: ok * 1000, refunded: refunded * 700 });
    expect(await verifyPaymentLedger(t.db.db)).toEqual([]);
  });
});
