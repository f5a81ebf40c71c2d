import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import './catalog.events.js';
import './read-model.tables.js';
import { LIST_KEY, productKey } from './storefront.http-cache.js';

/**
 * The storefront read model: one denormalised document per (product, sales channel), rebuilt in
 * the transaction of every catalog, price or availability change. Both writers are set-based
 * (a fixed number of statements for any number of products) and end with
 * `pg_notify('catalog_changed')`, which PostgreSQL delivers only if the transaction commits; every
 * node's storefront cache listens for it. When documents actually changed, they also append
 * `catalog.storefront_changed` with the surrogate keys a CDN should purge, in the same transaction.
 */

/** The NOTIFY channel every document change is announced on. */
export const CATALOG_CHANGED_CHANNEL = 'catalog_changed';

/**
 * Tells CDN hooks which cached storefront answers these products' changes make stale: every answer
 * showing one of them (`product:<id>`) and every list (a change can move a product into or out of
 * any list, or change its place).
 */
async function announcePurge(tx: Tx, productIds: readonly string[]): Promise<void> {
  if (productIds.length === 0) return;
  const ids = [...new Set(productIds)].sort();
  await appendEvent(tx, {
    type: 'catalog.storefront_changed',
    ...(ids.length === 1 ? { aggregateId: ids[0] } : {}),
    payload: { keys: [LIST_KEY, ...ids.map(productKey)], productIds: ids },
  });
}

export interface VariantStockRow {
  variantId: string;
  available: number | null;
  allowBackorder: boolean;
  lowStockThreshold: number;
}

/**
 * The default sales channel moved from `fromId` to `toId`: every answer served without a publishable key now shows
 * the new default's products. Every node's storefront cache is cleared (the same notification, at commit) and CDNs
 * are told to purge the lists and every product of either channel.
 */
export async function announceDefaultChannelChange(tx: Tx, fromId: string | null, toId: string): Promise<void> {
  const rows = await tx
    .selectFrom('product_document')
    .select('product_id')
    .distinct()
    .where('sales_channel_id', 'in', fromId ? [fromId, toId] : [toId])
    .execute();
  if (rows.length > 0)
    await announcePurge(
      tx,
      rows.map((r) => r.product_id),
    );
  // No product in either channel: only the (empty) lists change.
  else await appendEvent(tx, { type: 'catalog.storefront_changed', payload: { keys: [LIST_KEY], productIds: [] } });
  await sql`select pg_notify(${CATALOG_CHANGED_CHANNEL}, 'default channel')`.execute(tx);
}

/**
 * Rebuilds (or removes) the documents of these products for every channel, in `tx`: active
 * products get one document per channel they are published to; drafts, archived, unpublished
 * and deleted products lose theirs. Also keeps the price ranges and the search vocabulary.
 * Locks the product rows (in id order), so two rebuilds of one product run one after the other
 * and the second reads the first one's committed write-model changes. Two statements, three when
 * a document was written or removed (the purge event; a draft's edit writes none).
 */
