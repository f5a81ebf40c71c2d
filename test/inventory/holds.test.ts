import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitHold,
  fulfil,
  HoldExpiredError,
  hold,
  InsufficientStockError,
  release,
  releaseExpiredHolds,
  releaseReservation,
  restock,
  updateLocation,
} from '../../src/modules/inventory/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { createTestDb, type TestDb } from '../support/db.js';
import {
  deps,
  ledgerMatches,
  level,
  makeBundle,
  makeLocation,
  makeVariants,
  receive,
  variantStock,
} from './inventory.helpers.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

const tx = <T>(fn: Parameters<typeof withTransaction<T>>[1]) => withTransaction(t.db, fn);

describe('cart holds', () => {
  it('holds from active locations in priority order, splitting a line across locations', async () => {
    const first = await makeLocation(t.db, undefined, 1);
    const second = await makeLocation(t.db, undefined, 2);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, first.id, 3);
    await receive(t.db, v!.itemId, second.id, 5);
    const res = await tx((x) =>
      hold(deps(t.db), x, { cartId: 'cart_a', lines: [{ variantId: v!.variantId, quantity: 5 }], ttlSeconds: 60 }),
    );
    expect(res.holds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locationId: first.id, quantity: 3 }),
        expect.objectContaining({ locationId: second.id, quantity: 2 }),
      ]),
    );
    expect(await level(t.db, v!.itemId, first.id)).toMatchObject({ on_hand: 3, held: 3 });
    expect(await level(t.db, v!.itemId, second.id)).toMatchObject({ on_hand: 5, held: 2 });
    expect((await variantStock(t.db, v!.variantId))?.available).toBe(3);
    expect(await ledgerMatches(t.db)).toBe(true);
  });

  it('re-holding replaces the cart holds; refusing the 101st unit changes nothing', async () => {
    const loc = await makeLocation(t.db, undefined, 0);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, loc.id, 100);
    const line = (quantity: number) => ({
      cartId: 'cart_b',
      lines: [{ variantId: v!.variantId, quantity }],
      ttlSeconds: 60,
    });
    await tx((x) => hold(deps(t.db), x, line(10)));
    await tx((x) => hold(deps(t.db), x, line(4)));
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ held: 4 });
    const err = await tx((x) => hold(deps(t.db), x, line(101))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientStockError);
    expect((err as InsufficientStockError).short).toEqual([{ variantId: v!.variantId, requested: 101, available: 96 }]);
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ held: 4 });
    await tx((x) => hold(deps(t.db), x, line(100)));
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ held: 100 });
    expect(await tx((x) => release(deps(t.db), x, 'cart_b'))).toBeGreaterThan(0);
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ held: 0 });
    expect(await ledgerMatches(t.db)).toBe(true);
  });

  it('bundles need the summed quantity per item (2×A bundle + 1×A needs 3)', async () => {
    const loc = await makeLocation(t.db, undefined, 0);
    const [a] = await makeVariants(t.db, 1);
    const bundle = await makeBundle(t.db, [{ itemId: a!.itemId, quantity: 2 }]);
    await receive(t.db, a!.itemId, loc.id, 2);
    expect((await variantStock(t.db, bundle.variantId))?.available).toBe(1);
    const lines = [
      { variantId: bundle.variantId, quantity: 1 },
      { variantId: a!.variantId, quantity: 1 },
    ];
    const err = await tx((x) => hold(deps(t.db), x, { cartId: 'cart_c', lines, ttlSeconds: 60 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InsufficientStockError);
    await receive(t.db, a!.itemId, loc.id, 1);
    const res = await tx((x) => hold(deps(t.db), x, { cartId: 'cart_c', lines, ttlSeconds: 60 }));
    expect(res.holds.reduce((n, h) => n + h.quantity, 0)).toBe(3);
    expect(await level(t.db, a!.itemId, loc.id)).toMatchObject({ on_hand: 3, held: 3 });
    expect((await variantStock(t.db, bundle.variantId))?.available).toBe(0);
  });

  it('commits holds into reservations, fulfils, releases and restocks them', async () => {
    const loc = await makeLocation(t.db, undefined, 0);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, loc.id, 10);
    const lines = [{ variantId: v!.variantId, quantity: 4 }];
    await tx((x) => hold(deps(t.db), x, { cartId: 'cart_d', lines, ttlSeconds: 60 }));
    const done = await tx((x) => commitHold(deps(t.db), x, { cartId: 'cart_d', orderId: 'ord_d', lines }));
    expect(done.committed).toEqual(lines);
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ on_hand: 10, reserved: 4, held: 0 });
    await tx((x) => fulfil(deps(t.db), x, { orderId: 'ord_d', lines: [{ variantId: v!.variantId, quantity: 3 }] }));
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ on_hand: 7, reserved: 1, held: 0 });
    await expect(
      tx((x) => fulfil(deps(t.db), x, { orderId: 'ord_d', lines: [{ variantId: v!.variantId, quantity: 2 }] })),
    ).rejects.toMatchObject({ code: 'RESERVATION_INSUFFICIENT' });
    await tx((x) => releaseReservation(deps(t.db), x, { orderId: 'ord_d' }));
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ on_hand: 7, reserved: 0 });
    await tx((x) =>
      restock(deps(t.db), x, {
        orderId: 'ord_d',
        lines: [{ variantId: v!.variantId, quantity: 2, locationId: loc.id }],
      }),
    );
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ on_hand: 9, reserved: 0 });
    const reasons = await t.db
      .selectFrom('stock_movement')
      .select('reason')
      .where('item_id', '=', v!.itemId)
      .orderBy('id')
      .execute();
    expect(reasons.map((r) => r.reason)).toEqual(['received', 'hold', 'commit', 'fulfil', 'release', 'return']);
    expect(await ledgerMatches(t.db)).toBe(true);
  });

  it('refuses to commit expired holds, naming the lines; the worker releases them with reason expired', async () => {
    const loc = await makeLocation(t.db, undefined, 0);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, loc.id, 5);
    const lines = [{ variantId: v!.variantId, quantity: 2 }];
    await tx((x) => hold(deps(t.db), x, { cartId: 'cart_e', lines, ttlSeconds: 60 }));
    // A fake clock: the hold is 60 s old in the database's eyes.
    await sql`update stock_hold set expires_at = now() - interval '1 second' where cart_id = 'cart_e'`.execute(t.db);
    const err = await tx((x) => commitHold(deps(t.db), x, { cartId: 'cart_e', orderId: 'ord_e' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HoldExpiredError);
    expect((err as HoldExpiredError).lines).toEqual(lines);
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ reserved: 0, held: 2 });
    expect(await releaseExpiredHolds(deps(t.db), { now: new Date(), batchSize: 1 })).toBeGreaterThanOrEqual(1);
    expect(await level(t.db, v!.itemId, loc.id)).toMatchObject({ reserved: 0, held: 0 });
    const last = await t.db
      .selectFrom('stock_movement')
      .select(['reason', 'reference_type', 'reference_id', 'delta_held'])
      .where('item_id', '=', v!.itemId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ reason: 'expired', reference_type: 'cart', reference_id: 'cart_e', delta_held: -2 });
    // A hold that has not expired by the given clock stays.
    await tx((x) => hold(deps(t.db), x, { cartId: 'cart_e2', lines, ttlSeconds: 600 }));
    const e2 = () => t.db.selectFrom('stock_hold').select('id').where('cart_id', '=', 'cart_e2').execute();
    await releaseExpiredHolds(deps(t.db), { now: new Date(Date.now() + 120_000) });
    expect(await e2()).toHaveLength(1);
    expect(await releaseExpiredHolds(deps(t.db), { now: new Date(Date.now() + 601_000) })).toBeGreaterThanOrEqual(1);
    expect(await e2()).toHaveLength(0);
    expect(await ledgerMatches(t.db)).toBe(true);
  });

  it('untracked items need no hold, and backorder items may be held past on hand', async () => {
    const loc = await makeLocation(t.db, undefined, 0);
    const [free, back] = await makeVariants(t.db, 2);
    await t.db.updateTable('inventory_item').set({ tracked: false }).where('id', '=', free!.itemId).execute();
    await t.db.updateTable('inventory_item').set({ allow_backorder: true }).where('id', '=', back!.itemId).execute();
    await t.db
      .updateTable('inventory_level')
      .set({ allow_backorder: true })
      .where('item_id', '=', back!.itemId)
      .execute();
    const res = await tx((x) =>
      hold(deps(t.db), x, {
        cartId: 'cart_f',
        lines: [
          { variantId: free!.variantId, quantity: 1000 },
          { variantId: back!.variantId, quantity: 3 },
        ],
        ttlSeconds: 60,
      }),
    );
    expect(res.holds).toHaveLength(1);
    const levels = await t.db.selectFrom('inventory_level').selectAll().where('item_id', '=', back!.itemId).execute();
    expect(levels.reduce((n, l) => n + l.held, 0)).toBe(3);
    expect(levels.every((l) => l.on_hand === 0)).toBe(true);
    expect(loc.active).toBe(true);
  });

  it('never holds stock at an inactive location, and deactivating one lowers what catalog sells', async () => {
    const open = await makeLocation(t.db, undefined, 50);
    const closed = await makeLocation(t.db, undefined, 0);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, open.id, 2);
    await receive(t.db, v!.itemId, closed.id, 5);
    expect((await variantStock(t.db, v!.variantId))?.available).toBe(7);
    await updateLocation(deps(t.db), systemActor, closed.id, { active: false });
    expect((await variantStock(t.db, v!.variantId))?.available).toBe(2);
    const line = { cartId: 'cart_g', lines: [{ variantId: v!.variantId, quantity: 3 }], ttlSeconds: 60 };
    await expect(tx((x) => hold(deps(t.db), x, line))).rejects.toBeInstanceOf(InsufficientStockError);
    const res = await tx((x) => hold(deps(t.db), x, { ...line, lines: [{ variantId: v!.variantId, quantity: 2 }] }));
    expect(res.holds).toEqual([expect.objectContaining({ locationId: open.id, quantity: 2 })]);
  });
});
