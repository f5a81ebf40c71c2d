import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CartDeps, getCart } from '../../src/modules/checkout/index.js';
import { wireModules } from '../../src/wiring.js';
import { countStatements } from '../catalog/storefront.support.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { address, type Cart, newCart, product, type Shop, seedShop, store } from './carts.helpers.js';

let t: TestApp;
let shop: Shop;
const call = () => store(t);
beforeAll(async () => {
  t = await createTestApp();
  shop = await seedShop(t);
});
afterAll(async () => {
  await t?.close();
});

const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('carts: happy flows', () => {
  it('creates a guest cart in the shop default region, by region id, by country and by currency', async () => {
    const plain = await newCart(t);
    expect(plain).toMatchObject({ status: 'open', customerId: null, currency: 'EUR', lines: [], promoCodes: [] });
    expect(plain.id).toMatch(/^cart_[0-9a-z]{26}$/);
    expect(plain.region?.id).toBe(shop.regionId);
    expect(plain.totals).toEqual({
      subtotal: eur(0),
      discountTotal: eur(0),
      shippingTotal: eur(0),
      taxTotal: eur(0),
      total: eur(0),
      taxLines: [],
    });
    const bodiless = await t.app.inject({ method: 'POST', url: '/v1/store/carts' });
    expect(bodiless.statusCode).toBe(201);
    expect(bodiless.headers.location).toBe(`/v1/store/carts/${bodiless.json<Cart>().id}`);
    expect((await newCart(t, { regionId: shop.usRegionId })).currency).toBe('USD');
    expect((await newCart(t, { countryCode: 'US' })).region?.id).toBe(shop.usRegionId);
    const gbp = await newCart(t, { currency: 'GBP', regionId: undefined as unknown as string });
    expect(gbp.currency).toBe('GBP');
    expect((await call()('GET', `/v1/store/carts/${plain.id}`)).json<Cart>().id).toBe(plain.id);
  });

  it('adds lines, adds to the same variant line, changes and removes lines, pricing from the catalog', async () => {
    const a = await product(t, { prices: [{ currency: 'EUR', amount: 1000 }] });
    const b = await product(t, { prices: [{ currency: 'EUR', amount: 250 }] });
    const cart = await newCart(t);
    const url = `/v1/store/carts/${cart.id}`;
    const first = await call()('POST', `${url}/lines`, { variantId: a.variantId, quantity: 2 });
    expect(first.statusCode).toBe(200);
    await call()('POST', `${url}/lines`, { variantId: a.variantId, quantity: 3 });
    const two = (await call()('POST', `${url}/lines`, { variantId: b.variantId, quantity: 1 })).json<Cart>();
    expect(two.lines.map((l) => [l.variantId, l.quantity, l.unitPrice.amount, l.subtotal.amount])).toEqual([
      [a.variantId, 5, 1000, 5000],
      [b.variantId, 1, 250, 250],
    ]);
    expect(two.lines[0]).toMatchObject({ productId: a.productId, available: true, sku: expect.stringMatching(/^CT-/) });
    expect(two.totals.subtotal).toEqual(eur(5250));
    const lineB = two.lines[1]?.id as string;
    const changed = (await call()('PATCH', `${url}/lines/${lineB}`, { quantity: 4 })).json<Cart>();
    expect(changed.lines[1]?.quantity).toBe(4);
    const removed = (await call()('DELETE', `${url}/lines/${lineB}`)).json<Cart>();
    expect(removed.lines.map((l) => l.variantId)).toEqual([a.variantId]);
    const lineA = removed.lines[0]?.id as string;
    const empty = (await call()('PATCH', `${url}/lines/${lineA}`, { quantity: 0 })).json<Cart>();
    expect(empty.lines).toEqual([]);
  });

  it('prices a mixed cart in a tax-inclusive region exactly: per line, per rate, shipping and total', async () => {
    const std = await product(t, { prices: [{ currency: 'EUR', amount: 1999 }], weightGrams: 100 });
    const book = await product(t, { prices: [{ currency: 'EUR', amount: 1050 }], categoryIds: [shop.booksId] });
    const cart = await newCart(t, { countryCode: 'DE' });
    const url = `/v1/store/carts/${cart.id}`;
    await call()('POST', `${url}/lines`, { variantId: std.variantId, quantity: 3 });
    await call()('POST', `${url}/lines`, { variantId: book.variantId, quantity: 2 });
    await call()('PATCH', url, { email: ' Ada@Example.com ', shippingAddress: address });
    const options = await call()('GET', `${url}/shipping-options`);
    expect(options.statusCode).toBe(200);
    expect(options.json<{ data: { id: string; amount: unknown }[] }>().data).toEqual([
      { id: shop.heavyOnlyId, name: 'Letter', amount: eur(150) },
      { id: shop.flatId, name: 'Standard', amount: eur(490) },
    ]);
    const res = await call()('POST', `${url}/shipping-method`, { optionId: shop.flatId });
    expect(res.statusCode).toBe(200);
    const priced = res.json<Cart>();
    expect(priced.email).toBe('ada@example.com');
    expect(priced.lines.map((l) => [l.subtotal.amount, l.tax.amount, l.total.amount])).toEqual([
      [5997, 958, 5997],
      [2100, 137, 2100],
    ]);
    expect(priced.shippingMethod).toEqual({ optionId: shop.flatId, name: 'Standard', amount: eur(490) });
    expect(priced.totals).toEqual({
      subtotal: eur(8097),
      discountTotal: eur(0),
      shippingTotal: eur(490),
      taxTotal: eur(1173),
      total: eur(8587),
      taxLines: [
        { rate: 7000, base: eur(1963), tax: eur(137) },
        { rate: 19000, base: eur(5451), tax: eur(1036) },
      ],
    });
  });

  it('lets the shipping country pick the region, and a region change re-prices in its currency', async () => {
    const p = await product(t, {
      prices: [
        { currency: 'EUR', amount: 1000 },
        { currency: 'USD', amount: 1100 },
      ],
    });
    const cart = await newCart(t, { currency: 'EUR' });
    expect(cart.region).toBeNull();
    const url = `/v1/store/carts/${cart.id}`;
    await call()('POST', `${url}/lines`, { variantId: p.variantId, quantity: 1 });
    const de = (await call()('PATCH', url, { shippingAddress: address })).json<Cart>();
    expect(de.region?.id).toBe(shop.regionId);
    const us = await call()('PATCH', url, {
      regionId: shop.usRegionId,
      shippingAddress: { ...address, countryCode: 'US', postalCode: '10001', city: 'New York' },
    });
    expect(us.statusCode).toBe(200);
    expect(us.json<Cart>()).toMatchObject({ currency: 'USD', totals: { total: { amount: 1100, currency: 'USD' } } });
  });

  it('stores promo codes once, upper-cased, and removes them', async () => {
    const cart = await newCart(t);
    const url = `/v1/store/carts/${cart.id}/promo-codes`;
    await call()('POST', url, { code: 'summer10' });
    const twice = (await call()('POST', url, { code: 'SUMMER10' })).json<Cart>();
    expect(twice.promoCodes).toEqual(['SUMMER10']);
    expect((await call()('DELETE', `${url}/summer10`)).json<Cart>().promoCodes).toEqual([]);
  });

  it('allocates discounts from the promotion seam to lines exactly', async () => {
    const a = await product(t, { prices: [{ currency: 'EUR', amount: 1000 }] });
    const b = await product(t, { prices: [{ currency: 'EUR', amount: 2000 }] });
    const cart = await newCart(t, { countryCode: 'DE' });
    await call()('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: a.variantId, quantity: 1 });
    await call()('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: b.variantId, quantity: 1 });
    const deps: CartDeps = {
      db: t.db.db,
      inventory: wireModules(t.db.db).inventory,
      holdTtlSeconds: 900,
      holdAt: 'checkout',
      discountsFor: async (snapshot) => {
        expect(snapshot.lines.map((l) => l.subtotal)).toEqual([1000, 2000]);
        return { discounts: [{ promotionId: 'promo_x', target: 'order', amount: 100 }] };
      },
    };
    const priced = await getCart(deps, { type: 'anonymous' }, cart.id);
    expect(priced.lines.map((l) => l.discount.amount)).toEqual([33, 67]);
    expect(priced.totals.discountTotal.amount).toBe(100);
    expect(priced.totals.total.amount).toBe(2900);
  });

  it('creates a cart and adds lines within their statement budgets, answering what a read of the cart says', async () => {
    const p = await product(t);
    const q = await product(t);
    // Warm: the first pricing under a settings token reads the region and the tax rule; later ones find them cached.
    const warm = await newCart(t, { countryCode: 'DE' });
    await call()('POST', `/v1/store/carts/${warm.id}/lines`, { variantId: p.variantId, quantity: 1 });

    const created = await countStatements(() => t.app.inject({ method: 'POST', url: '/v1/store/carts', payload: {} }));
    expect(created.result.statusCode).toBe(201);
    // The default region, then one insert that resolves the channel and returns the settings token.
    expect(created.count, created.sql.join('\n')).toBeLessThanOrEqual(2);
    const cart = await newCart(t, { countryCode: 'DE' });
    const url = `/v1/store/carts/${cart.id}`;
    for (const [variantId, quantity] of [
      [p.variantId, 1],
      [q.variantId, 2],
      [p.variantId, 3],
    ] as const) {
      const { result, count, sql } = await countStatements(() =>
        call()('POST', `${url}/lines`, { variantId, quantity }),
      );
      expect(result.statusCode).toBe(200);
      // BEGIN, lock the cart with its lines, the variants (the cart's and the new one), upsert the line, COMMIT;
      // then promotions (one statement: codes and automatic promotions). Priced from what the transaction read.
      expect(count, sql.join('\n')).toBeLessThanOrEqual(6);
      const read = await call()('GET', url);
      expect(result.json<Cart>()).toEqual(read.json<Cart>());
    }
    const patched = await countStatements(() =>
      call()('PATCH', url, { email: 'Budget@Example.com', shippingAddress: address }),
    );
    expect(patched.result.statusCode).toBe(200);
    // BEGIN, lock the cart with its lines, update returning the row, COMMIT; then the variants and promotions.
    expect(patched.count, patched.sql.join('\n')).toBeLessThanOrEqual(6);
    expect(patched.result.json<Cart>()).toEqual((await call()('GET', url)).json<Cart>());
    const paid = await countStatements(() => call()('POST', `${url}/payment`, { provider: 'manual' }));
    expect(paid.result.statusCode, paid.result.body).toBe(200);
    // BEGIN, lock the cart with its lines, update returning the row (the region's providers come from the settings
    // cache), COMMIT; then the variants and promotions.
    expect(paid.count, paid.sql.join('\n')).toBeLessThanOrEqual(6);
    expect(paid.result.json<{ cart: Cart }>().cart).toEqual((await call()('GET', url)).json<Cart>());
    const final = (await call()('GET', url)).json<Cart>();
    expect(final.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      [p.variantId, 4],
      [q.variantId, 2],
    ]);
  });
});
