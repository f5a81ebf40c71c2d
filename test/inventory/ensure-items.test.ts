import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInventoryItems } from '../../src/modules/inventory/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { deps, makeLocation, makeVariants, receive, variantStock } from './inventory.helpers.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

describe('ensureInventoryItems (called by catalog when it creates variants)', () => {
  it('gives each new variant a tracked item, a level at every location, itself as component, and tells catalog', async () => {
    const loc = await makeLocation(t.db);
    const [v] = await makeVariants(t.db, 1);
    const item = await t.db
      .selectFrom('inventory_item')
      .selectAll()
      .where('variant_id', '=', v!.variantId)
      .executeTakeFirstOrThrow();
    expect(item).toMatchObject({ sku: v!.sku, tracked: true, allow_backorder: false, low_stock_threshold: 0 });
    const comps = await t.db
      .selectFrom('variant_component')
      .selectAll()
      .where('variant_id', '=', v!.variantId)
      .execute();
    expect(comps).toEqual([{ variant_id: v!.variantId, item_id: item.id, quantity: 1 }]);
    const levels = await t.db
      .selectFrom('inventory_level')
      .select('location_id')
      .where('item_id', '=', item.id)
      .execute();
    expect(levels.map((l) => l.location_id)).toContain(loc.id);
    expect(await variantStock(t.db, v!.variantId)).toMatchObject({ available: 0, allow_backorder: false });
  });

  it('is idempotent, and links an orphaned item with the same SKU (stock included) to a new variant', async () => {
    const loc = await makeLocation(t.db);
    const [v] = await makeVariants(t.db, 1);
    await receive(t.db, v!.itemId, loc.id, 4);
    await withTransaction(t.db, (tx) =>
      ensureInventoryItems(deps(t.db), tx, [{ variantId: v!.variantId, sku: v!.sku }]),
    );
    expect(await t.db.selectFrom('inventory_item').select('id').where('sku', '=', v!.sku).execute()).toHaveLength(1);
    // The variant is deleted (its product goes), then a new one reuses the SKU.
    await sql`delete from product where id = (select product_id from variant where id = ${v!.variantId})`.execute(t.db);
    await withTransaction(t.db, async (tx) => {
      await sql`insert into product (id, handle, title) values ('prod_again', 'again', 'Again')`.execute(tx);
      await sql`insert into variant (id, product_id, title, sku, position) values ('var_again', 'prod_again', 'D', ${v!.sku}, 0)`.execute(
        tx,
      );
      await ensureInventoryItems(deps(t.db), tx, [{ variantId: 'var_again', sku: v!.sku }]);
    });
    const item = await t.db
      .selectFrom('inventory_item')
      .selectAll()
      .where('sku', '=', v!.sku)
      .executeTakeFirstOrThrow();
    expect(item).toMatchObject({ id: v!.itemId, variant_id: 'var_again' });
    expect(await variantStock(t.db, 'var_again')).toMatchObject({ available: 4 });
  });
});
