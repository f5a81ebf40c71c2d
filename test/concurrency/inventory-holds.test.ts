import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustStock,
  hold,
  InsufficientStockError,
  LevelShortError,
  release,
  transferStock,
  verifyLedger,
} from '../../src/modules/inventory/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { deps, makeBundle, makeLocation, makeVariants, receive } from '../inventory/inventory.helpers.js';
import { createTestDb, type TestDb } from '../support/db.js';

/**
 * Real parallel transactions on separate connections (PostgreSQL; the embedded database runs them
 * one at a time): stock is never oversold and every level stays equal to its ledger.
 */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ poolMax: 20, lockTimeoutMs: 20_000 });
});
afterAll(() => t.destroy());

const available = async (itemId: string) => {
  const rows = await t.db.selectFrom('inventory_level').selectAll().where('item_id', '=', itemId).execute();
  return rows.map((r) => r.on_hand - r.reserved - r.held);
};

describe('inventory under concurrency', { timeout: 120_000 }, () => {
  it('500 parallel holds of 1 on 100 units: exactly 100 succeed', async () => {
    const loc = await makeLocation(t.db, 'flash', 0);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, loc.id, 100);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 500 }, (_, i) =>
        withTransaction(t.db, (tx) =>
          hold(deps(t.db), tx, {
            cartId: `cart_flash_${i}`,
            lines: [{ variantId: v!.variantId, quantity: 1 }],
            ttlSeconds: 60,
          }),
        ),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(100);
    for (const f of failed) expect(f.reason).toBeInstanceOf(InsufficientStockError);
    const holds = await t.db.selectFrom('stock_hold').select('cart_id').where('item_id', '=', v!.itemId).execute();
    expect(holds).toHaveLength(100);
    expect(await available(v!.itemId)).toEqual([0]);
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it('200 parallel holds, releases, adjustments and transfers leave available ≥ 0 and levels equal to the ledger', async () => {
    const a = await makeLocation(t.db, 'mix-a', 1);
    const b = await makeLocation(t.db, 'mix-b', 2);
    const [x, y] = await makeVariants(t.db, 2);
    const bundle = await makeBundle(t.db, [
      { itemId: x!.itemId, quantity: 2 },
      { itemId: y!.itemId, quantity: 1 },
    ]);
    for (const item of [x!, y!]) {
      await receive(t.db, item.itemId, a.id, 20);
      await receive(t.db, item.itemId, b.id, 20);
    }
    const d = deps(t.db);
    const op = (i: number): Promise<unknown> => {
      const cartId = `cart_mix_${i % 40}`;
      switch (i % 6) {
        case 0:
          return withTransaction(t.db, (tx) =>
            hold(d, tx, { cartId, lines: [{ variantId: bundle.variantId, quantity: 1 + (i % 3) }], ttlSeconds: 60 }),
          );
        case 1:
          return withTransaction(t.db, (tx) =>
            hold(d, tx, {
              cartId,
              lines: [
                { variantId: y!.variantId, quantity: 2 },
                { variantId: x!.variantId, quantity: 1 },
              ],
              ttlSeconds: 60,
            }),
          );
        case 2:
          return withTransaction(t.db, (tx) => release(d, tx, cartId));
        case 3:
          return adjustStock(d, systemActor, i % 2 ? x!.itemId : y!.itemId, {
            locationId: i % 4 === 3 ? a.id : b.id,
            delta: i % 5 === 0 ? 3 : -2,
            reason: i % 5 === 0 ? 'received' : 'damaged',
          });
        case 4:
          return transferStock(d, systemActor, {
            itemId: i % 2 ? x!.itemId : y!.itemId,
            fromLocationId: i % 4 === 0 ? a.id : b.id,
            toLocationId: i % 4 === 0 ? b.id : a.id,
            quantity: 2,
          });
        default:
          return withTransaction(t.db, (tx) =>
            hold(d, tx, { cartId, lines: [{ variantId: x!.variantId, quantity: 3 }], ttlSeconds: 60 }),
          );
      }
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => op(i)));
    const unexpected = outcomes.filter(
      (o) =>
        o.status === 'rejected' &&
        !(o.reason instanceof InsufficientStockError) &&
        !(o.reason instanceof LevelShortError),
    );
    expect(unexpected).toEqual([]);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThan(50);
    for (const item of [x!, y!]) for (const n of await available(item.itemId)) expect(n).toBeGreaterThanOrEqual(0);
    expect(await verifyLedger(t.db)).toEqual([]);
    // Held units equal the holds recorded for the carts.
    const held = await t.db
      .selectFrom('stock_hold')
      .select((eb) => eb.fn.sum<number>('quantity').as('n'))
      .where('item_id', 'in', [x!.itemId, y!.itemId])
      .executeTakeFirstOrThrow();
    const levels = await t.db
      .selectFrom('inventory_level')
      .select((eb) => eb.fn.sum<number>('held').as('n'))
      .where('item_id', 'in', [x!.itemId, y!.itemId])
      .executeTakeFirstOrThrow();
    expect(Number(levels.n)).toBe(Number(held.n ?? 0));
  });
});
