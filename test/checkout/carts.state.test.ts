import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartTransitions, moveCart } from '../../src/modules/checkout/carts.state.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { complete, readyCart } from './completion.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const statusOf = async (cartId: string) =>
  await t.db.db
    .selectFrom('cart')
    .select(['status', 'completing_since'])
    .where('id', '=', cartId)
    .executeTakeFirstOrThrow();

describe('the cart state table', () => {
  it('a completed cart is final: no move out of it, and a refused move changes nothing', async () => {
    expect(cartTransitions.completed).toEqual([]);
    const ready = await readyCart(t, { quantities: [1] });
    expect((await complete(t, ready.cartId)).statusCode).toBe(200);
    for (const to of ['open', 'completing'] as const) {
      expect(await withTransaction(t.db.db, (tx) => moveCart(tx, ready.cartId, to))).toBe(false);
      expect(await statusOf(ready.cartId)).toEqual({ status: 'completed', completing_since: null });
    }
  });

  it('open → completing starts the lease; completing → open ends it; an open cart cannot be reopened', async () => {
    const ready = await readyCart(t, { quantities: [1] });
    expect(await withTransaction(t.db.db, (tx) => moveCart(tx, ready.cartId, 'open'))).toBe(false);
    expect(await withTransaction(t.db.db, (tx) => moveCart(tx, ready.cartId, 'completing'))).toBe(true);
    expect((await statusOf(ready.cartId)).completing_since).not.toBeNull();
    expect(await withTransaction(t.db.db, (tx) => moveCart(tx, ready.cartId, 'open'))).toBe(true);
    expect(await statusOf(ready.cartId)).toEqual({ status: 'open', completing_since: null });
  });
});
