import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';

/**
 * What checkout needs to price a cart line, read from the storefront read model: a variant is sellable in a channel
 * exactly when its product has a document there (active and published to the channel).
 */
export interface SellableVariant {
  variantId: string;
  productId: string;
  /** The product's title. */
  title: string;
  variantTitle: string;
  sku: string;
  weightGrams: number | null;
  /** Amount in minor units per currency code. */
  prices: Record<string, number>;
  /** For each category of the product, its path from the root to the category itself (ids). */
  categoryPaths: string[][];
}

interface Row {
  product_id: string;
  title: string;
  variant: {
    id: string;
    title: string;
    sku: string;
    weightGrams: number | null;
    prices: Record<string, [number, number | null]>;
  };
  paths: string[][] | string;
}

/**
 * The variants of `variantIds` that are sellable in the channel (`null` = the default channel), in one statement.
 * Unknown, unpublished and inactive variants are simply absent from the result.
 */
export async function sellableVariants(
  db: Queryable,
  channelId: string | null,
  variantIds: readonly string[],
): Promise<Map<string, SellableVariant>> {
  const out = new Map<string, SellableVariant>();
  if (variantIds.length === 0) return out;
  const ids = [...new Set(variantIds)];
  const res = await sql<Row>`
    with recursive
      ch as (select coalesce(${channelId}::text, (select id from sales_channel where is_default)) as id),
      v as (
        select d.product_id, d.doc->>'title' as title, x.value as variant, d.category_ids
          from product_document d cross join lateral jsonb_array_elements(d.doc->'variants') x
         where d.sales_channel_id = (select id from ch) and d.variant_ids && ${ids}::text[]
           and x.value->>'id' = any(${ids}::text[])
      ),
      up as (
        select c.id as leaf, c.id, c.parent_id, 0 as depth
          from category c where c.id in (select unnest(category_ids) from v)
        union all
        select up.leaf, c.id, c.parent_id, up.depth + 1 from up join category c on c.id = up.parent_id
      ),
      paths as (select leaf, array_agg(id order by depth desc) as path from up group by leaf)
    select v.product_id, v.title, v.variant,
           coalesce((select json_agg(p.path order by p.leaf) from paths p where p.leaf = any(v.category_ids)), '[]'::json)
             as paths
      from v`.execute(db);
  for (const r of res.rows) {
    const variant = typeof r.variant === 'string' ? (JSON.parse(r.variant) as Row['variant']) : r.variant;
    out.set(variant.id, {
      variantId: variant.id,
      productId: r.product_id,
      title: r.title,
      variantTitle: variant.title,
      sku: variant.sku,
      weightGrams: variant.weightGrams,
      prices: Object.fromEntries(Object.entries(variant.prices).map(([c, [amount]]) => [c, Number(amount)])),
      categoryPaths: typeof r.paths === 'string' ? (JSON.parse(r.paths) as string[][]) : r.paths,
    });
  }
  return out;
}
