import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitHold, hold, verifyLedger } from '../../src/modules/inventory/index.js';
import { createOrder, transition } from '../../src/modules/orders/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { signUp } from '../identity/customers.helpers.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { deps as inventoryDeps, level, makeLocation, makeVariants, receive } from '../inventory/inventory.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let staff: string;
beforeAll(async () => {
  t = await createTestApp();
  staff = (await staffSession(t, 'role_fulfilment')).token;
});
afterAll(async () => {
  await t?.close();
});

interface Placed {
  orderId: string;
  number: number;
  email: string;
  customerToken?: string;
  locationId: string;
  lines: { id: string; variantId: string; itemId: string; quantity: number }[];
}

interface PlaceOptions {
  quantities?: number[];
  customer?: boolean;
  /** Leave the order `pending_payment` (its units still reserved). */
  pending?: boolean;
  /** Also stock this many of each variant at a second location that holds are drawn from first. */
  splitStock?: number;
}

/**
 * A placed order (payment authorized) whose units are reserved at a fresh location holding 10 of
 * each variant (and, with `splitStock`, partly at `otherLocationId`).
 */
async function placed(opts: PlaceOptions = {}): Promise<Placed & { otherLocationId?: string }> {
  const db = t.db.db;
  const quantities = opts.quantities ?? [2];
  const location = await makeLocation(db, undefined, 500);
  const other = opts.splitStock ? await makeLocation(db, undefined, 0) : undefined;
  const variants = await makeVariants(db, quantities.length);
  for (const v of variants) {
    await receive(db, v.itemId, location.id, 10);
    if (other && opts.splitStock) await receive(db, v.itemId, other.id, opts.splitStock);
  }
  const customer = opts.customer ? await signUp(t) : undefined;
  const cartId = `cart_ful${randomBytes(6).toString('hex')}`;
  const stock = variants.map((v, i) => ({ variantId: v.variantId, quantity: quantities[i] ?? 1 }));
  const inv = inventoryDeps(db);
  await withTransaction(db, (tx) => hold(inv, tx, { cartId, lines: stock, ttlSeconds: 600 }));
  const email = customer?.email ?? `buyer.${randomBytes(4).toString('hex')}@example.com`;
  const order = await withTransaction(db, async (tx) => {
    const o = await createOrder(tx, systemActor, {
      cartId,
      customerId: customer?.id ?? null,
      email,
      salesChannelId: 'sc_default',
      regionId: null,
      currency: 'EUR',
      subtotal: 1000 * quantities.reduce((a, b) => a + b, 0),
      discountTotal: 0,
      shippingTotal: 0,
      taxTotal: 0,
      total: 1000 * quantities.reduce((a, b) => a + b, 0),
      shippingAddress: null,
      billingAddress: null,
      shippingMethod: null,
      promoCodes: [],
      lines: variants.map((v, i) => ({
        variantId: v.variantId,
        productId: `prod_t${v.variantId.slice(5)}`,
        sku: v.sku,
        title: `Thing ${i + 1}`,
        variantTitle: 'Default',
        quantity: quantities[i] ?? 1,
        unitPrice: 1000,
        subtotal: 1000 * (quantities[i] ?? 1),
        discount: 0,
        tax: 0,
        total: 1000 * (quantities[i] ?? 1),
        taxLines: [],
      })),
    });
    await commitHold(inv, tx, { cartId, orderId: o.id, lines: stock });
    if (!opts.pending) {
      await transition(tx, systemActor, { orderId: o.id, field: 'status', from: 'pending_payment', to: 'placed' });
      await transition(tx, systemActor, { orderId: o.id, field: 'payment_status', from: 'not_paid', to: 'authorized' });
    }
    return o;
  });
  const lines = await db
    .selectFrom('order_line')
    .select(['id', 'variant_id', 'quantity'])
    .where('order_id', '=', order.id)
    .orderBy('position')
    .execute();
  return {
    orderId: order.id,
    number: order.number,
    email,
    ...(customer ? { customerToken: customer.token } : {}),
    locationId: location.id,
    ...(other ? { otherLocationId: other.id } : {}),
    lines: lines.map((l, i) => ({
      id: l.id,
      variantId: l.variant_id ?? '',
      itemId: variants[i]?.itemId ?? '',
      quantity: l.quantity,
    })),
  };
}

const base = (orderId: string) => `/v1/admin/orders/${orderId}/fulfillments`;
const post = (url: string, payload?: Record<string, unknown>, token = staff) =>
  t.app.inject({ method: 'POST', url, headers: auth(token), ...(payload ? { payload } : {}) });
const fulfilLines = (orderId: string, lines: { lineId: string; quantity: number }[], extra = {}, token = staff) =>
  post(base(orderId), { lines, ...extra }, token);
const ship = (orderId: string, fid: string, body: Record<string, unknown> = {}, token = staff) =>
  post(`${base(orderId)}/${fid}/ship`, { carrier: 'DHL', trackingNumber: 'JD0001', ...body }, token);
