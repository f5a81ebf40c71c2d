import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { makeLocation } from '../inventory/inventory.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { dashboard } from './dashboard.helpers.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t, 'role_owner')).token;
});
afterAll(async () => {
  await t?.close();
});

const call = async (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) => {
  const res = await t.app.inject({ method, url, headers: auth(owner), payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<Record<string, unknown>>();
};

const n = Date.now().toString(36);
let productId: string;
let itemId: string;
let locationCode: string;
let customerId: string;

describe('dashboard activity and low stock', () => {
  it('describes a product, stock adjustments and a registration, newest first', async () => {
    const p = await call('POST', '/v1/admin/products', {
      title: `Brass desk lamp ${n}`,
      handle: `brass-desk-lamp-${n}`,
      status: 'active',
      variants: [{ sku: `LAMP-${n}`, title: 'Brass', prices: [{ currency: 'EUR', amount: 4900 }] }],
    });
    productId = p.id as string;
    const variantId = (p.variants as { id: string }[])[0]?.id as string;
    itemId = (
      await t.db.db
        .selectFrom('inventory_item')
        .select('id')
        .where('variant_id', '=', variantId)
        .executeTakeFirstOrThrow()
    ).id;
    const loc = await makeLocation(t.db.db);
    locationCode = loc.code;
    await call('POST', `/v1/admin/inventory/items/${itemId}/adjustments`, {
      locationId: loc.id,
      delta: 5,
      reason: 'received',
      note: 'Call Ada Lovelace about the invoice',
    });
    await call('PATCH', `/v1/admin/inventory/items/${itemId}`, { lowStockThreshold: 3 });
    await call('POST', `/v1/admin/inventory/items/${itemId}/adjustments`, {
      locationId: loc.id,
      delta: -3,
      reason: 'damaged',
    });
    const c = await t.app.inject({
      method: 'POST',
      url: '/v1/store/customers',
      payload: { email: `reader.${n}@example.com`, password: 'quiet-harbour-lantern-42' },
    });
    expect(c.statusCode).toBe(201);
    customerId = c.json<{ id: string }>().id;

    const d = await dashboard(t, owner);
    const lines = d.activity.map((l) => [l.type, l.description, l.resource.path]);
    // Threshold crossings (low stock, back in stock) are the low-stock card's business, not activity lines.
    expect(lines.slice(0, 4)).toEqual([
      ['customer.created', `Customer reader.${n}@example.com registered`, `/customers/${customerId}`],
      ['inventory.adjusted', `Stock of LAMP-${n} adjusted -3 at ${locationCode} (damaged)`, `/inventory/${itemId}`],
      ['inventory.adjusted', `Stock of LAMP-${n} adjusted +5 at ${locationCode} (received)`, `/inventory/${itemId}`],
      ['product.created', `Product “Brass desk lamp ${n}” created`, `/products/${productId}`],
    ]);
    // The adjustment's free-text note is not copied into the event (it reaches webhook endpoints).
    expect(JSON.stringify(d.activity)).not.toContain('Ada Lovelace');
    const ev = await t.db.db
      .selectFrom('outbox_event')
      .select('payload')
      .where('type', '=', 'inventory.adjusted')
      .where('aggregate_id', '=', itemId)
      .execute();
    expect(ev.map((e) => (e.payload as { delta: number }).delta).sort()).toEqual([-3, 5]);
    expect(JSON.stringify(ev)).not.toContain('Ada Lovelace');
  });

  it('lists low-stock items with their title, locations and threshold, emptiest first', async () => {
    const d = await dashboard(t, owner);
    const mine = d.lowStock?.items.find((i) => i.itemId === itemId);
    expect(mine).toMatchObject({
      sku: `LAMP-${n}`,
      title: `Brass desk lamp ${n}`,
      variantTitle: 'Brass',
      available: 2,
      lowStockThreshold: 3,
      locations: [{ code: locationCode, available: 2 }],
    });
    const avail = d.lowStock?.items.map((i) => i.available) ?? [];
    expect(avail).toEqual([...avail].sort((a, b) => a - b));
    expect(d.lowStock?.items.length).toBeLessThanOrEqual(10);
    expect(d.lowStock?.total).toBeGreaterThanOrEqual(d.lowStock?.items.length ?? 0);
    for (const i of d.lowStock?.items ?? []) expect(i.available).toBeLessThanOrEqual(i.lowStockThreshold);

    // Restocked above the threshold: off the list.
    const loc = await t.db.db
      .selectFrom('stock_location')
      .select('id')
      .where('code', '=', locationCode)
      .executeTakeFirstOrThrow();
    await call('POST', `/v1/admin/inventory/items/${itemId}/adjustments`, {
      locationId: loc.id,
      delta: 10,
      reason: 'received',
    });
    const after = await dashboard(t, owner);
    expect(after.lowStock?.items.map((i) => i.itemId)).not.toContain(itemId);
    expect(after.lowStock?.total).toBe((d.lowStock?.total ?? 0) - 1);
  });

  it('shows each member only what their permissions read: no low stock or stock lines without inventory:read', async () => {
    const support = (await staffSession(t, 'role_support')).token; // orders, customers, catalog — not inventory
    const s = await dashboard(t, support);
    expect(s).not.toHaveProperty('lowStock');
    const types = new Set(s.activity.map((l) => l.type));
    expect(types.has('customer.created')).toBe(true);
    expect(types.has('product.created')).toBe(true);
    expect([...types].filter((x) => x.startsWith('inventory.'))).toEqual([]);

    const ordersOnly = (await staffSession(t, await customRole(t, ['orders:read']))).token;
    const o = await dashboard(t, ordersOnly);
    expect(o).not.toHaveProperty('lowStock');
    expect(o.activity.filter((l) => l.resource.type !== 'order')).toEqual([]);
  });
});
