import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonb } from '../../src/platform/db/json.js';
import { newId } from '../../src/platform/ids.js';
import { bearer } from '../identity/customers.helpers.js';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrder } from './placed-order.helpers.js';

/** Order refunds: partial or full, to the order's captured payments, never more than captured − refunded. */

let t: TestApp;
let support: string;
let fulfilment: string;
beforeAll(async () => {
  t = await createTestApp();
  support = (await staffSession(t, 'role_support')).token;
  fulfilment = (await staffSession(t, 'role_fulfilment')).token;
});
afterAll(async () => {
  await t?.close();
});

type Placed = Awaited<ReturnType<typeof placeOrder>>;
const eur = (amount: number) => ({ amount, currency: 'EUR' });
const refund = (orderId: string, body: Record<string, unknown>, token: string | null = support) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/admin/orders/${orderId}/refunds`,
    headers: token ? bearer(token) : {},
    payload: body,
  });
const post = (url: string, payload: Record<string, unknown> | undefined, token: string) =>
  t.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });

/** Everything a refund could have changed, to prove a refused one changed nothing. */
async function footprint(order: Placed) {
  const db = t.db.db;
  const [o, payments, operations, timeline, mails, events] = await Promise.all([
    db.selectFrom('order').select(['payment_status', 'version']).where('id', '=', order.orderId).executeTakeFirst(),
    db
      .selectFrom('payment')
      .select(['id', 'captured', 'refunded', 'pending_refund'])
      .where('order_id', '=', order.orderId)
      .orderBy('id')
      .execute(),
    db.selectFrom('payment_operation').select('id').where('payment_id', '=', order.paymentId).execute(),
    db.selectFrom('order_event').select('kind').where('order_id', '=', order.orderId).execute(),
    db.selectFrom('notification').select('id').where('recipient', '=', order.email).execute(),
    db
      .selectFrom('outbox_event')
      .select('type')
      .where('aggregate_id', 'in', [order.orderId, order.paymentId])
      .execute(),
  ]);
  return {
    o,
    payments,
    operations: operations.length,
    timeline: timeline.length,
    mails: mails.length,
    events: events.length,
  };
}

async function ship(order: Placed) {
  for (const l of order.lines) {
    await t.db.db
      .updateTable('order_line')
      .set({ fulfilled_quantity: l.quantity, shipped_quantity: l.quantity })
      .where('id', '=', l.id)
      .execute();
  }
  await t.db.db.updateTable('order').set({ fulfillment_status: 'shipped' }).where('id', '=', order.orderId).execute();
}

describe('refunds', () => {
  it('refunds part, then the rest: payment status partially_refunded → refunded, email, timeline and events', async () => {
    const order = await placeOrder(t, { quantities: [2], capture: true });
    const first = await refund(order.orderId, { amount: eur(500), reason: 'Late delivery' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({
      orderId: order.orderId,
      returnId: null,
      amount: eur(500),
      payments: [{ paymentId: order.paymentId, amount: eur(500) }],
      paymentStatus: 'partially_refunded',
      refundable: eur(order.total - 500),
    });
    const rest = await refund(order.orderId, { amount: eur(order.total - 500) });
    expect(rest.statusCode, rest.body).toBe(201);
    expect(rest.json()).toMatchObject({ paymentStatus: 'refunded', refundable: eur(0) });

    const payment = await t.db.db
      .selectFrom('payment')
      .selectAll()
      .where('id', '=', order.paymentId)
      .executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ captured: order.total, refunded: order.total, status: 'refunded' });
    const view = (
      await t.app.inject({ method: 'GET', url: `/v1/admin/orders/${order.orderId}`, headers: bearer(support) })
    ).json<{
      paymentStatus: string;
      timeline: { kind: string; data: Record<string, unknown> }[];
    }>();
    expect(view.paymentStatus).toBe('refunded');
    expect(view.timeline.filter((e) => e.kind === 'refund.created').map((e) => e.data)).toEqual([
      expect.objectContaining({ amount: 500, currency: 'EUR', reason: 'Late delivery' }),
      expect.objectContaining({ amount: order.total - 500, reason: null }),
    ]);
    const mails = await t.db.db
      .selectFrom('notification')
      .select(['template', 'subject', 'body'])
      .where('recipient', '=', order.email)
      .where('template', '=', 'order-refunded')
      .orderBy('id')
      .execute();
    expect(mails).toHaveLength(2);
    expect(mails[0]?.subject).toContain('5.00 EUR');
    expect(mails[0]?.body).toContain(`#${order.number}`);
    const events = await t.db.db
      .selectFrom('outbox_event')
      .select('type')
      .where('aggregate_id', 'in', [order.orderId, order.paymentId])
      .where('type', 'in', ['order.refunded', 'payment.refunded'])
      .execute();
    expect(events.map((e) => e.type).sort()).toEqual([
      'order.refunded',
      'order.refunded',
      'payment.refunded',
      'payment.refunded',
    ]);
  });

  it('refuses more than captured − refunded with 422 REFUND_AMOUNT_EXCEEDED and changes nothing', async () => {
    const order = await placeOrder(t, { quantities: [1], capture: true });
    expect((await refund(order.orderId, { amount: eur(100) })).statusCode).toBe(201);
    const before = await footprint(order);
    const res = await refund(order.orderId, { amount: eur(order.total) });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'REFUND_AMOUNT_EXCEEDED',
      requested: order.total,
      available: order.total - 100,
      errors: [{ path: '/amount/amount' }],
    });
    expect(await footprint(order)).toEqual(before);
  });

  it('an authorized but uncaptured order has nothing to refund; the currency must be the order’s (422)', async () => {
    const order = await placeOrder(t, { quantities: [1] });
    const before = await footprint(order);
    expect((await refund(order.orderId, { amount: eur(1) })).json()).toMatchObject({
      code: 'REFUND_AMOUNT_EXCEEDED',
      available: 0,
    });
    const usd = await refund(order.orderId, { amount: { amount: 1, currency: 'USD' } });
    expect(usd.statusCode).toBe(422);
    expect(usd.json()).toMatchObject({ code: 'CURRENCY_MISMATCH' });
    expect((await refund(order.orderId, { amount: eur(0) })).statusCode).toBe(400);
    expect((await refund('ord_missing', { amount: eur(1) })).statusCode).toBe(404);
    expect(await footprint(order)).toEqual(before);
  });

  it('splits a refund across the order’s payments, oldest first', async () => {
    const order = await placeOrder(t, { quantities: [1], capture: true });
    // A second captured payment on the same order (e.g. a later top-up), written as the payments module keeps it.
    const secondId = newId('payment');
    await t.db.db
      .insertInto('payment')
      .values({
        id: secondId,
        cart_id: `cart_${randomBytes(4).toString('hex')}`,
        order_id: order.orderId,
        provider: 'manual',
        currency: 'EUR',
        amount: 1000,
        stage: 'authorized',
        idempotency_base: secondId,
        authorized: 1000,
        captured: 1000,
        metadata: jsonb({}),
      })
      .execute();
    const res = await refund(order.orderId, { amount: eur(order.total + 400) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      payments: [
        { paymentId: order.paymentId, amount: eur(order.total) },
        { paymentId: secondId, amount: eur(400) },
      ],
      refundable: eur(600),
      paymentStatus: 'partially_refunded',
    });
  });

  it('a retried refund with the same Idempotency-Key refunds once', async () => {
    const order = await placeOrder(t, { quantities: [1], capture: true });
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/admin/orders/${order.orderId}/refunds`,
        headers: { ...bearer(support), 'idempotency-key': `refund-${order.orderId}` },
        payload: { amount: eur(300) },
      });
    const first = await send();
    const again = await send();
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const payment = await t.db.db
      .selectFrom('payment')
      .select('refunded')
      .where('id', '=', order.paymentId)
      .executeTakeFirstOrThrow();
    expect(payment.refunded).toBe(300);
  });

  it('needs orders:refund (403) and credentials (401)', async () => {
    const order = await placeOrder(t, { quantities: [1], capture: true });
    const before = await footprint(order);
    expect((await refund(order.orderId, { amount: eur(100) }, fulfilment)).statusCode).toBe(403);
    expect((await refund(order.orderId, { amount: eur(100) }, null)).statusCode).toBe(401);
    expect(await footprint(order)).toEqual(before);
  });

  it('receiving a return can refund it in the same call; the return keeps what was refunded for it', async () => {
    const order = await placeOrder(t, { quantities: [2], capture: true });
    await ship(order);
    const owner = (await staffSession(t, 'role_owner')).token;
    const ret = (
      await post(
        `/v1/admin/orders/${order.orderId}/returns`,
        { lines: [{ orderLineId: order.lines[0]?.id, quantity: 1, reason: 'damaged' }] },
        support,
      )
    ).json<{ id: string; lines: { id: string }[] }>();
    await post(`/v1/admin/returns/${ret.id}/approve`, undefined, support);
    const lines = [{ returnLineId: ret.lines[0]?.id, quantity: 1, restock: true }];

    // An impossible refund is refused before anything is received.
    const tooMuch = await post(
      `/v1/admin/returns/${ret.id}/receive`,
      { lines, refund: { amount: eur(order.total + 1) } },
      owner,
    );
    expect(tooMuch.json()).toMatchObject({ code: 'REFUND_AMOUNT_EXCEEDED' });
    const still = await t.db.db
      .selectFrom('return_request')
      .select('status')
      .where('id', '=', ret.id)
      .executeTakeFirstOrThrow();
    expect(still.status).toBe('approved');

    const res = await post(`/v1/admin/returns/${ret.id}/receive`, { lines, refund: { amount: eur(1999) } }, owner);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      return: { status: 'received', refundedAmount: eur(1999) },
      refund: { returnId: ret.id, amount: eur(1999), paymentStatus: 'partially_refunded' },
      refundError: null,
    });
    // A later refund for the same return adds up on it; a return of another order is refused.
    expect((await refund(order.orderId, { amount: eur(1), returnId: ret.id })).statusCode).toBe(201);
    const other = await placeOrder(t, { quantities: [1], capture: true });
    const wrong = await refund(other.orderId, { amount: eur(1), returnId: ret.id });
    expect(wrong.json()).toMatchObject({ code: 'REFUND_RETURN_INVALID', errors: [{ path: '/returnId' }] });
    const view = await t.app.inject({ method: 'GET', url: `/v1/admin/returns/${ret.id}`, headers: bearer(support) });
    expect(view.json()).toMatchObject({ refundedAmount: eur(2000) });
  });
});
