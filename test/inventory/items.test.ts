import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hold } from '../../src/modules/inventory/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { deps, makeLocation, makeVariants, receive, variantStock } from './inventory.helpers.js';

let t: TestApp;
let token: string;
let loc: string;
let other: string;
beforeAll(async () => {
  t = await createTestApp();
  token = (await staffSession(t, 'role_catalog_manager')).token;
  loc = (await makeLocation(t.db.db, 'items-main', 1)).id;
  other = (await makeLocation(t.db.db, 'items-other', 2)).id;
});
afterAll(() => t.close());

const call = (method: 'GET' | 'PATCH' | 'PUT', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) });

describe('items and levels', () => {
  it('lists items by SKU with levels, filtered by SKU, location and low stock, with a cursor', async () => {
    const vs = await makeVariants(t.db.db, 3);
    for (const [i, v] of vs.entries()) if (i > 0) await receive(t.db.db, v.itemId, loc, i * 10);
    await call('PATCH', `/v1/admin/inventory/items/${vs[1]!.itemId}`, { lowStockThreshold: 10 });
    const one = await call('GET', `/v1/admin/inventory/items?sku=${vs[0]!.sku.slice(4).toLowerCase()}`);
    expect(one.statusCode).toBe(200);
    expect(one.json().data).toHaveLength(1);
    expect(one.json().data[0]).toMatchObject({
      id: vs[0]!.itemId,
      sku: vs[0]!.sku,
      tracked: true,
      available: 0,
      lowStock: true,
    });
    const low = (await call('GET', '/v1/admin/inventory/items?lowStock=true&limit=100'))
      .json()
      .data.map((i: { id: string }) => i.id);
    expect(low).toContain(vs[0]!.itemId);
    expect(low).toContain(vs[1]!.itemId);
    expect(low).not.toContain(vs[2]!.itemId);
    const atLoc = (await call('GET', `/v1/admin/inventory/items?locationId=${other}&sku=${vs[2]!.sku}`)).json();
    expect(atLoc.data[0].levels).toEqual([expect.objectContaining({ locationId: other, onHand: 0 })]);
    const page1 = (await call('GET', '/v1/admin/inventory/items?limit=2')).json();
    expect(page1.data).toHaveLength(2);
    const page2 = (await call('GET', `/v1/admin/inventory/items?limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2.data[0].sku > page1.data[1].sku).toBe(true);
    expect((await call('GET', '/v1/admin/inventory/items?limit=0')).statusCode).toBe(400);
    expect((await call('GET', '/v1/admin/inventory/items/iitem_nope')).statusCode).toBe(404);
  });

  it('changes item settings; untracked variants are unlimited for catalog', async () => {
    const [v] = await makeVariants(t.db.db, 1);
    const res = await call('PATCH', `/v1/admin/inventory/items/${v!.itemId}`, { tracked: false, lowStockThreshold: 2 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tracked: false, lowStockThreshold: 2, available: null });
    expect(await variantStock(t.db.db, v!.variantId)).toMatchObject({ available: null, low_stock_threshold: 2 });
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('target_id', '=', v!.itemId)
      .execute();
    expect(audit).toMatchObject([
      { action: 'inventory_item.updated', changes: { tracked: { from: true, to: false } } },
    ]);
    expect((await call('PATCH', `/v1/admin/inventory/items/${v!.itemId}`, {})).statusCode).toBe(400);
    expect((await call('PATCH', `/v1/admin/inventory/items/${v!.itemId}`, { lowStockThreshold: -1 })).statusCode).toBe(
      400,
    );
    expect((await call('PATCH', '/v1/admin/inventory/items/iitem_nope', { tracked: true })).statusCode).toBe(404);
  });

  it('refuses to turn backorders off while more is held than on hand (409)', async () => {
    const [v] = await makeVariants(t.db.db, 1);
    await call('PATCH', `/v1/admin/inventory/items/${v!.itemId}`, { allowBackorder: true });
    await withTransaction(t.db.db, (tx) =>
      hold(deps(t.db.db), tx, { cartId: 'cart_bo', lines: [{ variantId: v!.variantId, quantity: 2 }], ttlSeconds: 60 }),
    );
    expect(await variantStock(t.db.db, v!.variantId)).toMatchObject({ available: -2, allow_backorder: true });
    const res = await call('PATCH', `/v1/admin/inventory/items/${v!.itemId}`, { allowBackorder: false });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('BACKORDERS_OUTSTANDING');
    await receive(t.db.db, v!.itemId, loc, 2);
    expect((await call('PATCH', `/v1/admin/inventory/items/${v!.itemId}`, { allowBackorder: false })).statusCode).toBe(
      200,
    );
  });

  it('makes a variant a bundle of items; its availability is the minimum over components', async () => {
    const [a, b, bundle] = await makeVariants(t.db.db, 3);
    await receive(t.db.db, a!.itemId, loc, 7);
    await receive(t.db.db, b!.itemId, loc, 2);
    const res = await call('PUT', `/v1/admin/inventory/variants/${bundle!.variantId}/components`, {
      components: [
        { itemId: a!.itemId, quantity: 3 },
        { itemId: b!.itemId, quantity: 1 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(await variantStock(t.db.db, bundle!.variantId)).toMatchObject({ available: 2 });
    await receive(t.db.db, b!.itemId, loc, 5);
    expect(await variantStock(t.db.db, bundle!.variantId)).toMatchObject({ available: 2 });
    await receive(t.db.db, a!.itemId, loc, 2);
    expect(await variantStock(t.db.db, bundle!.variantId)).toMatchObject({ available: 3 });
    const unknown = await call('PUT', `/v1/admin/inventory/variants/${bundle!.variantId}/components`, {
      components: [{ itemId: 'iitem_nope', quantity: 1 }],
    });
    expect(unknown.statusCode).toBe(404);
    const noVariant = await call('PUT', '/v1/admin/inventory/variants/var_nope/components', {
      components: [{ itemId: a!.itemId, quantity: 1 }],
    });
    expect(noVariant.statusCode).toBe(404);
    const empty = await call('PUT', `/v1/admin/inventory/variants/${bundle!.variantId}/components`, { components: [] });
    expect(empty.statusCode).toBe(400);
  });
});

describe('movement history', () => {
  it('lists an item ledger newest first, filtered by location, reason and time, with a cursor', async () => {
    const [v] = await makeVariants(t.db.db, 1);
    await receive(t.db.db, v!.itemId, loc, 5);
    await receive(t.db.db, v!.itemId, other, 3);
    await receive(t.db.db, v!.itemId, loc, 1);
    const url = `/v1/admin/inventory/items/${v!.itemId}/movements`;
    const all = (await call('GET', url)).json();
    expect(all.data.map((m: { deltaOnHand: number }) => m.deltaOnHand)).toEqual([1, 3, 5]);
    expect(all.data[0]).toMatchObject({ itemId: v!.itemId, reason: 'received', actorType: 'system' });
    expect((await call('GET', `${url}?locationId=${loc}`)).json().data).toHaveLength(2);
    expect((await call('GET', `${url}?reason=hold`)).json().data).toHaveLength(0);
    expect(
      (await call('GET', `${url}?since=2000-01-01T00:00:00Z&until=2001-01-01T00:00:00Z`)).json().data,
    ).toHaveLength(0);
    const p1 = (await call('GET', `${url}?limit=2`)).json();
    const p2 = (await call('GET', `${url}?limit=2&cursor=${p1.nextCursor}`)).json();
    expect([...p1.data, ...p2.data].map((m: { id: string }) => m.id)).toEqual(
      all.data.map((m: { id: string }) => m.id),
    );
    expect(p2.nextCursor).toBeNull();
    expect((await call('GET', `${url}?reason=stolen`)).statusCode).toBe(400);
    expect((await call('GET', `${url}?since=yesterday`)).statusCode).toBe(400);
    expect((await call('GET', '/v1/admin/inventory/items/iitem_nope/movements')).statusCode).toBe(404);
  });

  it('the ledger is append-only', async () => {
    const [v] = await makeVariants(t.db.db, 1);
    await receive(t.db.db, v!.itemId, loc, 5);
    await expect(
      t.db.db.updateTable('stock_movement').set({ delta_on_hand: 6 }).where('item_id', '=', v!.itemId).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.db.deleteFrom('stock_movement').where('item_id', '=', v!.itemId).execute()).rejects.toThrow(
      /append-only/,
    );
  });
});
