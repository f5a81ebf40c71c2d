import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStoreProduct, listStoreProducts } from '../../src/modules/catalog/storefront.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type CreatedProduct, createProducts } from './catalog.fixtures.js';
import { countStatements, type StoreProduct, storeGet } from './storefront.support.js';

let t: TestApp;
let shirt: CreatedProduct;
beforeAll(async () => {
  t = await createTestApp();
  [shirt] = (await createProducts(t.db.db, [
    {
      title: 'Linen shirt',
      options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
      variants: [
        {
          options: { Size: 'S' },
          prices: { EUR: 4900, USD: 5500 },
          compareAt: { EUR: 5900 },
          stock: { available: 10, lowStockThreshold: 3 },
        },
        { options: { Size: 'M' }, prices: { EUR: 4900 }, stock: { available: 2, lowStockThreshold: 3 } },
        { options: { Size: 'L' }, prices: { EUR: 5200 }, stock: { available: 0 } },
      ],
    },
  ])) as [CreatedProduct];
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, app = t) => storeGet(app, `/v1/store/products/${path}`);

describe('GET /v1/store/products/{idOrHandle}', () => {
  it('returns the product by id and by handle with options, prices and availability, in one statement', async () => {
    const { result: res, count } = await countStatements(() => get(shirt.id));
    expect(res.statusCode).toBe(200);
    expect(count).toBe(1);
    const product = res.json<StoreProduct>();
    expect(product).toMatchObject({
      id: shirt.id,
      handle: shirt.handle,
      title: 'Linen shirt',
      currency: 'EUR',
      availability: 'in_stock',
      options: [{ name: 'Size', values: ['S', 'M', 'L'] }],
      priceRange: { min: { amount: 4900, currency: 'EUR' }, max: { amount: 5200, currency: 'EUR' } },
    });
    expect(product.variants.map((v) => [v.price?.amount, v.compareAtPrice?.amount ?? null, v.availability])).toEqual([
      [4900, 5900, 'in_stock'],
      [4900, null, 'low_stock'],
      [5200, null, 'out_of_stock'],
    ]);
    expect((await get(shirt.handle)).json<StoreProduct>().id).toBe(shirt.id);
  });

  it('shows another currency, with null prices where a variant has none', async () => {
    const product = (await get(`${shirt.handle}?currency=USD`)).json<StoreProduct>();
    expect(product.currency).toBe('USD');
    expect(product.variants.map((v) => v.price)).toEqual([{ amount: 5500, currency: 'USD' }, null, null]);
    expect(product.priceRange).toEqual({
      min: { amount: 5500, currency: 'USD' },
      max: { amount: 5500, currency: 'USD' },
    });
    const none = (await get(`${shirt.handle}?currency=JPY`)).json<StoreProduct>();
    expect(none).toMatchObject({ currency: 'JPY', priceRange: null });
  });

  it('answers 404 for unknown, draft, archived and unpublished products', async () => {
    const [draft, archived, hidden] = await createProducts(t.db.db, [
      { title: 'Draft thing', status: 'draft' },
      { title: 'Archived thing', status: 'archived' },
      { title: 'Hidden thing', channels: [] },
    ]);
    for (const ref of ['prod_nope', 'no-such-handle', draft!.id, archived!.handle, hidden!.id, hidden!.handle]) {
      const res = await get(ref);
      expect(res.statusCode, ref).toBe(404);
      expect(res.json(), ref).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('includes exact stock counts only when the shop enables them (null = not tracked)', async () => {
    const [untracked] = await createProducts(t.db.db, [{ title: 'Gift card' }]);
    const on = { showStockCounts: true };
    const product = await getStoreProduct(t.db.db, null, shirt.id, undefined, on);
    expect(product.variants.map((v) => v.available)).toEqual([10, 2, 0]);
    const gift = await getStoreProduct(t.db.db, null, untracked!.id, undefined, on);
    expect(gift.variants.map((v) => [v.available, v.availability])).toEqual([[null, 'in_stock']]);
    const listed = await listStoreProducts(t.db.db, null, { limit: 20 }, on);
    expect(listed.data.find((x) => x.id === shirt.id)?.variants.map((v) => v.available)).toEqual([10, 2, 0]);
    const off = (await get(shirt.id)).json<StoreProduct>();
    expect(off.variants[0]).not.toHaveProperty('available');
  });

  it('refuses a malformed currency (400 naming it)', async () => {
    for (const c of ['usd', 'EURO', 'XYZ']) {
      const res = await get(`${shirt.id}?currency=${c}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ errors: [{ path: '/query/currency' }] });
    }
  });
});
