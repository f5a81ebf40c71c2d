import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrderEventType, transition } from '../../src/modules/orders/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { bearer, signUp } from '../identity/customers.helpers.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrderDirectly } from './orders.helpers.js';

let t: TestApp;
let staff: string;
beforeAll(async () => {
  t = await createTestApp();
  staff = (await staffSession(t, 'role_support')).token;
});
afterAll(async () => {
  await t?.close();
});

const detail = (id: string, token = staff) =>
  t.app.inject({ method: 'GET', url: `/v1/admin/orders/${id}`, headers: auth(token) });
const list = (query: string, token = staff) =>
  t.app.inject({ method: 'GET', url: `/v1/admin/orders${query}`, headers: auth(token) });
const move = (orderId: string, field: 'status' | 'payment_status', from: string, to: string) =>
  withTransaction(t.db.db, (tx) =>
    transition(tx, systemActor, { orderId, field, from, to, event: `order.${to}` as OrderEventType }),
  );

describe('orders', () => {
  it('snapshots lines and totals, numbers orders increasingly, and starts the timeline', async () => {
    const a = await placeOrderDirectly(t);
    const b = await placeOrderDirectly(t);
    expect(a.number).toBeGreaterThanOrEqual(1001);
    expect(b.number).toBeGreaterThan(a.number);
    const res = await detail(a.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      number: a.number,
      status: 'pending_payment',
      paymentStatus: 'not_paid',
      fulfillmentStatus: 'not_fulfilled',
      total: { amount: 3490, currency: 'EUR' },
      lines: [{ quantity: 2, unitPrice: { amount: 1500, currency: 'EUR' }, taxLines: [{ name: 'VAT', amount: 479 }] }],
      timeline: [{ kind: 'order.created', actorType: 'system' }],
    });
  });

  it('makes one order per cart: a second order for the same cart is refused (409)', async () => {
    const a = await placeOrderDirectly(t);
    const row = await t.db.db.selectFrom('order').select('cart_id').where('id', '=', a.id).executeTakeFirstOrThrow();
    await expect(placeOrderDirectly(t, { cartId: row.cart_id })).rejects.toMatchObject({ status: 409 });
  });

  it('moves statuses only along the state tables, records each move on the timeline and emits the event', async () => {
    const o = await placeOrderDirectly(t);
    await move(o.id, 'status', 'pending_payment', 'placed');
    await expect(move(o.id, 'status', 'placed', 'pending_payment')).rejects.toMatchObject({
      status: 409,
      code: 'INVALID_ORDER_TRANSITION',
    });
    // A stale "from" (someone moved it meanwhile) is refused too.
    await expect(move(o.id, 'status', 'pending_payment', 'cancelled')).rejects.toMatchObject({
      code: 'INVALID_ORDER_TRANSITION',
    });
    const view = (await detail(o.id)).json();
    expect(view.status).toBe('placed');
    expect(view.placedAt).not.toBeNull();
    expect(view.timeline.map((e: { kind: string }) => e.kind)).toEqual(['order.created', 'status.changed']);
    const events = await t.db.db.selectFrom('outbox_event').select('type').where('aggregate_id', '=', o.id).execute();
    expect(events.map((e) => e.type)).toEqual(['order.placed']);
  });

  it('the timeline is append-only', async () => {
    const o = await placeOrderDirectly(t);
    await expect(
      t.db.db.updateTable('order_event').set({ kind: 'x' }).where('order_id', '=', o.id).execute(),
    ).rejects.toThrow();
    await expect(t.db.db.deleteFrom('order_event').where('order_id', '=', o.id).execute()).rejects.toThrow();
  });

  it('lists with filters: number, email, status, totals, and pages with a cursor', async () => {
    const o = await placeOrderDirectly(t, { email: 'Findable.Person@Example.com', total: 99_999 });
    const byNumber = (await list(`?q=%23${o.number}`)).json();
    expect(byNumber.data.map((x: { id: string }) => x.id)).toEqual([o.id]);
    const byEmail = (await list('?q=findable.person')).json();
    expect(byEmail.data.map((x: { id: string }) => x.id)).toContain(o.id);
    const byTotal = (await list('?minTotal=99999&maxTotal=99999')).json();
    expect(byTotal.data.map((x: { id: string }) => x.id)).toEqual([o.id]);
    expect(
      (await list('?status=cancelled')).json().data.every((x: { status: string }) => x.status === 'cancelled'),
    ).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; nextCursor: string | null } = (
        await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.data.map((x: { id: string }) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(o.id);
    expect((await list('?status=lost')).statusCode).toBe(400);
  });

  it('adds notes (orders:write) to the timeline and the audit log; orders:read alone cannot', async () => {
    const o = await placeOrderDirectly(t);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/orders/${o.id}/notes`,
      headers: auth(staff),
      payload: { note: 'Called the customer' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().timeline.at(-1)).toMatchObject({ kind: 'note.added', data: { note: 'Called the customer' } });
    const reader = (await staffSession(t, await customRole(t, ['orders:read']))).token;
    const denied = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/orders/${o.id}/notes`,
      headers: auth(reader),
      payload: { note: 'x' },
    });
    expect(denied.statusCode).toBe(403);
    expect((await detail(o.id, reader)).statusCode).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/admin/orders/ord_nope/notes',
          headers: auth(staff),
          payload: { note: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/v1/admin/orders/${o.id}/notes`,
          headers: auth(staff),
          payload: { note: '  ' },
        })
      ).statusCode,
    ).toBe(400);
  });

  it('an ordered product cannot be deleted (409 PRODUCT_HAS_ORDERS): archive it instead', async () => {
    const o = await placeOrderDirectly(t);
    const manager = (await staffSession(t, 'role_catalog_manager')).token;
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/v1/admin/products/${o.productId}`,
      headers: { ...auth(manager), 'if-match': '"1"' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'PRODUCT_HAS_ORDERS' });
  });
});

describe("customers' view", () => {
  it('a customer lists and reads their own orders, without the staff timeline; another customer gets 404', async () => {
    const me = await signUp(t);
    const other = await signUp(t);
    const mine = await placeOrderDirectly(t, { customerId: me.id, email: me.email });
    await placeOrderDirectly(t, { customerId: other.id, email: other.email });
    // Only placed orders are the customer's orders (an attempt whose payment failed is not).
    const attempt = await placeOrderDirectly(t, { customerId: me.id, email: me.email });
    await move(mine.id, 'status', 'pending_payment', 'placed');
    const listed = await t.app.inject({
      method: 'GET',
      url: '/v1/store/customers/me/orders',
      headers: bearer(me.token),
    });
    expect(listed.json().data.map((x: { id: string }) => x.id)).toEqual([mine.id]);
    expect(attempt.id).not.toBe(mine.id);
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${mine.id}`,
      headers: bearer(me.token),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().timeline).toEqual([]);
    const stolen = await t.app.inject({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${mine.id}`,
      headers: bearer(other.token),
    });
    expect(stolen.statusCode).toBe(404);
  });
});
