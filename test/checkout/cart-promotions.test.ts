import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCategory } from '../../src/modules/catalog/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { wireModules } from '../../src/wiring.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type Cart, newCart, product, seedShop, store } from './carts.helpers.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  await seedShop(t);
  owner = (await staffSession(t, 'role_owner')).token;
});
afterAll(async () => {
  await t?.close();
});

const promotion = async (body: Record<string, unknown>) => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/promotions',
    headers: auth(owner),
    payload: { name: 'p', ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
};

describe('carts priced with promotions', () => {
  it('applies a code to the cart totals, allocated to lines, and drops it again when the code is removed', async () => {
    const code = `SAVE${Date.now().toString(36).toUpperCase()}`;
    await promotion({ code, kind: 'percentage', value: 1000 });
    const a = await product(t, { prices: [{ currency: 'EUR', amount: 1000 }] });
    const b = await product(t, { prices: [{ currency: 'EUR', amount: 2999 }] });
    const cart = await newCart(t, { countryCode: 'DE' });
    const call = store(t);
    await call('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: a.variantId, quantity: 1 });
    await call('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: b.variantId, quantity: 1 });
    const discounted = (
      await call('POST', `/v1/store/carts/${cart.id}/promo-codes`, { code: code.toLowerCase() })
    ).json<Cart>();
    expect(discounted.totals.discountTotal.amount).toBe(400); // 10% of 39.99, rounded half-up
    expect(discounted.lines.reduce((n, l) => n + l.discount.amount, 0)).toBe(400);
    const removed = (await call('DELETE', `/v1/store/carts/${cart.id}/promo-codes/${code}`)).json<Cart>();
    expect(removed.totals.discountTotal.amount).toBe(0);
  });

  it('says what each promotion took off, and why an entered code gives nothing', async () => {
    const code = `TEN${Date.now().toString(36).toUpperCase()}`;
    const big = `BIG${Date.now().toString(36).toUpperCase()}`;
    await promotion({ code, kind: 'fixed', value: 300, currency: 'EUR' });
    await promotion({ code: big, kind: 'fixed', value: 500, currency: 'EUR', minSubtotal: 1_000_000 });
    const a = await product(t, { prices: [{ currency: 'EUR', amount: 2000 }] });
    const cart = await newCart(t, { countryCode: 'DE' });
    const call = store(t);
    await call('POST', `/v1/store/carts/${cart.id}/lines`, { variantId: a.variantId, quantity: 1 });
    await call('POST', `/v1/store/carts/${cart.id}/promo-codes`, { code });
    await call('POST', `/v1/store/carts/${cart.id}/promo-codes`, { code: big });
    const res = await call('POST', `/v1/store/carts/${cart.id}/promo-codes`, { code: 'NOSUCHCODE' });
    const view = res.json<{
      promotions: { applied: { code: string | null; amount: { amount: number } }[]; rejected: unknown[] };
    }>();
    expect(view.promotions.applied).toEqual([
      expect.objectContaining({ code, amount: { amount: 300, currency: 'EUR' } }),
    ]);
    expect(view.promotions.rejected).toEqual(
      expect.arrayContaining([
        { code: expect.stringMatching(/^big/i), reason: 'minimum_not_met' },
        { code: expect.stringMatching(/^nosuchcode$/i), reason: 'unknown' },
      ]),
    );
  });

  it('applies an automatic promotion on a parent category to products in its sub-categories', async () => {
    const deps = wireModules(t.db.db).catalog;
    const parent = await createCategory(deps, systemActor, { name: `Parent ${Date.now()}` });
    const child = await createCategory(deps, systemActor, { name: `Child ${Date.now()}`, parentId: parent.id });
    await promotion({ kind: 'fixed', value: 500, currency: 'EUR', target: 'categories', targetIds: [parent.id] });
    const inChild = await product(t, { prices: [{ currency: 'EUR', amount: 2000 }], categoryIds: [child.id] });
    const cart = await newCart(t, { countryCode: 'DE' });
    const res = await store(t)('POST', `/v1/store/carts/${cart.id}/lines`, {
      variantId: inChild.variantId,
      quantity: 1,
    });
    expect(res.json<Cart>().totals.discountTotal.amount).toBe(500);
  });
});
