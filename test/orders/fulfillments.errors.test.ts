import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/inventory/index.js';
import { transition } from '../../src/modules/orders/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { makeLocation } from '../inventory/inventory.helpers.js';
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

const { placed, base, fulfilLines, ship, deliver, detail, snapshot } = fulfilmentKit(
  () => t,
  () => staff,
);

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
