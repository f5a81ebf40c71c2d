import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { events, level, makeLocation, makeVariants, variantStock } from './inventory.helpers.js';

let t: TestApp;
let token: string;
let itemId: string;
let variantId: string;
let locA: string;
let locB: string;
beforeAll(async () => {
  t = await createTestApp();
  token = (await staffSession(t, 'role_fulfilment')).token;
});
afterAll(() => t.close());
beforeEach(async () => {
  const [v] = await makeVariants(t.db.db, 1);
  itemId = v!.itemId;
  variantId = v!.variantId;
  locA = (await makeLocation(t.db.db, undefined, 1)).id;
  locB = (await makeLocation(t.db.db, undefined, 2)).id;
});

const adjust = (payload: object, headers: Record<string, string> = {}, id = itemId) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/admin/inventory/items/${id}/adjustments`,
    headers: { ...auth(token), ...headers },
    payload,
  });
const transfer = (payload: object) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/inventory/transfers', headers: auth(token), payload });
const onHand = async (loc = locA) => (await level(t.db.db, itemId, loc)).on_hand;

describe('adjustments', () => {
  it('adds received units: level, ledger row with the staff actor, audit row and catalog availability', async () => {
    const res = await adjust({ locationId: locA, delta: 12, reason: 'received', note: 'PO 17' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: itemId,
      available: 12,
      levels: expect.arrayContaining([expect.objectContaining({ locationId: locA, onHand: 12, available: 12 })]),
    });
    const mov = await t.db.db.selectFrom('stock_movement').selectAll().where('item_id', '=', itemId).execute();
    expect(mov).toMatchObject([
      {
        delta_on_hand: 12,
        delta_reserved: 0,
        delta_held: 0,
        reason: 'received',
        note: 'PO 17',
        actor_type: 'staff',
        reference_type: 'adjustment',
      },
    ]);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('target_id', '=', itemId)
      .execute();
    expect(audit).toMatchObject([
      { action: 'inventory.adjusted', changes: { reason: 'received', onHand: { from: 0, to: 12 } } },
    ]);
    expect(await variantStock(t.db.db, variantId)).toMatchObject({ available: 12 });
  });

  it('sets on hand with compare-and-set; a stale expectedOnHand is 409 with the current value', async () => {
    await adjust({ locationId: locA, delta: 5, reason: 'received' });
    const stale = await adjust({ locationId: locA, set: 8, expectedOnHand: 4, reason: 'cycle_count' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'ON_HAND_MISMATCH', currentOnHand: 5 });
    expect(await onHand()).toBe(5);
    const ok = await adjust({ locationId: locA, set: 8, expectedOnHand: 5, reason: 'cycle_count' });
    expect(ok.statusCode).toBe(200);
    expect(await onHand()).toBe(8);
  });

  it('refuses to take more than is available (409) and changes nothing', async () => {
    await adjust({ locationId: locA, delta: 3, reason: 'received' });
    const res = await adjust({ locationId: locA, delta: -4, reason: 'damaged' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_STOCK', available: 3, onHand: 3 });
    expect(await onHand()).toBe(3);
    const mov = await t.db.db.selectFrom('stock_movement').select('id').where('item_id', '=', itemId).execute();
    expect(mov).toHaveLength(1);
  });

  it('rejects bad input with 400 naming the field, and unknown ids with 404', async () => {
    const cases: [object, string][] = [
      [{ locationId: locA, delta: 1 }, 'reason'],
      [{ locationId: locA, delta: 1, reason: 'stolen' }, 'reason'],
      [{ locationId: locA, delta: 1, set: 2, expectedOnHand: 0, reason: 'received' }, 'delta'],
      [{ locationId: locA, reason: 'received' }, 'delta'],
      [{ locationId: locA, delta: 0, reason: 'received' }, 'delta'],
      [{ locationId: locA, set: 3, reason: 'received' }, 'expectedOnHand'],
      [{ locationId: locA, delta: 1.5, reason: 'received' }, 'delta'],
    ];
    for (const [payload, field] of cases) {
      const res = await adjust(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(JSON.stringify(res.json().errors), JSON.stringify(payload)).toContain(field);
    }
    expect((await adjust({ locationId: locA, delta: 1, reason: 'received' }, {}, 'iitem_nope')).statusCode).toBe(404);
    expect((await adjust({ locationId: 'sloc_nope', delta: 1, reason: 'received' })).statusCode).toBe(404);
    expect(await onHand()).toBe(0);
  });

  it('replays a retried adjustment with the same Idempotency-Key instead of applying it twice', async () => {
    const key = { 'idempotency-key': `adj-${itemId}` };
    const first = await adjust({ locationId: locA, delta: 7, reason: 'received' }, key);
    const again = await adjust({ locationId: locA, delta: 7, reason: 'received' }, key);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(await onHand()).toBe(7);
  });
});

describe('transfers', () => {
  it('moves units between locations in one transaction with two ledger rows', async () => {
    await adjust({ locationId: locA, delta: 10, reason: 'received' });
    const res = await transfer({ itemId, fromLocationId: locA, toLocationId: locB, quantity: 4, note: 'rebalance' });
    expect(res.statusCode).toBe(200);
    expect([await onHand(locA), await onHand(locB)]).toEqual([6, 4]);
    const mov = await t.db.db
      .selectFrom('stock_movement')
      .select(['location_id', 'delta_on_hand', 'reason'])
      .where('item_id', '=', itemId)
      .where('reason', '=', 'transfer')
      .orderBy('delta_on_hand')
      .execute();
    expect(mov).toEqual([
      { location_id: locA, delta_on_hand: -4, reason: 'transfer' },
      { location_id: locB, delta_on_hand: 4, reason: 'transfer' },
    ]);
  });

  it('refuses a transfer of more than is available, even with backorders, and a transfer to the same place', async () => {
    await adjust({ locationId: locA, delta: 2, reason: 'received' });
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/inventory/items/${itemId}`,
      headers: auth(token),
      payload: { allowBackorder: true },
    });
    const res = await transfer({ itemId, fromLocationId: locA, toLocationId: locB, quantity: 3 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('INSUFFICIENT_STOCK');
    expect([await onHand(locA), await onHand(locB)]).toEqual([2, 0]);
    const same = await transfer({ itemId, fromLocationId: locA, toLocationId: locA, quantity: 1 });
    expect(same.statusCode).toBe(400);
    expect(JSON.stringify(same.json().errors)).toContain('toLocationId');
    expect(
      (await transfer({ itemId: 'iitem_x', fromLocationId: locA, toLocationId: locB, quantity: 1 })).statusCode,
    ).toBe(404);
  });
});

