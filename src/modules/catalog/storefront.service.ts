import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { isCurrency } from '../../platform/money.js';
import { searchCtes } from './search.sql.js';
import type { ListQuery, ProductList, Sort, StoreProduct } from './storefront.schemas.js';
import { type DocumentRow, toStoreProduct } from './storefront.view.js';

/**
 * Storefront reads. Each request is ONE statement over the read model (product_document):
 * the channel (publishable key's, else the default) is resolved inside it, and so are the
 * category/collection handles and the search expansion.
 */

export interface StorefrontOptions {
  /** Show exact stock counts per variant (`available`); off by default. */
  showStockCounts: boolean;
}

type SortKey = 'newest' | 'title' | 'price_asc' | 'price_desc' | 'relevance' | 'collection';

interface KeyDef {
  expr: RawBuilder<unknown>;
  /** SQL type the cursor's text value is cast back to. */
  type: string;
  desc: boolean;
}

const keys: Record<SortKey, KeyDef> = {
  newest: { expr: sql`d.created_at`, type: 'timestamptz', desc: true },
  title: { expr: sql`d.title_sort`, type: 'text', desc: false },
  // Products without a price in the currency go last either way.
  price_asc: { expr: sql`coalesce(pr.min_amount, 9223372036854775807)`, type: 'bigint', desc: false },
  price_desc: { expr: sql`coalesce(pr.min_amount, -1)`, type: 'bigint', desc: true },
  relevance: { expr: sql`ts_rank_cd(d.search, tsq.q)`, type: 'real', desc: true },
  collection: { expr: sql`(d.collection_positions ->> col.id)::int`, type: 'integer', desc: false },
};

const bad = (field: string, message: string) => new ValidationError([{ path: `/query/${field}`, message }]);

interface Cursor {
  s: SortKey;
  k: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string, sort: SortKey): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (c.s === sort && typeof c.k === 'string' && typeof c.id === 'string') return c as Cursor;
  } catch {}
  throw bad('cursor', 'is not a cursor of this listing (the sort or the filters changed?)');
}

function checkCurrency(currency: string | undefined) {
  if (currency !== undefined && !isCurrency(currency)) throw bad('currency', 'is not a supported ISO 4217 code');
}

/** The sort a list runs with, after checking the combinations the schema cannot express. */
function chooseSort(query: ListQuery): SortKey {
  if (query.offset !== undefined && query.cursor !== undefined) throw bad('cursor', 'cannot be combined with offset');
  if (query.sort === 'relevance' && !query.q) throw bad('sort', 'relevance needs a search query (q)');
  const pricey = query.sort === 'price_asc' || query.sort === 'price_desc';
  if ((pricey || query.minPrice !== undefined || query.maxPrice !== undefined) && !query.currency) {
    // Amounts in different currencies do not compare.
    throw bad('currency', 'is required to sort or filter by price');
  }
  if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
    throw bad('minPrice', 'must not exceed maxPrice');
  }
  checkCurrency(query.currency);
  const sort: Sort | 'collection' = query.sort ?? (query.q ? 'relevance' : query.collection ? 'collection' : 'newest');
  return sort;
}

const channelCte = (channelId: string | null) =>
  sql`ch as (select coalesce(${channelId}::text, (select id from sales_channel where is_default)) as id)`;

const countsColumn = (show: boolean) =>
  show
    ? sql`, (select jsonb_object_agg(s.variant_id, s.available) from variant_stock s where s.variant_id = any(d.variant_ids)) as counts`
    : sql``;

/**
 * A storefront answer with what it was built from: the products in it and one version string per
 * input that can change the body (each document row's version — PostgreSQL's `xmin`, new with every
 * write of the row — plus, for a list, the total and the next cursor). Two reads with equal
 * `versions` (and the same request) give the same body, so an entity tag can be made from them
 * without looking at the body.
 */
export interface VersionedAnswer<T> {
  body: T;
  productIds: string[];
  versions: string[];
}

/** One row's part of `versions`: the document version, and the stock counts when shown (they live outside it). */
const rowVersion = (r: { product_id: string; row_version: string; counts?: unknown }, showCounts: boolean) =>
  `${r.product_id}@${r.row_version}${showCounts ? `:${JSON.stringify(r.counts ?? null)}` : ''}`;

export async function listStoreProducts(
  db: Db,
  channelId: string | null,
  query: ListQuery,
  opts: StorefrontOptions,
): Promise<ProductList> {
  return (await readStoreList(db, channelId, query, opts)).body;
}