export async function rebuildProductDocuments(tx: Tx, productIds: readonly string[]): Promise<void> {
  const ids = [...new Set(productIds)].sort();
  if (ids.length === 0) return;
  // A separate statement: a later statement's snapshot then includes whatever a concurrent
  // rebuild of the same product committed while we waited for the lock.
  await sql`select id from product where id = any(${ids}::text[]) order by id for no key update`.execute(tx);
  const { rows } = await sql<{ changed: string[] }>`
    with recursive p as (
      select p.*, unaccent(p.title) as title_u, unaccent(array_to_string(p.tags, ' ')) as tags_u
      from product p where p.id = any(${ids}::text[]) and p.status = 'active'
    ),
    stock as (
      select v.product_id, v.id, catalog_stock_status(s.available, s.allow_backorder, s.low_stock_threshold) as status
      from variant v join p on p.id = v.product_id left join variant_stock s on s.variant_id = v.id
    ),
    avail as (
      select product_id, jsonb_object_agg(id, status) as map from stock group by product_id
    ),
    vars as (
      select v.product_id,
        jsonb_agg(jsonb_build_object(
          'id', v.id, 'title', v.title, 'sku', v.sku, 'options', v.option_values, 'weightGrams', v.weight_grams,
          'prices', coalesce((select jsonb_object_agg(vp.currency_code, jsonb_build_array(vp.amount, vp.compare_at_amount))
                              from variant_price vp where vp.variant_id = v.id), '{}'::jsonb)
        ) order by v.position, v.id) as list,
        array_agg(v.id order by v.position, v.id) as ids
      from variant v join p on p.id = v.product_id group by v.product_id
    ),
    prices as (
      select v.product_id, vp.currency_code as currency, min(vp.amount) as min_amount, max(vp.amount) as max_amount
      from variant_price vp join variant v on v.id = vp.variant_id join p on p.id = v.product_id
      group by v.product_id, vp.currency_code
    ),
    opts as (
      select o.product_id, jsonb_agg(jsonb_build_object('name', o.name, 'values', to_jsonb(o."values"))
                                     order by o.position, o.name) as list
      from product_option o join p on p.id = o.product_id group by o.product_id
    ),
    cat_up(product_id, category_id) as (
      select pc.product_id, pc.category_id from product_category pc join p on p.id = pc.product_id
      union -- not "union all": a cycle in the tree ends instead of looping
      select cu.product_id, c.parent_id from cat_up cu join category c on c.id = cu.category_id
      where c.parent_id is not null
    ),
    cats as (
      select cu.product_id, array_agg(distinct cu.category_id) as ids,
        (select jsonb_agg(jsonb_build_object('id', c.id, 'handle', c.handle, 'name', c.name) order by c.position, c.name)
         from product_category pc join category c on c.id = pc.category_id where pc.product_id = cu.product_id) as list
      from cat_up cu group by cu.product_id
    ),
    cols as (
      select cp.product_id, jsonb_object_agg(cp.collection_id, cp.position) as positions,
        jsonb_agg(jsonb_build_object('id', c.id, 'handle', c.handle, 'title', c.title) order by c.title, c.id) as list
      from collection_product cp join collection c on c.id = cp.collection_id join p on p.id = cp.product_id
      group by cp.product_id
    ),
    new as (
      select p.id as product_id, pc.sales_channel_id, p.handle, lower(p.title_u) as title_sort, p.created_at, p.tags,
        coalesce(cats.ids, '{}') as category_ids, coalesce(cols.positions, '{}'::jsonb) as collection_positions,
        coalesce(vars.ids, '{}') as variant_ids, w.words,
        jsonb_build_object(
          'id', p.id, 'handle', p.handle, 'title', p.title, 'subtitle', p.subtitle, 'description', p.description,
          'tags', to_jsonb(p.tags), 'attributes', p.attributes, 'images', p.images,
          'seoTitle', p.seo_title, 'seoDescription', p.seo_description,
          'options', coalesce(opts.list, '[]'::jsonb), 'categories', coalesce(cats.list, '[]'::jsonb),
          'collections', coalesce(cols.list, '[]'::jsonb), 'variants', coalesce(vars.list, '[]'::jsonb),
          'createdAt', to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'updatedAt', to_char(p.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        ) as doc,
        coalesce(avail.map, '{}'::jsonb) as availability,
        catalog_product_status(coalesce(avail.map, '{}'::jsonb)) as stock_status,
        setweight(to_tsvector('english', p.title_u || ' ' || catalog_joined_words(p.title_u)), 'A')
          || setweight(to_tsvector('english', p.tags_u || ' ' || catalog_joined_words(p.tags_u)), 'B')
          || setweight(to_tsvector('english', unaccent(coalesce(p.subtitle, '') || ' ' || p.description)), 'C') as search
      from p
      join product_channel pc on pc.product_id = p.id
      left join vars on vars.product_id = p.id
      left join avail on avail.product_id = p.id
      left join opts on opts.product_id = p.id
      left join cats on cats.product_id = p.id
      left join cols on cols.product_id = p.id
      cross join lateral (
        select coalesce(array_agg(distinct t.w), '{}') as words
        from regexp_split_to_table(lower(p.title_u || ' ' || p.tags_u || ' ' || catalog_joined_words(p.title_u || ' ' || p.tags_u)), '[^a-z0-9]+') as t(w)
        where length(t.w) >= 3
      ) w
    ),
    old as (
      select product_id, sales_channel_id, words from product_document where product_id = any(${ids}::text[])
    ),
    upsert as (
      insert into product_document (product_id, sales_channel_id, handle, title_sort, created_at, tags, category_ids,
        collection_positions, variant_ids, words, doc, availability, stock_status, search)
      select * from new
      on conflict (sales_channel_id, product_id) do update set
        handle = excluded.handle, title_sort = excluded.title_sort, created_at = excluded.created_at,
        tags = excluded.tags, category_ids = excluded.category_ids,
        collection_positions = excluded.collection_positions, variant_ids = excluded.variant_ids,
        words = excluded.words, doc = excluded.doc, availability = excluded.availability,
        stock_status = excluded.stock_status, search = excluded.search
      returning product_id
    ),
    gone as (
      delete from product_document d using old
      where d.product_id = old.product_id and d.sales_channel_id = old.sales_channel_id
        and not exists (select 1 from new where new.product_id = old.product_id and new.sales_channel_id = old.sales_channel_id)
      returning d.product_id
    ),
    new_prices as (
      select new.sales_channel_id, new.product_id, prices.currency, prices.min_amount, prices.max_amount
      from new join prices on prices.product_id = new.product_id
    ),
    price_upsert as (
      insert into product_document_price (sales_channel_id, product_id, currency, min_amount, max_amount)
      select * from new_prices
      on conflict (sales_channel_id, product_id, currency) do update set
        min_amount = excluded.min_amount, max_amount = excluded.max_amount
      returning 1
    ),
    price_gone as (
      delete from product_document_price x where x.product_id = any(${ids}::text[])
        and not exists (select 1 from new_prices n where n.sales_channel_id = x.sales_channel_id
                        and n.product_id = x.product_id and n.currency = x.currency)
      returning 1
    ),
    words_new as (
      insert into catalog_word (word, lexeme)
      select distinct t.w, (ts_lexize('english_stem', t.w))[1] from new, unnest(new.words) as t(w)
      on conflict (word) do nothing
      returning 1
    ),
    -- Words only these products had: forget them unless another document still has them.
    words_gone as (
      delete from catalog_word c
      where c.word in (select unnest(words) from old except select unnest(words) from new)
        and not exists (select 1 from product_document d where d.words @> array[c.word]
                        and not (d.product_id = any(${ids}::text[])))
      returning 1
    )
    select pg_notify(${CATALOG_CHANGED_CHANNEL}, ${String(ids.length)}),
      array(select product_id from upsert union select product_id from gone) as changed
  `.execute(tx);
  await announcePurge(tx, rows[0]?.changed ?? []);
}