const deliver = (orderId: string, fid: string, token = staff) =>
  post(`${base(orderId)}/${fid}/deliver`, undefined, token);
const detail = async (orderId: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/admin/orders/${orderId}`, headers: auth(staff) })).json();

const movements = (orderId: string) =>
  t.db.db
    .selectFrom('stock_movement')
    .select(['item_id', 'location_id', 'delta_on_hand', 'delta_reserved', 'reason'])
    .where('reference_id', '=', orderId)
    .where('reason', '=', 'fulfil')
    .orderBy('id')
    .execute();
const events = async (orderId: string) =>
  (
    await t.db.db.selectFrom('outbox_event').select('type').where('aggregate_id', '=', orderId).orderBy('id').execute()
  ).map((e) => e.type);

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

/** What a refused request must leave untouched. */
async function snapshot(o: Placed) {
  const db = t.db.db;
  return {
    levels: await Promise.all(o.lines.map((l) => level(db, l.itemId, o.locationId))),
    lines: await db
      .selectFrom('order_line')
      .select(['fulfilled_quantity', 'shipped_quantity'])
      .where('order_id', '=', o.orderId)
      .orderBy('position')
      .execute(),
    order: await db
      .selectFrom('order')
      .select(['status', 'fulfillment_status', 'version'])
      .where('id', '=', o.orderId)
      .executeTakeFirst(),
    fulfillments: await db.selectFrom('fulfillment').select('id').where('order_id', '=', o.orderId).execute(),
    events: await events(o.orderId),
    movements: await movements(o.orderId),
  };
}

describe('fulfilment errors', () => {
  it('refuses more units than are left to fulfil (422 naming the field) and changes nothing', async () => {
    const o = await placed({ quantities: [2, 1] });
    const [a, b] = o.lines;
    if (!a || !b) throw new Error('lines');
    expect((await fulfilLines(o.orderId, [{ lineId: a.id, quantity: 1 }])).statusCode).toBe(201);
    const before = await snapshot(o);
    const res = await fulfilLines(o.orderId, [
      { lineId: b.id, quantity: 1 },
      { lineId: a.id, quantity: 2 },
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'FULFILLMENT_QUANTITY_EXCEEDED',
      errors: [{ path: '/body/lines/1/quantity', message: 'only 1 of 2 left to fulfil' }],
    });
    expect(await snapshot(o)).toEqual(before);
  });

  it('refuses lines of another order (422), repeated lines (400) and unknown fields (400)', async () => {
    const o = await placed();
    const other = await placed();
    const before = await snapshot(o);
    const foreign = await fulfilLines(o.orderId, [{ lineId: other.lines[0]?.id ?? '', quantity: 1 }]);
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json()).toMatchObject({ code: 'ORDER_LINE_NOT_FOUND', errors: [{ path: '/body/lines/0/lineId' }] });
    const lineId = o.lines[0]?.id ?? '';
    const twice = await fulfilLines(o.orderId, [
      { lineId, quantity: 1 },
      { lineId, quantity: 1 },
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors).toEqual([{ path: '/body/lines/1/lineId', message: 'appears more than once' }]);
    const extra = await fulfilLines(o.orderId, [{ lineId, quantity: 1 }], { notify: true });
    expect(extra.statusCode).toBe(400);
    expect((await fulfilLines(o.orderId, [])).statusCode).toBe(400);
    expect((await fulfilLines(o.orderId, [{ lineId, quantity: 0 }])).statusCode).toBe(400);
    expect(await snapshot(o)).toEqual(before);
  });

  it('refuses to fulfil an order awaiting payment or cancelled (409), changing nothing', async () => {
    const pending = await placed({ pending: true });
    const before = await snapshot(pending);
    const res = await fulfilLines(pending.orderId, [{ lineId: pending.lines[0]?.id ?? '', quantity: 1 }]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ORDER_NOT_FULFILLABLE', status: 409 });
    expect(await snapshot(pending)).toEqual(before);

    await withTransaction(t.db.db, (tx) =>
      transition(tx, systemActor, {
        orderId: pending.orderId,
        field: 'status',
        from: 'pending_payment',
        to: 'cancelled',
      }),
    );
    const cancelled = await fulfilLines(pending.orderId, [{ lineId: pending.lines[0]?.id ?? '', quantity: 1 }]);
    expect(cancelled.statusCode).toBe(409);
    expect(cancelled.json().code).toBe('ORDER_NOT_FULFILLABLE');
  });

  it('refuses a location that does not hold the reserved units (409) or does not exist (400), changing nothing', async () => {
    const o = await placed();
    const elsewhere = await makeLocation(t.db.db);
    const before = await snapshot(o);
    const lines = [{ lineId: o.lines[0]?.id ?? '', quantity: 1 }];
    const res = await fulfilLines(o.orderId, lines, { locationId: elsewhere.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('RESERVATION_INSUFFICIENT');
    const missing = await fulfilLines(o.orderId, lines, { locationId: 'sloc_nope' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([{ path: '/body/locationId', message: 'is not a stock location' }]);
    expect(await snapshot(o)).toEqual(before);
  });

  it('asks for a location when the reserved units are split across locations, and fulfils from each', async () => {
    const o = await placed({ quantities: [3], splitStock: 1 });
    const lineId = o.lines[0]?.id ?? '';
    const res = await fulfilLines(o.orderId, [{ lineId, quantity: 3 }]);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'FULFILLMENT_LOCATION_REQUIRED', errors: [{ path: '/body/locationId' }] });
    // Two units fit at the main location alone: it is chosen without being named.
    const main = await fulfilLines(o.orderId, [{ lineId, quantity: 2 }]);
    expect(main.statusCode).toBe(201);
    expect(main.json().locationId).toBe(o.locationId);
    const rest = await fulfilLines(o.orderId, [{ lineId, quantity: 1 }], { locationId: o.otherLocationId });
    expect(rest.statusCode).toBe(201);
    expect((await detail(o.orderId)).fulfillmentStatus).toBe('fulfilled');
    expect(await verifyLedger(t.db.db)).toEqual([]);
  });

  it('refuses a tracking URL that is not http(s) (400) and leaves the parcel unshipped', async () => {
    const o = await placed();
    const f = (await fulfilLines(o.orderId, [{ lineId: o.lines[0]?.id ?? '', quantity: 1 }])).json();
    for (const trackingUrl of ['javascript:alert(1)', 'ftp://track.example/1', 'not a url', 'https://']) {
      const res = await ship(o.orderId, f.id, { trackingUrl });
      expect(res.statusCode, trackingUrl).toBe(400);
      expect(res.json().errors[0].path).toBe('/body/trackingUrl');
    }
    expect((await ship(o.orderId, f.id, { carrier: ' ' })).statusCode).toBe(400);
    const after = await t.app.inject({ method: 'GET', url: base(o.orderId), headers: auth(staff) });
    expect(after.json().data[0]).toMatchObject({ status: 'created', carrier: null, trackingNumber: null });
    const mail = await t.db.db.selectFrom('notification').select('id').where('recipient', '=', o.email).execute();
    expect(mail).toHaveLength(0);
  });

  it('answers 404 for an unknown order, an unknown parcel, or a parcel of another order', async () => {
    const o = await placed();
    const other = await placed();
    const f = (await fulfilLines(other.orderId, [{ lineId: other.lines[0]?.id ?? '', quantity: 1 }])).json();
    expect((await fulfilLines('ord_nope', [{ lineId: 'ordl_x', quantity: 1 }])).statusCode).toBe(404);
    expect((await ship(o.orderId, 'ful_nope')).statusCode).toBe(404);
    expect((await ship(o.orderId, f.id)).statusCode).toBe(404);
    expect((await deliver(o.orderId, f.id)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: base('ord_nope'), headers: auth(staff) })).statusCode).toBe(404);
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

describe('fulfilment under concurrency', () => {
  it('two parallel fulfilments of the same last units: exactly one succeeds, the other is refused', async () => {
    for (let round = 0; round < 3; round++) {
      const o = await placed({ quantities: [2] });
      const lines = [{ lineId: o.lines[0]?.id ?? '', quantity: 2 }];
      const results = await Promise.all([fulfilLines(o.orderId, lines), fulfilLines(o.orderId, lines)]);
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes).toEqual([201, 422]);
      expect(results.find((r) => r.statusCode === 422)?.json().code).toBe('FULFILLMENT_QUANTITY_EXCEEDED');
      const s = await snapshot(o);
      expect(s.fulfillments).toHaveLength(1);
      expect(s.lines).toEqual([{ fulfilled_quantity: 2, shipped_quantity: 0 }]);
      expect(s.levels).toEqual([expect.objectContaining({ on_hand: 8, reserved: 0 })]);
      expect(s.events.filter((e) => e === 'fulfillment.created')).toHaveLength(1);
    }
    expect(await verifyLedger(t.db.db)).toEqual([]);
  });

  it('two parallel shipments of one parcel: one ships, the other gets 409, and one email is queued', async () => {
    const o = await placed();
    const f = (await fulfilLines(o.orderId, [{ lineId: o.lines[0]?.id ?? '', quantity: 2 }])).json();
    const results = await Promise.all([ship(o.orderId, f.id), ship(o.orderId, f.id, { trackingNumber: 'JD0002' })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const mail = await t.db.db.selectFrom('notification').select('id').where('recipient', '=', o.email).execute();
    expect(mail).toHaveLength(1);
    expect((await snapshot(o)).lines).toEqual([{ fulfilled_quantity: 2, shipped_quantity: 2 }]);
  });
});
