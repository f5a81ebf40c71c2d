import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements } from '../catalog/storefront.support.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { address, type Cart, newCart, product, type Shop, seedShop, store } from './carts.helpers.js';
import { ownerClient } from './checkout.helpers.js';

/**
 * Regions, tax rules and shipping options are kept in memory between cart requests, keyed by the settings token the
 * cart read returns (migration 0035). Two app instances on one database: a change made on one node — or in plain
 * SQL — is priced by the other at its very next request, and a warm cart read asks none of those tables.
 */
describe('the checkout settings cache', () => {
  let a: TestApp;
  let b: TestApp;
  let shop: Shop;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ db: a.db });
    shop = await seedShop(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const settingsTables = /\bfrom (region|tax_rate|shipping_option)\b|"(region|tax_rate|shipping_option)"/;

  async function shippedCart(): Promise<Cart> {
    const p = await product(a, { prices: [{ currency: 'EUR', amount: 11900 }] });
    const cart = await newCart(a, { regionId: shop.regionId });
    const url = `/v1/store/carts/${cart.id}`;
    expect((await store(a)('POST', `${url}/lines`, { variantId: p.variantId, quantity: 1 })).statusCode).toBe(200);
    expect((await store(a)('PATCH', url, { email: 'cache@example.com', shippingAddress: address })).statusCode).toBe(
      200,
    );
    const chosen = await store(a)('POST', `${url}/shipping-method`, { optionId: shop.flatId });
    expect(chosen.statusCode, chosen.body).toBe(200);
    return chosen.json<Cart>();
  }

  const read = async (node: TestApp, id: string) => (await store(node)('GET', `/v1/store/carts/${id}`)).json<Cart>();

  it('a warm cart read asks no settings table', async () => {
    const cart = await shippedCart();
    await read(b, cart.id); // warms node b for the current token
    const { result, sql: statements } = await countStatements(() => store(b)('GET', `/v1/store/carts/${cart.id}`));
    expect(result.statusCode).toBe(200);
    expect(statements.filter((s) => settingsTables.test(s))).toEqual([]);
  });

  it('prices a change made on another node at the next request: tax rate, shipping price, region', async () => {
    const cart = await shippedCart();
    const before = await read(b, cart.id);
    expect(before.totals.taxTotal.amount).toBeGreaterThan(0);
    expect(before.totals.shippingTotal.amount).toBe(490);

    const owner = await ownerClient(a);
    const { data: rates } = (await owner('GET', '/v1/admin/tax-rates?countryCode=DE')).json<{
      data: { id: string; rate: number }[];
    }>();
    const rate = rates[0];
    if (!rate) throw new Error('no DE rate');
    expect((await owner('PATCH', `/v1/admin/tax-rates/${rate.id}`, { rate: 7000 })).statusCode).toBeLessThan(300);
    const afterTax = await read(b, cart.id);
    expect(afterTax.totals.taxTotal.amount).toBeLessThan(before.totals.taxTotal.amount);

    const option = await owner('PATCH', `/v1/admin/shipping-options/${shop.flatId}`, {
      price: { kind: 'flat', amount: 590 },
    });
    expect(option.statusCode, option.body).toBeLessThan(300);
    expect((await read(b, cart.id)).totals.shippingTotal.amount).toBe(590);

    // Plain SQL, as an operator's script would: the triggers change the token all the same.
    await sql`update tax_rate set rate = 19000 where id = ${rate.id}`.execute(a.db.db);
    expect((await read(b, cart.id)).totals.taxTotal.amount).toBeGreaterThan(before.totals.taxTotal.amount);
    await sql`update region set tax_inclusive = false where id = ${shop.regionId}`.execute(a.db.db);
    const exclusive = await read(b, cart.id);
    expect(exclusive.totals.total.amount).toBeGreaterThan(before.totals.total.amount);
    await sql`update region set tax_inclusive = true where id = ${shop.regionId}`.execute(a.db.db);
    await sql`update shipping_option set amount = 490 where id = ${shop.flatId}`.execute(a.db.db);
    expect(await read(b, cart.id)).toMatchObject({ totals: before.totals });
  });
});