/** `listStoreProducts` with the versions the answer was built from (one statement). */
export async function readStoreList(
  db: Db,
  channelId: string | null,
  query: ListQuery,
  opts: StorefrontOptions,
): Promise<VersionedAnswer<ProductList>> {
  const sort = chooseSort(query);
  const key = keys[sort];
  const cursor = query.cursor ? decodeCursor(query.cursor, sort) : undefined;
  const dir = sql.raw(key.desc ? 'desc' : 'asc');
  const ctes: RawBuilder<unknown>[] = [channelCte(channelId)];
  const joins: RawBuilder<unknown>[] = [];
  const where: RawBuilder<unknown>[] = [sql`d.sales_channel_id = (select id from ch)`];
  if (query.collection) {
    ctes.push(
      sql`col as (select id from collection where id = ${query.collection} or handle = ${query.collection} limit 1)`,
    );
    joins.push(sql`join col on d.collection_positions ? col.id`);
  }
  if (query.category) {
    ctes.push(sql`cat as (select id from category where id = ${query.category} or handle = ${query.category} limit 1)`);
    joins.push(sql`join cat on d.category_ids @> array[cat.id]`);
  }
  if (query.currency) {
    joins.push(sql`left join product_document_price pr on pr.sales_channel_id = d.sales_channel_id
      and pr.product_id = d.product_id and pr.currency = ${query.currency}`);
  }
  if (query.q) {
    ctes.push(searchCtes(query.q));
    joins.push(sql`cross join tsq`);
    where.push(sql`d.search @@ tsq.q`);
  }
  if (query.tag) where.push(sql`d.tags @> array[${query.tag}::text]`);
  if (query.minPrice !== undefined) where.push(sql`pr.min_amount >= ${query.minPrice}`);
  if (query.maxPrice !== undefined) where.push(sql`pr.min_amount <= ${query.maxPrice}`);
  if (query.inStock) where.push(sql`d.stock_status <> 'out_of_stock'`);
  const after = cursor
    ? sql`where (f.k, f.product_id) ${sql.raw(key.desc ? '<' : '>')} (${cursor.k}::${sql.raw(key.type)}, ${cursor.id}::text)`
    : sql``;
  const { rows } = await sql<
    DocumentRow & { sort_key: string; product_id: string; row_version: string; total: number }
  >`
    with ${sql.join(ctes)},
    f as (
      select d.product_id, ${key.expr} as k
      from product_document d ${sql.join(joins, sql` `)}
      where ${sql.join(where, sql` and `)}
    ),
    page as (
      select f.product_id, f.k from f ${after}
      order by f.k ${dir}, f.product_id ${dir}
      limit ${query.limit + 1} offset ${query.offset ?? 0}
    )
    -- The count rides along on a row of its own when the page is empty (offset past the end).
    select d.product_id, d.doc, d.availability, d.stock_status, d.xmin::text as row_version, page.k::text as sort_key,
      c.total ${countsColumn(opts.showStockCounts)}
    from (select count(*)::int as total from f) c
    left join (page join product_document d on d.sales_channel_id = (select id from ch) and d.product_id = page.product_id)
      on true
    order by page.k ${dir}, page.product_id ${dir}
  `.execute(db);
  const found = rows.filter((r) => r.doc !== null);
  const more = found.length > query.limit;
  const pageRows = more ? found.slice(0, query.limit) : found;
  const last = pageRows.at(-1);
  const nextCursor = more && last ? encodeCursor({ s: sort, k: last.sort_key, id: last.product_id }) : null;
  const total = rows[0]?.total ?? 0;
  return {
    body: { data: pageRows.map((r) => toStoreProduct(r, query.currency, opts.showStockCounts)), nextCursor, total },
    productIds: pageRows.map((r) => r.product_id),
    versions: [...pageRows.map((r) => rowVersion(r, opts.showStockCounts)), `total=${total}`, `next=${nextCursor}`],
  };
}

/** One product of the channel by id or handle, in `currency`. @throws {NotFoundError} also for drafts and unpublished products. */
export async function getStoreProduct(
  db: Db,
  channelId: string | null,
  idOrHandle: string,
  currency: string | undefined,
  opts: StorefrontOptions,
): Promise<StoreProduct> {
  return (await readStoreProduct(db, channelId, idOrHandle, currency, opts)).body;
}

/** `getStoreProduct` with the version the answer was built from (one statement). @throws {NotFoundError} */
export async function readStoreProduct(
  db: Db,
  channelId: string | null,
  idOrHandle: string,
  currency: string | undefined,
  opts: StorefrontOptions,
): Promise<VersionedAnswer<StoreProduct>> {
  checkCurrency(currency);
  const { rows } = await sql<DocumentRow & { product_id: string; row_version: string }>`
    with ${channelCte(channelId)}
    select d.product_id, d.doc, d.availability, d.stock_status, d.xmin::text as row_version
      ${countsColumn(opts.showStockCounts)}
    from product_document d
    where d.sales_channel_id = (select id from ch) and (d.product_id = ${idOrHandle} or d.handle = ${idOrHandle})
    limit 1
  `.execute(db);
  const row = rows[0];
  if (!row) throw new NotFoundError('Product', idOrHandle);
  return {
    body: toStoreProduct(row, currency, opts.showStockCounts),
    productIds: [row.product_id],
    versions: [rowVersion(row, opts.showStockCounts)],
  };
}
