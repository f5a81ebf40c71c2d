import { type Kysely, sql } from 'kysely';

/**
 * Catalog write model: products, options, variants, prices, categories (a tree), collections
 * (hand-picked, ordered) and publication to sales channels. Storefront reads do not touch these
 * tables; they read the per-channel product documents (a later migration).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create extension if not exists fuzzystrmatch`.execute(db);
  await sql`create extension if not exists unaccent`.execute(db);

  await sql`
    create table product (
      id text primary key,
      handle text not null unique check (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(handle) <= 200),
      title text not null check (length(title) between 1 and 300),
      subtitle text check (length(subtitle) <= 300),
      description text not null default '' check (length(description) <= 50000),
      status text not null default 'draft' check (status in ('draft', 'active', 'archived')),
      tags text[] not null default '{}',
      -- [{ key, type: text|number|boolean, value }]: typed custom attributes, validated by the API.
      attributes jsonb not null default '[]'::jsonb,
      -- [{ url, alt }], in display order.
      images jsonb not null default '[]'::jsonb,
      seo_title text check (length(seo_title) <= 300),
      seo_description text check (length(seo_description) <= 1000),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index product_status_idx on product (status, id)`.execute(db);
  await sql`create index product_title_trgm_idx on product using gin (title gin_trgm_ops)`.execute(db);

  await sql`
    create table product_option (
      id text primary key,
      product_id text not null references product (id) on delete cascade,
      name text not null check (length(name) between 1 and 100),
      position integer not null,
      "values" text[] not null check (cardinality("values") between 1 and 100),
      unique (product_id, name)
    )`.execute(db);

  await sql`
    create table variant (
      id text primary key,
      product_id text not null references product (id) on delete cascade,
      title text not null check (length(title) between 1 and 300),
      sku text not null unique check (length(sku) between 1 and 100),
      barcode text unique check (length(barcode) <= 100),
      weight_grams integer check (weight_grams >= 0),
      -- { "Size": "M", "Colour": "Red" }: one value per product option.
      option_values jsonb not null default '{}'::jsonb,
      position integer not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (product_id, option_values)
    )`.execute(db);
  await sql`create index variant_product_idx on variant (product_id, position)`.execute(db);
  await sql`create index variant_sku_trgm_idx on variant using gin (sku gin_trgm_ops)`.execute(db);

  await sql`
    create table variant_price (
      variant_id text not null references variant (id) on delete cascade,
      currency_code text not null check (currency_code ~ '^[A-Z]{3}$'),
      amount bigint not null check (amount >= 0),
      compare_at_amount bigint check (compare_at_amount >= 0),
      primary key (variant_id, currency_code)
    )`.execute(db);

  await sql`
    create table category (
      id text primary key,
      parent_id text references category (id),
      name text not null check (length(name) between 1 and 200),
      handle text not null unique check (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      description text not null default '',
      position integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (parent_id is null or parent_id <> id)
    )`.execute(db);
  await sql`create index category_parent_idx on category (parent_id, position)`.execute(db);
  await sql`
    create table product_category (
      product_id text not null references product (id) on delete cascade,
      category_id text not null references category (id) on delete cascade,
      primary key (product_id, category_id)
    )`.execute(db);
  await sql`create index product_category_category_idx on product_category (category_id)`.execute(db);

  await sql`
    create table collection (
      id text primary key,
      title text not null check (length(title) between 1 and 200),
      handle text not null unique check (handle ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      description text not null default '',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table collection_product (
      collection_id text not null references collection (id) on delete cascade,
      product_id text not null references product (id) on delete cascade,
      position integer not null,
      primary key (collection_id, product_id)
    )`.execute(db);
  await sql`create index collection_product_product_idx on collection_product (product_id)`.execute(db);

  await sql`
    create table product_channel (
      product_id text not null references product (id) on delete cascade,
      sales_channel_id text not null references sales_channel (id),
      primary key (product_id, sales_channel_id)
    )`.execute(db);
  await sql`create index product_channel_channel_idx on product_channel (sales_channel_id)`.execute(db);

  // Stock as catalog sees it, pushed by inventory in the same transaction as every stock change
  // (catalog never reads inventory's tables). `available` null = not tracked (always sellable).
  await sql`
    create table variant_stock (
      variant_id text primary key references variant (id) on delete cascade,
      available integer,
      allow_backorder boolean not null default false,
      low_stock_threshold integer not null default 0
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'variant_stock',
    'product_channel',
    'collection_product',
    'collection',
    'product_category',
    'category',
    'variant_price',
    'variant',
    'product_option',
    'product',
  ]) {
    await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
  }
}
