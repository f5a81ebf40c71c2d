import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import './catalog.tables.js';

/** Products for the CSV export, a page at a time in id order (one statement per page). */

export interface ExportProduct {
  id: string;
  handle: string;
  title: string;
  description: string;
  status: string;
  tags: string[];
  categories: string[];
  collections: string[];
  channels: string[];
  options: { name: string; values: string[] }[];
  variants: {
    id: string;
    sku: string;
    barcode: string | null;
    weightGrams: number | null;
    options: Record<string, string>;
    prices: { currency: string; amount: number; compareAtAmount: number | null }[];
  }[];
}

export async function exportProductPage(
  db: Queryable,
  afterId: string | null,
  limit: number,
): Promise<ExportProduct[]> {
  const res = await sql<{ p: ExportProduct }>`
    select json_build_object(
      'id', p.id, 'handle', p.handle, 'title', p.title, 'description', p.description, 'status', p.status,
      'tags', to_json(p.tags),
      'categories', coalesce((select json_agg(c.handle order by c.handle) from product_category pc
                               join category c on c.id = pc.category_id where pc.product_id = p.id), '[]'::json),
      'collections', coalesce((select json_agg(c.handle order by c.handle) from collection_product cp
                                join collection c on c.id = cp.collection_id where cp.product_id = p.id), '[]'::json),
      'channels', coalesce((select json_agg(pc.sales_channel_id order by pc.sales_channel_id)
                             from product_channel pc where pc.product_id = p.id), '[]'::json),
      'options', coalesce((select json_agg(json_build_object('name', o.name, 'values', to_json(o."values")) order by o.position)
                            from product_option o where o.product_id = p.id), '[]'::json),
      'variants', coalesce((select json_agg(json_build_object(
          'id', v.id, 'sku', v.sku, 'barcode', v.barcode, 'weightGrams', v.weight_grams, 'options', v.option_values,
          'prices', coalesce((select json_agg(json_build_object('currency', vp.currency_code, 'amount', vp.amount,
                                'compareAtAmount', vp.compare_at_amount) order by vp.currency_code)
                               from variant_price vp where vp.variant_id = v.id), '[]'::json)
        ) order by v.position, v.id) from variant v where v.product_id = p.id), '[]'::json)
    ) as p
    from product p
    where (${afterId}::text is null or p.id > ${afterId})
    order by p.id
    limit ${limit}`.execute(db);
  return res.rows.map((r) => r.p);
}

/** Currencies that have at least one price (the export's price columns). */
export async function exportCurrencies(db: Queryable): Promise<string[]> {
  const rows = await db
    .selectFrom('variant_price')
    .select('currency_code')
    .distinct()
    .orderBy('currency_code')
    .execute();
  return rows.map((r) => r.currency_code);
}
