import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/inventory/index.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrder } from './placed-order.helpers.js';

/** Fulfilment of orders placed through a real storefront checkout (manual payment provider). */
let t: TestApp;
let staff: string;
beforeAll(async () => {
  t = await createTestApp();
  staff = (await staffSession(t, 'role_fulfilment')).token;
});
afterAll(async () => {
  await t?.close();
});

const post = (url: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url, headers: auth(staff), ...(payload ? { payload } : {}) });

async function levelOf(variantId: string, locationId: string) {
  return t.db.db
    .selectFrom('inventory_level')
    .innerJoin('inventory_item', 'inventory_item.id', 'inventory_level.item_id')
    .select(['on_hand', 'reserved', 'held'])
    .where('inventory_item.variant_id', '=', variantId)
    .where('location_id', '=', locationId)
    .executeTakeFirstOrThrow();
}

describe('fulfilling a checked-out order', () => {
  it('a paid customer order: fulfil every line, ship, deliver → completed; the customer sees the tracking', async () => {
    const o = await placeOrder(t, { quantities: [2, 1], customer: true, capture: true });
    const before = await Promise.all(o.lines.map((l) => levelOf(l.variantId, o.locationId)));

    const created = await post(`/v1/admin/orders/${o.orderId}/fulfillments`, {
      lines: o.lines.map((l) => ({ lineId: l.id, quantity: l.quantity })),
    });
    expect(created.statusCode).toBe(201);
    const f = created.json<{ id: string; locationId: string }>();
    expect(f.locationId).toBe(o.locationId);
    const after = await Promise.all(o.lines.map((l) => levelOf(l.variantId, o.locationId)));
    o.lines.forEach((l, i) => {
      expect(after[i]?.on_hand).toBe((before[i]?.on_hand ?? 0) - l.quantity);
      expect(after[i]?.reserved).toBe((before[i]?.reserved ?? 0) - l.quantity);
    });

    const shipped = await post(`/v1/admin/orders/${o.orderId}/fulfillments/${f.id}/ship`, {
      carrier: 'DHL',
      trackingNumber: '00340434161094042557',
      trackingUrl: 'https://www.dhl.de/track?piececode=00340434161094042557',
    });
    expect(shipped.statusCode).toBe(200);

    const mine = await t.app.inject({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${o.orderId}`,
      headers: auth(o.customerToken ?? ''),
    });
    expect(mine.json()).toMatchObject({
      fulfillmentStatus: 'shipped',
      fulfillments: [
        {
          status: 'shipped',
          carrier: 'DHL',
          trackingNumber: '00340434161094042557',
          trackingUrl: 'https://www.dhl.de/track?piececode=00340434161094042557',
        },
      ],
    });
    const mail = await t.db.db
      .selectFrom('notification')
      .select('body')
      .where('recipient', '=', o.email)
      .where('template', '=', 'order-shipped')
      .executeTakeFirstOrThrow();
    expect(mail.body).toContain('00340434161094042557');
    expect(mail.body).not.toContain('follow separately');

    expect((await post(`/v1/admin/orders/${o.orderId}/fulfillments/${f.id}/deliver`)).statusCode).toBe(200);
    const order = (
      await t.app.inject({ method: 'GET', url: `/v1/admin/orders/${o.orderId}`, headers: auth(staff) })
    ).json();
    expect(order).toMatchObject({ status: 'completed', paymentStatus: 'paid', fulfillmentStatus: 'delivered' });
    const types = (
      await t.db.db.selectFrom('outbox_event').select('type').where('aggregate_id', '=', o.orderId).execute()
    ).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'fulfillment.created',
        'fulfillment.shipped',
        'fulfillment.delivered',
        'order.completed',
      ]),
    );
    expect(await verifyLedger(t.db.db)).toEqual([]);
  });
});
