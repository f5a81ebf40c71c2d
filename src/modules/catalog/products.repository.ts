import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import './catalog.tables.js';
import type { ProductViewT } from './products.schemas.js';

/**
 * SQL for the admin product views. A product with its options, variants, prices and memberships
 * is read in one statement (json aggregation), whatever its size.
 */

interface ProductRow {
  product: ProductViewT;
}

export async function findProductView(db: Queryable, id: string): Promise<ProductViewT | undefined> {
  const [product] = await adminProductViews(db, [id]);
  return product;
}

/**
 * The admin views of many products in one statement (webhook rendering of a batch of events); ids
 * that no longer exist are left out. Same shape as `GET /v1/admin/products/{id}`.
 */
export async function adminProductViews(db: Queryable, ids: readonly string[]): Promise<ProductViewT[]> {
  if (ids.length === 0) return [];
  const res = await sql<ProductRow>`
    select json_build_object(
      'id', p.id, 'handle', p.handle, 'title', p.title, 'subtitle', p.subtitle,
      'description', p.description, 'status', p.status, 'tags', to_json(p.tags),
      'attributes', p.attributes, 'images', p.images,
      'seoTitle', p.seo_title, 'seoDescription', p.seo_description,
      'options', coalesce((
        select json_agg(json_build_object('id', o.id, 'name', o.name, 'values', to_json(o."values")) order by o.position)
          from product_option o where o.product_id = p.id), '[]'::json),
      'variants', coalesce((
        select json_agg(json_build_object(
          'id', v.id, 'title', v.title, 'sku', v.sku, 'barcode', v.barcode, 'weightGrams', v.weight_grams,
          'options', v.option_values, 'position', v.position,
          'prices', coalesce((
            select json_agg(json_build_object(
              'price', json_build_object('amount', vp.amount, 'currency', vp.currency_code),
              'compareAtPrice', case when vp.compare_at_amount is null then null
                else json_build_object('amount', vp.compare_at_amount, 'currency', vp.currency_code) end)
              order by vp.currency_code)
              from variant_price vp where vp.variant_id = v.id), '[]'::json)
          ) order by v.position, v.id)
          from variant v where v.product_id = p.id), '[]'::json),
      'categoryIds', coalesce((select json_agg(pc.category_id order by pc.category_id)
          from product_category pc where pc.product_id = p.id), '[]'::json),
      'collectionIds', coalesce((select json_agg(cp.collection_id order by cp.collection_id)
          from collection_product cp where cp.product_id = p.id), '[]'::json),
      'salesChannelIds', coalesce((select json_agg(pch.sales_channel_id order by pch.sales_channel_id)
          from product_channel pch where pch.product_id = p.id), '[]'::json),
      'version', p.version,
      'createdAt', to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'updatedAt', to_char(p.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    ) as product
    from product p where p.id = any(${[...ids]}::text[])`.execute(db);
  return res.rows.map((r) => r.product);
}

export interface ProductListQuery {
  limit: number;
  cursor?: string | undefined;
  status?: 'draft' | 'active' | 'archived' | undefined;
  /** Title words, or an exact/prefix SKU or barcode. */
  q?: string | undefined;
  /** Only products directly in this category / collection / published to this sales channel. */
  categoryId?: string | undefined;
  collectionId?: string | undefined;
  salesChannelId?: string | undefined;
}

/**
 * Admin list and search, newest first. `q` matches a SKU or barcode exactly or by prefix, or the
 * title by trigram similarity / substring (typos in a title still find it), in one statement.
 */
export async function listProductSummaries(db: Queryable, query: ProductListQuery) {
  const q = query.q?.trim();
  const like = q ? `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const res = await sql<{
    id: string;
    handle: string;
    title: string;
    status: string;
    version: number;
    updated_at: Date;
    skus: string[];
  }>`
    select p.id, p.handle, p.title, p.status, p.version, p.updated_at,
           coalesce((select array_agg(v.sku order by v.position) from variant v where v.product_id = p.id), '{}') as skus
      from product p
     where (${query.status ?? null}::text is null or p.status = ${query.status ?? null})
       and (${query.cursor ?? null}::text is null or p.id < ${query.cursor ?? null})
       and (${query.categoryId ?? null}::text is null or exists (select 1 from product_category pc
            where pc.product_id = p.id and pc.category_id = ${query.categoryId ?? null}))
       and (${query.collectionId ?? null}::text is null or exists (select 1 from collection_product cp
            where cp.product_id = p.id and cp.collection_id = ${query.collectionId ?? null}))
       and (${query.salesChannelId ?? null}::text is null or exists (select 1 from product_channel pch
            where pch.product_id = p.id and pch.sales_channel_id = ${query.salesChannelId ?? null}))
       and (${q ?? null}::text is null
            or p.title ilike '%' || ${like ?? ''} or p.title % ${q ?? ''}
            or exists (select 1 from variant v where v.product_id = p.id
                        and (v.sku ilike ${like ?? ''} or v.barcode ilike ${like ?? ''})))
     order by p.id desc
     limit ${query.limit + 1}`.execute(db);
  const rows = res.rows;
  const data = rows.slice(0, query.limit).map((r) => ({
    id: r.id,
    handle: r.handle,
    title: r.title,
    status: r.status,
    variantCount: r.skus.length,
    skus: r.skus,
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
  }));
  return { data, nextCursor: rows.length > query.limit ? (data.at(-1)?.id ?? null) : null };
}
