import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVariants } from '../inventory/inventory.helpers.js';
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

const problem = (res: { statusCode: number; json: () => unknown }, status: number, code: string, path?: string) => {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { code: string; errors?: { path: string }[] };
  expect(body.code).toBe(code);
  if (path) expect(body.errors?.map((e) => e.path)).toContain(path);
};
const lineCount = async (cartId: string) =>
  (await t.db.db.selectFrom('cart_line').select('quantity').where('cart_id', '=', cartId).execute()).length;

describe('carts: errors', () => {
  it('refuses bad creation input with 400 or 422 naming the field', async () => {
    const post = (body: Record<string, unknown>) => call()('POST', '/v1/store/carts', body);
    problem(await post({ currency: 'eur' }), 400, 'VALIDATION_FAILED');
    problem(await post({ currency: 'ZZZ' }), 400, 'VALIDATION_FAILED', '/body/currency');
    problem(await post({ countryCode: 'ZZ' }), 400, 'VALIDATION_FAILED', '/body/countryCode');
    problem(await post({ extra: 1 }), 400, 'VALIDATION_FAILED');
    problem(await post({ regionId: 'reg_nope' }), 422, 'UNKNOWN_REGION', '/body/regionId');
    problem(await post({ countryCode: 'FR' }), 422, 'COUNTRY_NOT_SERVED', '/body/countryCode');
    problem(
      await post({ regionId: shop.regionId, countryCode: 'US' }),
      422,
      'COUNTRY_NOT_IN_REGION',
      '/body/countryCode',
    );
    problem(await post({ regionId: shop.regionId, currency: 'USD' }), 422, 'CURRENCY_NOT_OF_REGION', '/body/currency');
  });

  it('answers 404 for an unknown cart and an unknown line', async () => {
    problem(await call()('GET', '/v1/store/carts/cart_01jd4m3k8sf6tb0z5g2n0c1xyz'), 404, 'NOT_FOUND');
    const cart = await newCart(t);
    problem(await call()('PATCH', `/v1/store/carts/${cart.id}/lines/cl_nope`, { quantity: 1 }), 404, 'NOT_FOUND');
    problem(await call()('DELETE', `/v1/store/carts/${cart.id}/lines/cl_nope`), 404, 'NOT_FOUND');
  });

  it('refuses variants that are unknown, inactive, unpublished in the channel or unpriced in the currency', async () => {
    const cart = await newCart(t);
    const add = (variantId: string, quantity = 1) =>
      call()('POST', `/v1/store/carts/${cart.id}/lines`, { variantId, quantity });
    problem(await add('var_nope'), 422, 'VARIANT_NOT_SELLABLE', '/body/variantId');
    problem(
      await add((await product(t, { status: 'draft' })).variantId),
      422,
      'VARIANT_NOT_SELLABLE',
      '/body/variantId',
    );
    problem(await add((await product(t, { salesChannelIds: [] })).variantId), 422, 'VARIANT_NOT_SELLABLE');
    const usd = await product(t, { prices: [{ currency: 'USD', amount: 100 }] });
    problem(await add(usd.variantId), 422, 'VARIANT_NOT_PRICED', '/body/variantId');
    const ok = await product(t);
    problem(await add(ok.variantId, 0), 400, 'VALIDATION_FAILED');
    problem(await add(ok.variantId, 1000), 400, 'VALIDATION_FAILED');
    expect(await lineCount(cart.id)).toBe(0);
  });

  it('refuses a line past 999 units and a 101st line, changing nothing', async () => {
    const cart = await newCart(t);
    const url = `/v1/store/carts/${cart.id}/lines`;
    const p = await product(t);
    await call()('POST', url, { variantId: p.variantId, quantity: 999 });
    problem(
      await call()('POST', url, { variantId: p.variantId, quantity: 1 }),
      422,
      'LINE_QUANTITY_LIMIT',
      '/body/quantity',
    );
    const line = (await call()('GET', `/v1/store/carts/${cart.id}`)).json<Cart>().lines[0];
    expect(line?.quantity).toBe(999);
    problem(await call()('PATCH', `${url}/${line?.id}`, { quantity: 1000 }), 400, 'VALIDATION_FAILED');

    const full = await newCart(t);
    const variants = await makeVariants(t.db.db, 100);
    await t.db.db
      .insertInto('cart_line')
      .values(
        variants.map((v, i) => ({ id: `cl_t${i}_${full.id}`, cart_id: full.id, variant_id: v.variantId, quantity: 1 })),
      )
      .execute();
    problem(
      await call()('POST', `/v1/store/carts/${full.id}/lines`, { variantId: p.variantId, quantity: 1 }),
      422,
      'CART_LINE_LIMIT',
      '/body/variantId',
    );
    expect(await lineCount(full.id)).toBe(100);
  });

  it('validates addresses and region rules on PATCH', async () => {
    const cart = await newCart(t, { currency: 'EUR' });
    const patch = (body: Record<string, unknown>) => call()('PATCH', `/v1/store/carts/${cart.id}`, body);
    problem(await patch({}), 400, 'VALIDATION_FAILED');
    problem(await patch({ email: 'not-an-email' }), 400, 'VALIDATION_FAILED');
    problem(await patch({ shippingAddress: { ...address, city: undefined } }), 400, 'VALIDATION_FAILED');
    problem(await patch({ shippingAddress: { ...address, isDefaultShipping: true } }), 400, 'VALIDATION_FAILED');
    problem(await patch({ shippingAddress: { ...address, countryCode: 'ZZ' } }), 400, 'VALIDATION_FAILED');
    problem(
      await patch({ shippingAddress: { ...address, countryCode: 'FR' } }),
      422,
      'COUNTRY_NOT_SERVED',
      '/body/shippingAddress/countryCode',
    );
    problem(await patch({ regionId: 'reg_nope' }), 422, 'UNKNOWN_REGION', '/body/regionId');
    await patch({ shippingAddress: address });
    problem(await patch({ regionId: shop.usRegionId }), 422, 'COUNTRY_NOT_IN_REGION', '/body/regionId');
    problem(
      await patch({ shippingAddress: { ...address, countryCode: 'US' } }),
      422,
      'COUNTRY_NOT_IN_REGION',
      '/body/shippingAddress/countryCode',
    );
    const after = (await call()('GET', `/v1/store/carts/${cart.id}`)).json<Cart & { shippingAddress: unknown }>();
    expect(after.region?.id).toBe(shop.regionId);
    expect(after.shippingAddress).toEqual(address);
  });

  it('refuses shipping without a region, and options that cannot ship the cart', async () => {
    const noRegion = await newCart(t, { currency: 'EUR' });
    problem(await call()('GET', `/v1/store/carts/${noRegion.id}/shipping-options`), 422, 'CART_REGION_REQUIRED');
    problem(
      await call()('POST', `/v1/store/carts/${noRegion.id}/shipping-method`, { optionId: shop.flatId }),
      422,
      'CART_REGION_REQUIRED',
      '/body/optionId',
    );
    const cart = await newCart(t, { countryCode: 'DE' });
    const heavy = await product(t, { weightGrams: 2000 });
    await call()('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: heavy.variantId, quantity: 1 });
    const choose = (optionId: string) => call()('POST', `/v1/store/carts/${cart.id}/shipping-method`, { optionId });
    problem(await choose(shop.heavyOnlyId), 422, 'SHIPPING_OPTION_UNAVAILABLE', '/body/optionId');
    problem(await choose('so_nope'), 422, 'SHIPPING_OPTION_UNAVAILABLE', '/body/optionId');
    expect((await call()('GET', `/v1/store/carts/${cart.id}`)).json<Cart>().shippingMethod).toBeNull();
  });

  it('refuses a malformed promo code and an eleventh one', async () => {
    const cart = await newCart(t);
    const url = `/v1/store/carts/${cart.id}/promo-codes`;
    problem(await call()('POST', url, { code: 'no spaces' }), 400, 'VALIDATION_FAILED');
    for (let i = 0; i < 10; i++) await call()('POST', url, { code: `CODE${i}` });
    problem(await call()('POST', url, { code: 'ELEVEN' }), 422, 'PROMO_CODE_LIMIT', '/body/code');
  });

  it('a completed cart refuses every change with 409 and stays as it was', async () => {
    const p = await product(t);
    const cart = await newCart(t, { countryCode: 'DE' });
    const url = `/v1/store/carts/${cart.id}`;
    const line = (await call()('POST', `${url}/lines`, { variantId: p.variantId, quantity: 1 })).json<Cart>().lines[0];
    await t.db.db.updateTable('cart').set({ status: 'completed' }).where('id', '=', cart.id).execute();
    const before = (await call()('GET', url)).json<Cart>();
    expect(before.status).toBe('completed');
    const attempts = [
      call()('POST', `${url}/lines`, { variantId: p.variantId, quantity: 1 }),
      call()('PATCH', `${url}/lines/${line?.id}`, { quantity: 2 }),
      call()('DELETE', `${url}/lines/${line?.id}`),
      call()('PATCH', url, { email: 'late@example.com' }),
      call()('POST', `${url}/shipping-method`, { optionId: shop.flatId }),
      call()('POST', `${url}/promo-codes`, { code: 'LATE' }),
      call()('DELETE', `${url}/promo-codes/LATE`),
    ];
    for (const res of await Promise.all(attempts)) problem(res, 409, 'CART_NOT_OPEN');
    expect((await call()('GET', url)).json<Cart>()).toEqual(before);
  });
});
