import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variantLevel } from '../checkout/carts.helpers.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrder } from './placed-order.helpers.js';

let t: TestApp;
let staff: string;
beforeAll(async () => {
  t = await createTestApp();
  staff = (await staffSession(t, 'role_support')).token;
});
afterAll(async () => {
  await t?.close();
});

const post = (url: string, payload: Record<string, unknown> = {}, token = staff) =>
  t.app.inject({ method: 'POST', url, headers: auth(token), payload });

const reserved = async (variantId: string) => (await variantLevel(t, variantId)).reserved;

async function payment(paymentId: string) {
  return t.db.db
    .selectFrom('payment')
    .select(['status', 'captured', 'refunded'])
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
}

describe('admin order actions', () => {
  it('captures part, then the rest; the order payment status follows the ledger', async () => {
    const o = await placeOrder(t);
    const part = await post(`/v1/admin/orders/${o.orderId}/capture`, { amount: { amount: 1000, currency: 'EUR' } });
    expect(part.statusCode).toBe(200);
    expect(part.json()).toMatchObject({ paymentStatus: 'partially_paid' });
    const over = await post(`/v1/admin/orders/${o.orderId}/capture`, { amount: { amount: o.total, currency: 'EUR' } });
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({ code: 'PAYMENT_AMOUNT_EXCEEDED' });
    const rest = await post(`/v1/admin/orders/${o.orderId}/capture`);
    expect(rest.statusCode).toBe(200);
    expect(rest.json()).toMatchObject({ paymentStatus: 'paid' });
    expect(await payment(o.paymentId)).toMatchObject({ status: 'captured', captured: o.total });
    const again = await post(`/v1/admin/orders/${o.orderId}/capture`);
    expect(again.statusCode).toBe(422);
    const kinds = rest.json<{ timeline: { kind: string }[] }>().timeline.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'payment.captured')).toHaveLength(2);
  });

  it('refuses a capture in another currency (422) and for a role without orders:write (403)', async () => {
    const o = await placeOrder(t);
    const usd = await post(`/v1/admin/orders/${o.orderId}/capture`, { amount: { amount: 100, currency: 'USD' } });
    expect(usd.statusCode).toBe(422);
    const reader = await staffSession(t, await customRole(t, ['orders:read']));
    const denied = await post(`/v1/admin/orders/${o.orderId}/capture`, {}, reader.token);
    expect(denied.statusCode).toBe(403);
    expect(await payment(o.paymentId)).toMatchObject({ captured: 0 });
  });

  it('cancels an authorized order: stock released, authorization voided, idempotent on repeat', async () => {
    const o = await placeOrder(t, { quantities: [2] });
    const v = o.lines[0]!.variantId;
    expect(await reserved(v)).toBe(2);
    const res = await post(`/v1/admin/orders/${o.orderId}/cancel`, { reason: 'customer asked' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', paymentStatus: 'voided' });
    expect(await reserved(v)).toBe(0);
    expect(await payment(o.paymentId)).toMatchObject({ status: 'voided' });
    const again = await post(`/v1/admin/orders/${o.orderId}/cancel`);
    expect(again.statusCode).toBe(200);
    const events = await t.db.db
      .selectFrom('outbox_event')
      .select('type')
      .where('aggregate_id', '=', o.orderId)
      .where('type', '=', 'order.cancelled')
      .execute();
    expect(events).toHaveLength(1);
  });

  it('cancels a captured order by refunding everything', async () => {
    const o = await placeOrder(t, { capture: true });
    const res = await post(`/v1/admin/orders/${o.orderId}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
    expect(await payment(o.paymentId)).toMatchObject({ captured: o.total, refunded: o.total });
  });

  it('a cancelled order cannot be captured (409) and a cancelled order frees its stock for others', async () => {
    const o = await placeOrder(t, { quantities: [1] });
    await post(`/v1/admin/orders/${o.orderId}/cancel`);
    const res = await post(`/v1/admin/orders/${o.orderId}/capture`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ORDER_NOT_CAPTURABLE' });
  });

  it('404 for an unknown order', async () => {
    expect((await post('/v1/admin/orders/ord_nope/capture')).statusCode).toBe(404);
    expect((await post('/v1/admin/orders/ord_nope/cancel')).statusCode).toBe(404);
  });
});

describe('guest order lookup', () => {
  const lookup = (payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/v1/store/orders/lookup', payload });

  it('finds the order by number and email (any case), and nothing else', async () => {
    const o = await placeOrder(t);
    const res = await lookup({ number: o.number, email: o.email.toUpperCase() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: o.orderId, number: o.number, status: 'placed', timeline: [] });
    expect((await lookup({ number: o.number, email: 'someone@example.com' })).statusCode).toBe(404);
    expect((await lookup({ number: o.number + 100000, email: o.email })).statusCode).toBe(404);
    const bad = await lookup({ number: 'x', email: o.email });
    expect(bad.statusCode).toBe(400);
  });
});
