import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CartDeps,
  holdCartStock,
  lockCartForCheckout,
  promotionDiscounts,
} from '../../src/modules/checkout/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { wireModules } from '../../src/wiring.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type Cart, heldUnits, newCart, product, type Shop, seedShop, signUp, stock, store } from './carts.helpers.js';

describe('carts: stock held at add to cart (STOCK_HOLD_AT=add_to_cart)', () => {
  let t: TestApp;
  let shop: Shop;
  beforeAll(async () => {
    t = await createTestApp({ env: { STOCK_HOLD_AT: 'add_to_cart', HOLD_TTL_SECONDS: '600' } });
    shop = await seedShop(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds on add, re-holds on change and gives back on removal, with the expiry on the cart', async () => {
    const p = await product(t);
    await stock(t, p.variantId, shop.locationId, 5);
    const cart = await newCart(t);
    const url = `/v1/store/carts/${cart.id}`;
    const added = (await store(t)('POST', `${url}/lines`, { variantId: p.variantId, quantity: 2 })).json<Cart>();
    expect(await heldUnits(t, p.variantId)).toBe(2);
    expect(added.stock?.expired).toBe(false);
    const ttl = Date.parse(added.stock?.heldUntil as string) - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    const lineId = added.lines[0]?.id as string;
    await store(t)('PATCH', `${url}/lines/${lineId}`, { quantity: 4 });
    expect(await heldUnits(t, p.variantId)).toBe(4);
    const emptied = (await store(t)('DELETE', `${url}/lines/${lineId}`)).json<Cart>();
    expect(await heldUnits(t, p.variantId)).toBe(0);
    expect(emptied.stock).toBeNull();
  });

  it('refuses a change the stock cannot cover with 409 INSUFFICIENT_STOCK, and nothing changes', async () => {
    const p = await product(t);
    await stock(t, p.variantId, shop.locationId, 3);
    const other = await newCart(t);
    await store(t)('POST', `/v1/store/carts/${other.id}/lines`, { variantId: p.variantId, quantity: 2 });
    const cart = await newCart(t);
    const url = `/v1/store/carts/${cart.id}`;
    const first = await store(t)('POST', `${url}/lines`, { variantId: p.variantId, quantity: 1 });
    expect(first.statusCode).toBe(200);
    const refused = await store(t)('POST', `${url}/lines`, { variantId: p.variantId, quantity: 1 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'INSUFFICIENT_STOCK', short: [{ variantId: p.variantId }] });
    const after = (await store(t)('GET', url)).json<Cart>();
    expect(after.lines.map((l) => l.quantity)).toEqual([1]);
    expect(await heldUnits(t, p.variantId)).toBe(3);
  });

  it('a merge gives the guest holds back and holds the merged cart', async () => {
    const customer = await signUp(t);
    const p = await product(t);
    await stock(t, p.variantId, shop.locationId, 10);
    const mine = await newCart(t, {}, customer.token);
    await store(t, customer.token)('POST', `/v1/store/carts/${mine.id}/lines`, { variantId: p.variantId, quantity: 2 });
    const guest = await newCart(t);
    await store(t)('POST', `/v1/store/carts/${guest.id}/lines`, { variantId: p.variantId, quantity: 3 });
    expect(await heldUnits(t, p.variantId)).toBe(5);
    const res = await store(t, customer.token)('POST', `/v1/store/carts/${guest.id}/claim`);
    expect(res.json<Cart>().lines[0]?.quantity).toBe(5);
    const holds = await t.db.db
      .selectFrom('stock_hold')
      .select(['cart_id', 'quantity'])
      .where('variant_id', '=', p.variantId)
      .execute();
    expect(holds).toEqual([{ cart_id: mine.id, quantity: 5 }]);
  });
});

describe('carts: stock held at checkout (default)', () => {
  let t: TestApp;
  let shop: Shop;
  let deps: CartDeps;
  beforeAll(async () => {
    t = await createTestApp();
    shop = await seedShop(t);
    deps = {
      db: t.db.db,
      inventory: wireModules(t.db.db).inventory,
      holdTtlSeconds: 60,
      holdAt: 'checkout',
      discountsFor: promotionDiscounts(),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds nothing on add, even beyond stock; holdCartStock holds the cart or refuses', async () => {
    expect(t.config.STOCK_HOLD_AT).toBe('checkout');
    const p = await product(t);
    await stock(t, p.variantId, shop.locationId, 2);
    const cart = await newCart(t);
    const url = `/v1/store/carts/${cart.id}`;
    const added = await store(t)('POST', `${url}/lines`, { variantId: p.variantId, quantity: 3 });
    expect(added.statusCode).toBe(200);
    expect(added.json<Cart>().stock).toBeNull();
    expect(await heldUnits(t, p.variantId)).toBe(0);
    await expect(withTransaction(t.db.db, (tx) => holdCartStock(deps, tx, cart.id))).rejects.toMatchObject({
      code: 'INSUFFICIENT_STOCK',
    });
    expect(await heldUnits(t, p.variantId)).toBe(0);
    const lineId = added.json<Cart>().lines[0]?.id as string;
    await store(t)('PATCH', `${url}/lines/${lineId}`, { quantity: 2 });
    const held = await withTransaction(t.db.db, (tx) => holdCartStock(deps, tx, cart.id));
    expect(held?.holds.map((h) => h.quantity)).toEqual([2]);
    expect(await heldUnits(t, p.variantId)).toBe(2);
    expect((await store(t)('GET', url)).json<Cart>().stock).toMatchObject({ expired: false });
  });

  it('lockCartForCheckout prices the open cart inside the transaction and refuses a completed one', async () => {
    const p = await product(t, { prices: [{ currency: 'EUR', amount: 700 }] });
    const cart = await newCart(t);
    await store(t)('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: p.variantId, quantity: 2 });
    const anon = { type: 'anonymous' } as const;
    const priced = await withTransaction(t.db.db, (tx) => lockCartForCheckout(deps, tx, anon, cart.id));
    expect(priced.totals.subtotal).toEqual({ amount: 1400, currency: 'EUR' });
    await t.db.db.updateTable('cart').set({ status: 'completed' }).where('id', '=', cart.id).execute();
    await expect(withTransaction(t.db.db, (tx) => lockCartForCheckout(deps, tx, anon, cart.id))).rejects.toMatchObject({
      code: 'CART_NOT_OPEN',
    });
  });

  it('re-takes an expired hold when the units are still there', async () => {
    const p = await product(t);
    await stock(t, p.variantId, shop.locationId, 1);
    const cart = await newCart(t);
    await store(t)('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: p.variantId, quantity: 1 });
    await withTransaction(t.db.db, (tx) => holdCartStock(deps, tx, cart.id));
    await t.db.db
      .updateTable('stock_hold')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('cart_id', '=', cart.id)
      .execute();
    await t.db.db
      .updateTable('cart')
      .set({ held_until: new Date(Date.now() - 1000) })
      .where('id', '=', cart.id)
      .execute();
    expect((await store(t)('GET', `/v1/store/carts/${cart.id}`)).json<Cart>().stock?.expired).toBe(true);
    const again = await withTransaction(t.db.db, (tx) => holdCartStock(deps, tx, cart.id));
    expect(Date.parse(again?.expiresAt as string)).toBeGreaterThan(Date.now());
    expect(await heldUnits(t, p.variantId)).toBe(1);
  });
});
