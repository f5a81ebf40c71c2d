import { type Kysely, sql } from 'kysely';

/**
 * Checkout settings: regions (one currency, a set of countries, prices entered with or without tax), tax rates per
 * country (optionally per province) with per-category overrides, and shipping options per region.
 *
 * A country belongs to at most one region: `region_country.country_code` is the primary key, so the constraint —
 * not a read-then-write check — refuses the second region. Tax rates are integers in thousandths of a percent
 * (19% = 19000, 8.875% = 8875), the unit money.ts's `multiplyRatio(m, rate, 100_000)` takes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table region (
      id text primary key,
      name text not null unique check (length(name) between 1 and 120),
      currency_code text not null check (currency_code ~ '^[A-Z]{3}$'),
      tax_inclusive boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table region_country (
      country_code text primary key check (country_code ~ '^[A-Z]{2}$'),
      region_id text not null references region (id) on delete cascade
    )`.execute(db);
  await sql`create index region_country_region_idx on region_country (region_id)`.execute(db);

  await sql`
    create table tax_rate (
      id text primary key,
      country_code text not null check (country_code ~ '^[A-Z]{2}$'),
      province_code text check (province_code ~ '^[A-Z0-9]{1,3}$'),
      name text not null check (length(name) between 1 and 120),
      rate integer not null check (rate between 0 and 100000),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // One standard rate per country, and one per (country, province).
  await sql`create unique index tax_rate_country_key on tax_rate (country_code) where province_code is null`.execute(
    db,
  );
  await sql`
    create unique index tax_rate_province_key on tax_rate (country_code, province_code)
      where province_code is not null`.execute(db);
  await sql`
    create table tax_rate_override (
      tax_rate_id text not null references tax_rate (id) on delete cascade,
      category_id text not null references category (id) on delete cascade,
      rate integer not null check (rate between 0 and 100000),
      primary key (tax_rate_id, category_id)
    )`.execute(db);
  await sql`create index tax_rate_override_category_idx on tax_rate_override (category_id)`.execute(db);

  await sql`
    create table shipping_option (
      id text primary key,
      region_id text not null references region (id) on delete cascade,
      stock_location_id text not null references stock_location (id),
      name text not null check (length(name) between 1 and 120),
      kind text not null check (kind in ('flat', 'free_above', 'weight_bands')),
      -- flat and free_above: the price; free_above: free from this discounted subtotal on.
      amount bigint check (amount >= 0),
      threshold bigint check (threshold >= 0),
      -- weight_bands: [{ maxGrams, amount }], ascending by maxGrams.
      bands jsonb,
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (
        (kind = 'flat' and amount is not null and threshold is null and bands is null) or
        (kind = 'free_above' and amount is not null and threshold is not null and bands is null) or
        (kind = 'weight_bands' and amount is null and threshold is null and jsonb_typeof(bands) = 'array')
      )
    )`.execute(db);
  await sql`create index shipping_option_region_idx on shipping_option (region_id, name)`.execute(db);
  await sql`create index shipping_option_location_idx on shipping_option (stock_location_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table shipping_option`.execute(db);
  await sql`drop table tax_rate_override`.execute(db);
  await sql`drop table tax_rate`.execute(db);
  await sql`drop table region_country`.execute(db);
  await sql`drop table region`.execute(db);
}
