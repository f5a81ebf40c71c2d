import { TypeID } from 'typeid-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCartId } from '../../src/modules/checkout/index.js';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { address, type Cart, newCart, product, type Shop, seedShop, signUp, store } from './carts.helpers.js';

let t: TestApp;
let shop: Shop;
beforeAll(async () => {
  t = await createTestApp();
  shop = await seedShop(t);
});
afterAll(async () => {
  await t?.close();
});

const cartRow = (id: string) => t.db.db.selectFrom('cart').selectAll().where('id', '=', id).executeTakeFirst();
const linesOf = (id: string) =>
  t.db.db
    .selectFrom('cart_line')
    .select(['variant_id', 'quantity'])
    .where('cart_id', '=', id)
    .orderBy('variant_id')
    .execute();

/** Every cart route, as (method, url, body) for a cart and one of its lines. */
const everyRoute = (id: string, lineId: string, variantId: string) =>
  [
    ['GET', `/v1/store/carts/${id}`],
    ['PATCH', `/v1/store/carts/${id}`, { email: 'x@example.com' }],
    ['POST', `/v1/store/carts/${id}/lines`, { variantId, quantity: 1 }],
    ['PATCH', `/v1/store/carts/${id}/lines/${lineId}`, { quantity: 5 }],
    ['DELETE', `/v1/store/carts/${id}/lines/${lineId}`],
    ['GET', `/v1/store/carts/${id}/shipping-options`],
    ['POST', `/v1/store/carts/${id}/shipping-method`, { optionId: shop.flatId }],
    ['POST', `/v1/store/carts/${id}/promo-codes`, { code: 'X' }],
    ['DELETE', `/v1/store/carts/${id}/promo-codes/X`],
    ['POST', `/v1/store/carts/${id}/claim`],
  ] as const;

describe('carts: object-level authorization', () => {
  it("a customer's cart answers 404 to another customer, a guest and staff on every route, and nothing changes", async () => {
    const owner = await signUp(t);
    const intruder = await signUp(t);
    const staff = await staffSession(t, 'role_owner');
    const p = await product(t);
    const cart = await newCart(t, { countryCode: 'DE' }, owner.token);
    expect(cart.customerId).toBe(owner.id);
    const added = await store(t, owner.token)('POST', `/v1/store/carts/${cart.id}/lines`, {
      variantId: p.variantId,
      quantity: 2,
    });
    const lineId = added.json<Cart>().lines[0]?.id as string;
    const before = { row: await cartRow(cart.id), lines: await linesOf(cart.id) };
    for (const [method, url, body] of everyRoute(cart.id, lineId, p.variantId)) {
      for (const [who, headers] of [
        ['intruder', { authorization: `Bearer ${intruder.token}` }],
        ['guest', {}],
        ['staff', { authorization: `Bearer ${staff.token}` }],
      ] as const) {
        const res = await t.app.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
        const label = `${who} ${method} ${url}`;
        // The claim route is customer-only: a guest is 401 and staff 403 before the cart is looked at.
        if (url.endsWith('/claim') && who !== 'intruder')
          expect(res.statusCode, label).toBe(who === 'guest' ? 401 : 403);
        else {
          expect(res.statusCode, label).toBe(404);
          expect(res.json(), label).toMatchObject({ code: 'NOT_FOUND' });
        }
      }
    }
    expect({ row: await cartRow(cart.id), lines: await linesOf(cart.id) }).toEqual(before);
    expect((await store(t, owner.token)('GET', `/v1/store/carts/${cart.id}`)).statusCode).toBe(200);
  });

  it('a guest cart is reachable by its id alone; ids carry 74 random bits, no shared counter', async () => {
    const a = await newCart(t);
    expect((await store(t)('GET', `/v1/store/carts/${a.id}`)).statusCode).toBe(200);
    // With a per-process counter, ids minted in one millisecond would share the 12 bits after the version nibble.
    const randA = Array.from({ length: 64 }, () => TypeID.fromString(newCartId()).toUUID().slice(15, 18));
    expect(new Set(randA).size).toBeGreaterThan(56);
    expect(TypeID.fromString(a.id).toUUID()[14]).toBe('7');
  });
});

describe('carts: guest → customer on login', () => {
  it('adopts the guest cart when the customer has no open cart', async () => {
    const customer = await signUp(t);
    const guest = await newCart(t);
    const res = await store(t, customer.token)('POST', `/v1/store/carts/${guest.id}/claim`);
    expect(res.statusCode).toBe(200);
    expect(res.json<Cart>()).toMatchObject({ id: guest.id, customerId: customer.id });
    expect((await store(t)('GET', `/v1/store/carts/${guest.id}`)).statusCode).toBe(404);
    // Claiming it again is a no-op.
    expect((await store(t, customer.token)('POST', `/v1/store/carts/${guest.id}/claim`)).json<Cart>().id).toBe(
      guest.id,
    );
  });

  it("merges the guest's lines into the customer's open cart and deletes the guest cart", async () => {
    const customer = await signUp(t);
    const [a, b] = [await product(t), await product(t)];
    const mine = await newCart(t, { countryCode: 'DE' }, customer.token);
    await store(t, customer.token)('POST', `/v1/store/carts/${mine.id}/lines`, {
      variantId: a.variantId,
      quantity: 998,
    });
    const guest = await newCart(t);
    await store(t)('POST', `/v1/store/carts/${guest.id}/lines`, { variantId: a.variantId, quantity: 5 });
    await store(t)('POST', `/v1/store/carts/${guest.id}/lines`, { variantId: b.variantId, quantity: 2 });
    await store(t)('PATCH', `/v1/store/carts/${guest.id}`, { email: 'guest@example.com', shippingAddress: address });
    await store(t)('POST', `/v1/store/carts/${guest.id}/promo-codes`, { code: 'WELCOME' });
    const res = await store(t, customer.token)('POST', `/v1/store/carts/${guest.id}/claim`);
    expect(res.statusCode).toBe(200);
    const merged = res.json<Cart>();
    expect(merged.id).toBe(mine.id);
    expect(merged.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      [a.variantId, 999],
      [b.variantId, 2],
    ]);
    expect(merged).toMatchObject({ email: 'guest@example.com', promoCodes: ['WELCOME'] });
    expect(await cartRow(guest.id)).toBeUndefined();
  });

  it("claiming another customer's cart answers 404 and changes nothing", async () => {
    const owner = await signUp(t);
    const intruder = await signUp(t);
    const cart = await newCart(t, {}, owner.token);
    const before = await cartRow(cart.id);
    const res = await store(t, intruder.token)('POST', `/v1/store/carts/${cart.id}/claim`);
    expect(res.statusCode).toBe(404);
    expect(await cartRow(cart.id)).toEqual(before);
  });
});
