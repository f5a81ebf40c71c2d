import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { applyVariantStock } from '../../src/modules/catalog/index.js';
import {
  adjustStock,
  createLocation,
  ensureInventoryItems,
  type InventoryDeps,
  setVariantComponents,
  verifyLedger,
} from '../../src/modules/inventory/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import type { Db } from '../../src/platform/db/database.js';
import { withTransaction } from '../../src/platform/db/transaction.js';

export const deps = (db: Db): InventoryDeps => ({ db, onVariantStockChanged: applyVariantStock });

const suffix = () => randomBytes(4).toString('hex');

/**
 * Variants as catalog would create them (written straight to catalog's tables: tests only), each
 * given its inventory item by `ensureInventoryItems` in the same transaction.
 */
export async function makeVariants(db: Db, n = 1): Promise<{ variantId: string; sku: string; itemId: string }[]> {
  const made = Array.from({ length: n }, () => {
    const s = suffix();
    return { productId: `prod_t${s}`, variantId: `var_t${s}`, sku: `SKU-${s.toUpperCase()}` };
  });
  await withTransaction(db, async (tx) => {
    for (const m of made) {
      await sql`insert into product (id, handle, title) values (${m.productId}, ${`p-${m.variantId.slice(5)}`}, 'Test')`.execute(
        tx,
      );
      await sql`insert into variant (id, product_id, title, sku, position) values (${m.variantId}, ${m.productId}, 'Default', ${m.sku}, 0)`.execute(
        tx,
      );
    }
    await ensureInventoryItems(deps(db), tx, made);
  });
  const items = await db
    .selectFrom('inventory_item')
    .select(['id', 'variant_id'])
    .where(
      'variant_id',
      'in',
      made.map((m) => m.variantId),
    )
    .execute();
  return made.map((m) => ({
    variantId: m.variantId,
    sku: m.sku,
    itemId: items.find((i) => i.variant_id === m.variantId)?.id ?? '',
  }));
}

export async function makeLocation(db: Db, code = `wh-${suffix()}`, priority = 100, active = true) {
  return createLocation(deps(db), systemActor, { code, name: `Warehouse ${code}`, priority, active });
}

export async function receive(db: Db, itemId: string, locationId: string, delta: number) {
  return adjustStock(deps(db), systemActor, itemId, { locationId, delta, reason: 'received' });
}

export async function makeBundle(db: Db, parts: { itemId: string; quantity: number }[]) {
  const [bundle] = await makeVariants(db, 1);
  if (!bundle) throw new Error('no bundle');
  await setVariantComponents(deps(db), systemActor, bundle.variantId, parts);
  return bundle;
}

export async function level(db: Db, itemId: string, locationId: string) {
  return db
    .selectFrom('inventory_level')
    .select(['on_hand', 'reserved', 'held'])
    .where('item_id', '=', itemId)
    .where('location_id', '=', locationId)
    .executeTakeFirstOrThrow();
}

export async function variantStock(db: Db, variantId: string) {
  return db.selectFrom('variant_stock').selectAll().where('variant_id', '=', variantId).executeTakeFirst();
}

export async function events(db: Db, type: string) {
  return db.selectFrom('outbox_event').select(['id', 'aggregate_id', 'payload']).where('type', '=', type).execute();
}

/** Every level equals its ledger sum. */
export async function ledgerMatches(db: Db): Promise<boolean> {
  return (await verifyLedger(db)).length === 0;
}
