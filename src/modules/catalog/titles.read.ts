import type { Queryable } from '../../platform/db/database.js';
import './catalog.tables.js';

/** Names to show next to ids (admin dashboard lines): one statement each for any number of ids. */

export interface VariantTitle {
  productId: string;
  productTitle: string;
  variantTitle: string;
}

/** Product and variant titles by variant id; unknown ids are absent. */
export async function variantTitles(db: Queryable, variantIds: readonly string[]): Promise<Map<string, VariantTitle>> {
  if (variantIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('variant as v')
    .innerJoin('product as p', 'p.id', 'v.product_id')
    .select(['v.id', 'v.product_id', 'p.title as product_title', 'v.title as variant_title'])
    .where('v.id', 'in', [...new Set(variantIds)])
    .execute();
  return new Map(
    rows.map((r) => [r.id, { productId: r.product_id, productTitle: r.product_title, variantTitle: r.variant_title }]),
  );
}

/** Product titles by id; unknown (deleted) ids are absent. */
export async function productTitles(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('product')
    .select(['id', 'title'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.title]));
}