describe('low-stock events', () => {
  it('emits inventory.low_stock when available crosses the threshold and back_in_stock when it leaves zero', async () => {
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/inventory/items/${itemId}`,
      headers: auth(token),
      payload: { lowStockThreshold: 5 },
    });
    const mine = async (type: string) => (await events(t.db.db, type)).filter((e) => e.aggregate_id === itemId);
    await adjust({ locationId: locA, delta: 10, reason: 'received' });
    expect(await mine('inventory.back_in_stock')).toHaveLength(1);
    await adjust({ locationId: locA, delta: -4, reason: 'damaged' });
    expect(await mine('inventory.low_stock')).toHaveLength(0);
    await adjust({ locationId: locA, delta: -2, reason: 'damaged' });
    const low = await mine('inventory.low_stock');
    expect(low).toHaveLength(1);
    expect(low[0]?.payload).toMatchObject({ itemId, variantId, available: 4, previous: 6, lowStockThreshold: 5 });
    await adjust({ locationId: locA, delta: -1, reason: 'lost' });
    expect(await mine('inventory.low_stock')).toHaveLength(1);
    await adjust({ locationId: locA, delta: -3, reason: 'lost' });
    await adjust({ locationId: locA, delta: 1, reason: 'found' });
    expect(await mine('inventory.back_in_stock')).toHaveLength(2);
  });
});
