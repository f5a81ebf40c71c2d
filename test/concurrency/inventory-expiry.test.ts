import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitHold,
  HoldExpiredError,
  hold,
  releaseExpiredHolds,
  verifyLedger,
} from '../../src/modules/inventory/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { deps, makeLocation, makeVariants, receive } from '../inventory/inventory.helpers.js';
import { createTestDb, type TestDb } from '../support/db.js';

/**
 * Checkout commits racing the hold-expiry workers: every cart's units end up either reserved for
 * its order or released — never both, never lost — and the ledger still explains every level.
 */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ poolMax: 20, lockTimeoutMs: 20_000 });
});
afterAll(() => t.destroy());

describe('hold expiry racing commits', { timeout: 120_000 }, () => {
  it('60 commits and 3 expiry workers at once: each cart is committed or released exactly once', async () => {
    const loc = await makeLocation(t.db, 'race', 0);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, loc.id, 200);
    const d = deps(t.db);
    const carts = Array.from({ length: 60 }, (_, i) => `cart_race_${i}`);
    for (const cartId of carts) {
      await withTransaction(t.db, (tx) =>
        hold(d, tx, { cartId, lines: [{ variantId: v!.variantId, quantity: 2 }], ttlSeconds: 600 }),
      );
    }
    // Half of the carts' holds are already past their expiry (a fake clock, set in the data).
    await sql`update stock_hold set expires_at = now() - interval '1 second'
               where cart_id = any(${carts.filter((_, i) => i % 2 === 0)}::text[])`.execute(t.db);
    const commits = carts.map((cartId, i) =>
      withTransaction(t.db, (tx) => commitHold(d, tx, { cartId, orderId: `ord_race_${i}` })),
    );
    const workers = [1, 2, 3].map(() => releaseExpiredHolds(d, { batchSize: 5 }));
    const outcomes = await Promise.allSettled(commits);
    await Promise.all(workers);
    await releaseExpiredHolds(d);

    const committed = outcomes.filter((o) => o.status === 'fulfilled').length;
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(HoldExpiredError);
    expect(committed).toBe(30);
    const lvl = await t.db
      .selectFrom('inventory_level')
      .selectAll()
      .where('item_id', '=', v!.itemId)
      .where('location_id', '=', loc.id)
      .executeTakeFirstOrThrow();
    expect(lvl).toMatchObject({ on_hand: 200, reserved: committed * 2, held: 0 });
    expect(await t.db.selectFrom('stock_hold').select('id').execute()).toEqual([]);
    const reservations = await t.db.selectFrom('stock_reservation').select(['order_id', 'quantity']).execute();
    expect(reservations.reduce((n, r) => n + r.quantity, 0)).toBe(committed * 2);
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});