/**
 * Stores inventory's view of these variants and refreshes the availability of the documents
 * that contain them, in `tx`: one statement. Only documents whose availability actually changes
 * are written (and only then is a change announced), so ordinary holds that leave a variant
 * in stock cost one small upsert. The new statuses are merged into the row as locked by the
 * UPDATE, so two concurrent stock changes on one product never overwrite each other's variants.
 * A change of availability also appends the purge event (a second statement).
 */
export async function applyVariantStock(tx: Tx, rows: readonly VariantStockRow[]): Promise<void> {
  if (rows.length === 0) return;
  // Last write wins for a variant given twice, as a sequence of upserts would.
  const byVariant = new Map(rows.map((r) => [r.variantId, r]));
  const input = [...byVariant.values()].map((r) => ({
    v: r.variantId,
    a: r.available,
    b: r.allowBackorder,
    t: r.lowStockThreshold,
  }));
  const { rows: result } = await sql<{ changed: string[] }>`
    with input as (
      select * from jsonb_to_recordset(${jsonb(input)}) as x(v text, a integer, b boolean, t integer)
    ),
    stored as (
      insert into variant_stock (variant_id, available, allow_backorder, low_stock_threshold)
      select v, a, b, t from input
      on conflict (variant_id) do update set available = excluded.available,
        allow_backorder = excluded.allow_backorder, low_stock_threshold = excluded.low_stock_threshold
      returning 1
    ),
    -- Variant → product through the variant table (key joins; an "= any(variant_ids)" match
    -- pairs every input row with every candidate document).
    changes as (
      select d.sales_channel_id, d.product_id, jsonb_object_agg(i.v, catalog_stock_status(i.a, i.b, i.t)) as map
      from input i
      join variant v on v.id = i.v
      join product_document d on d.product_id = v.product_id
      group by d.sales_channel_id, d.product_id
    ),
    updated as (
      update product_document d
      set availability = d.availability || c.map, stock_status = catalog_product_status(d.availability || c.map)
      from changes c
      where d.sales_channel_id = c.sales_channel_id and d.product_id = c.product_id and not (d.availability @> c.map)
      returning d.product_id
    ),
    notified as (
      select pg_notify(${CATALOG_CHANGED_CHANNEL}, 'stock') from updated limit 1
    )
    select array(select distinct product_id from updated) as changed, (select count(*) from notified) as notified
  `.execute(tx);
  await announcePurge(tx, result[0]?.changed ?? []);
}
