import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/inventory/index.js';
import { transition } from '../../src/modules/orders/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { level } from '../inventory/inventory.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fulfilmentKit } from './fulfillments.helpers.js';

let t: TestApp;
let staff: string;
beforeAll(async () => {
  t = await createTestApp();
  staff = (await staffSession(t, 'role_fulfilment')).token;
});
afterAll(async () => {
  await t?.close();
});

const { placed, base, fulfilLines, ship, deliver, detail, movements, events, snapshot } = fulfilmentKit(
  () => t,
  () => staff,
);

describe('fulfilments', () => {
  it('fulfils partially then fully from the reserving location, moving reserved units out through the ledger', async () => {
    const o = await placed({ quantities: [3, 1] });
    const [a, b] = o.lines;
    if (!a || !b) throw new Error('lines');

    const first = await fulfilLines(o.orderId, [{ lineId: a.id, quantity: 2 }]);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      orderId: o.orderId,
      locationId: o.locationId,
      status: 'created',
      carrier: null,
      shippedAt: null,
      lines: [{ lineId: a.id, quantity: 2, variantId: a.variantId }],
    });
    expect(first.json().id).toMatch(/^ful_/);
    expect(await level(t.db.db, a.itemId, o.locationId)).toMatchObject({ on_hand: 8, reserved: 1, held: 0 });
    let order = await detail(o.orderId);
    expect(order.fulfillmentStatus).toBe('partially_fulfilled');
    expect(order.lines.map((l: { fulfilledQuantity: number }) => l.fulfilledQuantity)).toEqual([2, 0]);

    // No location given: the one where the units are reserved.
    const second = await fulfilLines(o.orderId, [
      { lineId: a.id, quantity: 1 },
      { lineId: b.id, quantity: 1 },
    ]);
    expect(second.statusCode).toBe(201);
    expect(second.json().locationId).toBe(o.locationId);
    expect(await level(t.db.db, a.itemId, o.locationId)).toMatchObject({ on_hand: 7, reserved: 0 });
    expect(await level(t.db.db, b.itemId, o.locationId)).toMatchObject({ on_hand: 9, reserved: 0 });
    order = await detail(o.orderId);
    expect(order.fulfillmentStatus).toBe('fulfilled');
    expect(order.fulfillments).toHaveLength(2);

    const byItem = (x: { item_id: string; delta_on_hand: number }, y: { item_id: string; delta_on_hand: number }) =>
      x.item_id < y.item_id ? -1 : x.item_id > y.item_id ? 1 : x.delta_on_hand - y.delta_on_hand;
    const row = (itemId: string, q: number) => ({
      item_id: itemId,
      location_id: o.locationId,
      delta_on_hand: -q,
      delta_reserved: -q,
      reason: 'fulfil',
    });
    expect((await movements(o.orderId)).sort(byItem)).toEqual(
      [row(a.itemId, 2), row(a.itemId, 1), row(b.itemId, 1)].sort(byItem),
    );
    expect(await verifyLedger(t.db.db)).toEqual([]);
    // The parcels account for exactly the fulfilled units of each line.
    const perLine = await t.db.db
      .selectFrom('fulfillment_line')
      .select(['order_line_id', (eb) => eb.fn.sum<string>('quantity').as('q')])
      .where('order_line_id', 'in', [a.id, b.id])
      .groupBy('order_line_id')
      .execute();
    expect(Object.fromEntries(perLine.map((r) => [r.order_line_id, Number(r.q)]))).toEqual({ [a.id]: 3, [b.id]: 1 });
  });

  it('lists no parcels for an order not yet fulfilled', async () => {
    const o = await placed();
    const res = await t.app.inject({ method: 'GET', url: base(o.orderId), headers: auth(staff) });
    expect(res.json()).toEqual({ data: [], nextCursor: null });
    expect((await detail(o.orderId)).fulfillments).toEqual([]);
  });

  it('ships with tracking (partially, then fully), emails the customer, and delivers; the customer sees tracking', async () => {
    const o = await placed({ quantities: [2], customer: true });
    const [a] = o.lines;
    if (!a) throw new Error('lines');
    const f1 = (await fulfilLines(o.orderId, [{ lineId: a.id, quantity: 1 }])).json();
    const f2 = (await fulfilLines(o.orderId, [{ lineId: a.id, quantity: 1 }])).json();

    const shipped = await ship(o.orderId, f1.id, { trackingUrl: 'https://track.example/JD0001' });
    expect(shipped.statusCode).toBe(200);
    expect(shipped.json()).toMatchObject({
      status: 'shipped',
      carrier: 'DHL',
      trackingNumber: 'JD0001',
      trackingUrl: 'https://track.example/JD0001',
    });
    expect(shipped.json().shippedAt).toEqual(expect.any(String));
    expect((await detail(o.orderId)).fulfillmentStatus).toBe('partially_shipped');

    const mail = await t.db.db
      .selectFrom('notification')
      .select(['template', 'recipient', 'subject', 'body'])
      .where('recipient', '=', o.email)
      .where('template', '=', 'order-shipped')
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toContain(`#${o.number}`);
    expect(mail[0]?.body).toContain('Carrier: DHL');
    expect(mail[0]?.body).toContain('Tracking number: JD0001');
    expect(mail[0]?.body).toContain('https://track.example/JD0001');
    expect(mail[0]?.body).toContain('1 × Thing 1');

    // Shipping twice is a state conflict, and changes nothing.
    const again = await ship(o.orderId, f1.id, { trackingNumber: 'OTHER' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_FULFILLMENT_TRANSITION');
    // Delivering before shipping too.
    expect((await deliver(o.orderId, f2.id)).json().code).toBe('INVALID_FULFILLMENT_TRANSITION');

    expect((await ship(o.orderId, f2.id, { carrier: 'UPS', trackingNumber: '1Z999' })).statusCode).toBe(200);
    let order = await detail(o.orderId);
    expect(order.fulfillmentStatus).toBe('shipped');
    expect(order.lines[0]).toMatchObject({ fulfilledQuantity: 2, shippedQuantity: 2 });

    const d1 = await deliver(o.orderId, f1.id);
    expect(d1.statusCode).toBe(200);
    expect(d1.json()).toMatchObject({ status: 'delivered', deliveredAt: expect.any(String) });
    expect((await detail(o.orderId)).fulfillmentStatus).toBe('shipped');
    expect((await deliver(o.orderId, f2.id)).statusCode).toBe(200);
    order = await detail(o.orderId);
    expect(order.fulfillmentStatus).toBe('delivered');
    // Only authorized, not captured: the order stays placed until the money is taken.
    expect(order.status).toBe('placed');

    expect(await events(o.orderId)).toEqual(
      expect.arrayContaining(['fulfillment.created', 'fulfillment.shipped', 'fulfillment.delivered']),
    );
    expect((await events(o.orderId)).filter((e) => e === 'fulfillment.shipped')).toHaveLength(2);
    const kinds = order.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['fulfillment.created', 'fulfillment.shipped', 'fulfillment.delivered']),
    );

    const mine = await t.app.inject({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${o.orderId}`,
      headers: auth(o.customerToken ?? ''),
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().fulfillments).toEqual([
      expect.objectContaining({ status: 'delivered', carrier: 'DHL', trackingUrl: 'https://track.example/JD0001' }),
      expect.objectContaining({ status: 'delivered', carrier: 'UPS', trackingNumber: '1Z999', trackingUrl: null }),
    ]);
    expect(mine.json().fulfillments[0]).not.toHaveProperty('actorId');

    const list = await t.app.inject({ method: 'GET', url: base(o.orderId), headers: auth(staff) });
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((f: { id: string }) => f.id)).toEqual([f1.id, f2.id]);
  });

  it('completes a paid order once every unit is delivered', async () => {
    const o = await placed({ quantities: [1] });
    await withTransaction(t.db.db, (tx) =>
      transition(tx, systemActor, { orderId: o.orderId, field: 'payment_status', from: 'authorized', to: 'paid' }),
    );
    const f = (await fulfilLines(o.orderId, [{ lineId: o.lines[0]?.id ?? '', quantity: 1 }])).json();
    await ship(o.orderId, f.id, { notifyCustomer: false });
    await deliver(o.orderId, f.id);
    const order = await detail(o.orderId);
    expect(order).toMatchObject({ status: 'completed', fulfillmentStatus: 'delivered' });
    expect(await events(o.orderId)).toContain('order.completed');
    // notifyCustomer: false sends nothing.
    const mail = await t.db.db.selectFrom('notification').select('id').where('recipient', '=', o.email).execute();
    expect(mail).toHaveLength(0);
  });
});

describe('fulfilment security', () => {
  it('needs credentials (401) and orders:fulfil to write (403); orders:read may list', async () => {
    const o = await placed();
    const lines = [{ lineId: o.lines[0]?.id ?? '', quantity: 1 }];
    const none = await t.app.inject({ method: 'POST', url: base(o.orderId), payload: { lines } });
    expect(none.statusCode).toBe(401);
    const support = (await staffSession(t, 'role_support')).token; // orders:read and orders:write, not orders:fulfil
    const refused = await fulfilLines(o.orderId, lines, {}, support);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('PERMISSION_DENIED');
    expect((await ship(o.orderId, 'ful_x', {}, support)).statusCode).toBe(403);
    expect((await deliver(o.orderId, 'ful_x', support)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: base(o.orderId), headers: auth(support) })).statusCode).toBe(200);
    const nobody = (await staffSession(t, await customRole(t, ['catalog:read']))).token;
    expect((await t.app.inject({ method: 'GET', url: base(o.orderId), headers: auth(nobody) })).statusCode).toBe(403);
    expect((await snapshot(o)).fulfillments).toEqual([]);
  });

  it("a customer sees only their own order's parcels (another customer's order → 404)", async () => {
    const mine = await placed({ customer: true });
    const theirs = await placed({ customer: true });
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${theirs.orderId}`,
      headers: auth(mine.customerToken ?? ''),
    });
    expect(res.statusCode).toBe(404);
  });

  it('replays a retried fulfilment with the same Idempotency-Key instead of fulfilling twice', async () => {
    const o = await placed();
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: base(o.orderId),
        headers: { ...auth(staff), 'idempotency-key': `ful-${o.orderId}` },
        payload: { lines: [{ lineId: o.lines[0]?.id ?? '', quantity: 1 }] },
      });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json().id).toBe(first.json().id);
    expect((await snapshot(o)).fulfillments).toHaveLength(1);
  });
});
