import type { Tx } from '../../platform/db/database.js';

/**
 * The storefront read model: one denormalised document per (product, sales channel), rebuilt in
 * the transaction of every catalog, price or availability change. (Scaffold: in progress.)
 */

export interface VariantStockRow {
  variantId: string;
  available: number | null;
  allowBackorder: boolean;
  lowStockThreshold: number;
}

/** Rebuilds (or removes) the documents of these products for every channel, in `tx`. */
export async function rebuildProductDocuments(_tx: Tx, _productIds: readonly string[]): Promise<void> {}

/** Stores inventory's view of these variants and refreshes the affected documents, in `tx`. */
export async function applyVariantStock(tx: Tx, rows: readonly VariantStockRow[]): Promise<void> {
  for (const r of rows) {
    await tx
      .insertInto('variant_stock')
      .values({
        variant_id: r.variantId,
        available: r.available,
        allow_backorder: r.allowBackorder,
        low_stock_threshold: r.lowStockThreshold,
      })
      .onConflict((oc) =>
        oc.column('variant_id').doUpdateSet({
          available: r.available,
          allow_backorder: r.allowBackorder,
          low_stock_threshold: r.lowStockThreshold,
        }),
      )
      .execute();
  }
}
