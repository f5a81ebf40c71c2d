import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEventCatalogue, entries, internalEventTypes } from '../../src/event-catalogue.js';
import { signUp } from '../identity/customers.helpers.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { envelope, openApiDoc, outboxEventsSince, webhookValidators } from './catalogue.helpers.js';

/**
 * Real flows over HTTP — a product's life, stock falling below its low-stock threshold and back, a guest
 * checkout with the manual provider, capture, fulfil → ship → deliver, a return, a refund, a cancellation, a
 * customer registration — then every outbox event they wrote must be in the catalogue (a webhook or internal),
 * and every webhook one, rendered as the fan-out renders it, must match its schema in /openapi.json as a
 * consumer would check it. A delivered payload that does not match fails here.
 */

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t, 'role_owner')).token;
});
afterAll(async () => {
  await t?.close();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
async function call(
  method: Method,
  url: string,
  payload?: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const res = await t.app.inject({
    method,
    url,
    headers: { ...auth(owner), ...headers },
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
}

async function productLife() {
  const n = Date.now().toString(36);
  const created = await call('POST', '/v1/admin/products', {
    title: `Catalogue lamp ${n}`,
    handle: `catalogue-lamp-${n}`,
    status: 'active',
    variants: [{ sku: `CAT-${n}`, prices: [{ currency: 'EUR', amount: 4900 }] }],
  });
  const p = created.json<{ id: string; version: number }>();
  const updated = await call(
    'PATCH',
    `/v1/admin/products/${p.id}`,
    { title: `Catalogue lamp ${n} (blue)` },
    {
      'if-match': `"${p.version}"`,
    },
  );
  await call('DELETE', `/v1/admin/products/${p.id}`, undefined, {
    'if-match': `"${updated.json<{ version: number }>().version}"`,
  });
}

async function stockBelowThresholdAndBack(variantId: string, locationId: string) {
  const item = await t.db.db
    .selectFrom('inventory_item')
    .select('id')
    .where('variant_id', '=', variantId)
    .executeTakeFirstOrThrow();
  const available = async () =>
    (await call('GET', `/v1/admin/inventory/items/${item.id}`)).json<{ available: number }>().available;
  await call('PATCH', `/v1/admin/inventory/items/${item.id}`, { lowStockThreshold: 2 });
  const adjust = (delta: number, reason: string) =>
    call('POST', `/v1/admin/inventory/items/${item.id}/adjustments`, { locationId, delta, reason });
  // Down to the threshold (low stock), down to nothing, then back (back in stock).
  await adjust(2 - (await available()), 'damaged');
  await adjust(-2, 'lost');
  expect(await available()).toBe(0);
  await adjust(5, 'found');
}

describe('the event catalogue against real flows', () => {
  it('every event the flows emit is catalogued, and every webhook payload matches its published schema', async () => {
    const watermark =
      (
        await t.db.db
          .selectFrom('outbox_event')
          .select((eb) => eb.fn.max('id').as('id'))
          .executeTakeFirst()
      )?.id ?? '';

    await productLife();
    const customer = await signUp(t);

    // A guest checkout (manual provider), captured, fulfilled, shipped, delivered, partly returned and refunded.
    const order = await placeOrder(t, { quantities: [2, 1] });
    await call('POST', `/v1/admin/orders/${order.orderId}/capture`);
    const f = (
      await call('POST', `/v1/admin/orders/${order.orderId}/fulfillments`, {
        lines: order.lines.map((l) => ({ lineId: l.id, quantity: l.quantity })),
      })
    ).json<{ id: string }>();
    await call('POST', `/v1/admin/orders/${order.orderId}/fulfillments/${f.id}/ship`, {
      carrier: 'DHL',
      trackingNumber: '00340434161094042557',
    });
    await call('POST', `/v1/admin/orders/${order.orderId}/fulfillments/${f.id}/deliver`);
    const [line] = order.lines;
    if (!line) throw new Error('no line');
    const ret = (
      await call('POST', `/v1/admin/orders/${order.orderId}/returns`, {
        lines: [{ orderLineId: line.id, quantity: 1, reason: 'damaged' }],
      })
    ).json<{ id: string; lines: { id: string }[] }>();
    await call('POST', `/v1/admin/returns/${ret.id}/approve`);
    await call('POST', `/v1/admin/returns/${ret.id}/receive`, {
      lines: [{ returnLineId: ret.lines[0]?.id, quantity: 1, restock: true }],
    });
    await call('POST', `/v1/admin/orders/${order.orderId}/refunds`, { amount: { amount: 500, currency: 'EUR' } });
    await stockBelowThresholdAndBack(line.variantId, order.locationId);

    // Another order cancelled by staff before capture: its authorization is voided.
    const cancelled = await placeOrder(t, { quantities: [1] });
    await call('POST', `/v1/admin/orders/${cancelled.orderId}/cancel`, { reason: 'Customer changed their mind' });

    const events = await outboxEventsSince(t.db.db, watermark);
    const types = new Set(events.map((e) => e.type));
    const expected = [
      'product.created',
      'product.updated',
      'product.deleted',
      'order.placed',
      'payment.authorized',
      'payment.captured',
      'fulfillment.created',
      'fulfillment.shipped',
      'fulfillment.delivered',
      'order.completed',
      'return.requested',
      'return.approved',
      'return.received',
      'order.refunded',
      'payment.refunded',
      'inventory.low_stock',
      'inventory.back_in_stock',
      'order.cancelled',
      'payment.voided',
      'customer.created',
      'cart.completed',
      'notification.queued',
    ];
    expect([...types].sort()).toEqual(expect.arrayContaining(expected.sort()));
    const declared = new Set(Object.keys(entries));
    for (const type of types) expect(declared.has(type), `${type} has no catalogue entry`).toBe(true);

    const catalogue = buildEventCatalogue();
    const rendered = await catalogue.render(t.db.db, events);
    const validate = webhookValidators(await openApiDoc(t));
    let checked = 0;
    for (const [i, e] of events.entries()) {
      const r = rendered.get(e.id);
      if (internalEventTypes.has(e.type)) {
        expect(r, `${e.type} is internal`).toBeUndefined();
        continue;
      }
      if (!r) throw new Error(`${e.type} ${e.id} was not rendered`);
      const check = validate(e.type);
      const body = envelope(e, i + 1, r.data);
      expect(check(body), `${e.type}: ${JSON.stringify(check.errors)}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);

    // What a consumer gets: the admin resource, keyed for ordering on the order for everything about one.
    const byType = (type: string) => events.filter((e) => e.type === type).map((e) => rendered.get(e.id));
    const shipped = byType('fulfillment.shipped')[0];
    expect(shipped?.resourceId).toBe(order.orderId);
    expect(shipped?.data).toMatchObject({ id: order.orderId, fulfillments: [{ id: f.id, carrier: 'DHL' }] });
    const admin = (await call('GET', `/v1/admin/orders/${order.orderId}`)).json();
    expect(byType('order.refunded')[0]?.data).toEqual(admin);
    expect(byType('payment.captured').map((r) => r?.resourceId)).toContain(order.orderId);
    expect(byType('product.deleted')[0]?.data).toEqual({ id: expect.stringMatching(/^prod_/), deleted: true });
    expect(byType('inventory.back_in_stock')[0]?.data).toMatchObject({ available: 5, lowStock: false });
    expect(byType('customer.created')[0]).toEqual({
      resourceId: customer.id,
      data: expect.objectContaining({ id: customer.id, email: customer.email, emailVerified: false }),
    });
  });
});
