import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeLocation, makeVariants, receive } from './inventory.helpers.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await createTestApp();
  token = (await staffSession(t, 'role_catalog_manager')).token;
});
afterAll(() => t.close());

const skusOf = async (query: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/v1/admin/inventory/items${query}`, headers: auth(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ data: { sku: string }[] }>().data.map((i) => i.sku);
};

describe('finding items by a list of exact SKUs (the admin search by product title)', () => {
  it('lists exactly the given SKUs, in SKU order', async () => {
    const [a, b, c] = await makeVariants(t.db.db, 3);
    const want = [a!.sku, c!.sku].sort();
    expect(await skusOf(`?skus=${a!.sku}&skus=${c!.sku}`)).toEqual(want);
    // One value is a list of one, not a string.
    expect(await skusOf(`?skus=${b!.sku}`)).toEqual([b!.sku]);
    // Exact: a part of a SKU finds nothing through `skus`.
    expect(await skusOf(`?skus=${b!.sku.slice(0, 6)}`)).toEqual([]);
  });

  it('with `sku` too, lists items matching either, still filtered by low stock', async () => {
    const loc = (await makeLocation(t.db.db)).id;
    const [a, b, c] = await makeVariants(t.db.db, 3);
    await receive(t.db.db, c!.itemId, loc, 50);
    const part = a!.sku.slice(4).toLowerCase();
    expect(await skusOf(`?sku=${part}&skus=${b!.sku}`)).toEqual([a!.sku, b!.sku].sort());
    expect(await skusOf(`?sku=${part}&skus=${b!.sku}&skus=${c!.sku}&lowStock=true`)).toEqual([a!.sku, b!.sku].sort());
  });

  it('refuses more than 100 SKUs or an empty one with 400 naming the field', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `skus=S${i}`).join('&');
    for (const query of [`?${many}`, '?skus=']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/admin/inventory/items${query}`, headers: auth(token) });
      expect(res.statusCode).toBe(400);
      expect(JSON.stringify(res.json().errors)).toContain('skus');
    }
  });
});
