import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPaymentLedger } from '../../src/modules/payments/index.js';
import { bearer } from '../identity/customers.helpers.js';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { placeOrder } from './placed-order.helpers.js';

/**
 * Real parallel refund requests through the HTTP API on separate connections (PostgreSQL; the embedded database
 * runs them one at a time): the order is never refunded more than was captured, and every refused request
 * changed nothing.
 */
let db: TestDb;
let t: TestApp;
beforeAll(async () => {
  db = await createTestDb({ poolMax: 20, lockTimeoutMs: 20_000 });
  t = await createTestApp({ db });
});
afterAll(async () => {
  await t?.close();
  await db?.destroy();
});

describe('refunds under concurrency', { timeout: 120_000 }, () => {
  it.runIf(usingPostgres)('10 parallel refunds of a third of the order never exceed what was captured', async () => {
    const staff = (await staffSession(t, 'role_support')).token;
    const order = await placeOrder(t, { quantities: [3], capture: true });
    const part = Math.floor(order.total / 3) + 1; // only two fit
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({
          method: 'POST',
          url: `/v1/admin/orders/${order.orderId}/refunds`,
          headers: bearer(staff),
          payload: { amount: { amount: part, currency: 'EUR' } },
        }),
      ),
    );
    const ok = outcomes.filter((r) => r.statusCode === 201);
    const refused = outcomes.filter((r) => r.statusCode !== 201);
    expect(ok).toHaveLength(2);
    for (const r of refused) {
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json()).toMatchObject({ code: 'REFUND_AMOUNT_EXCEEDED' });
    }
    const payment = await t.db.db
      .selectFrom('payment')
      .selectAll()
      .where('id', '=', order.paymentId)
      .executeTakeFirstOrThrow();
    expect(payment.refunded).toBe(2 * part);
    expect(payment.refunded).toBeLessThanOrEqual(payment.captured);
    expect(payment.pending_refund).toBe(0);
    expect(await verifyPaymentLedger(t.db.db)).toEqual([]);
    const timeline = await t.db.db
      .selectFrom('order_event')
      .select('kind')
      .where('order_id', '=', order.orderId)
      .where('kind', '=', 'refund.created')
      .execute();
    expect(timeline).toHaveLength(2);
    const mails = await t.db.db
      .selectFrom('notification')
      .select('id')
      .where('recipient', '=', order.email)
      .where('template', '=', 'order-refunded')
      .execute();
    expect(mails).toHaveLength(2);
    const status = await t.db.db
      .selectFrom('order')
      .select('payment_status')
      .where('id', '=', order.orderId)
      .executeTakeFirstOrThrow();
    expect(status.payment_status).toBe('partially_refunded');
  });
});
