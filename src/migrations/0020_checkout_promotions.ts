import { type Kysely, sql } from 'kysely';

/**
 * Promotions: codes (unique ignoring case) and automatic promotions (no code), percentage (basis points) or fixed
 * (minor units of `currency_code`), on the order or on chosen products/categories.
 *
 * Usage limits are enforced by the statement that redeems (see promotions.redeem.ts): `used < usage_limit` in the
 * conditional UPDATE, and per customer a numbered slot `n` in 1..per_customer_limit that the unique
 * (promotion_id, customer_key, n) index lets only one transaction take. The CHECKs are the last line of defence.
 * `order_id` has no foreign key: checkout redeems in the transaction that creates the order, in whatever order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table promotion (
      id text primary key,
      name text not null check (length(name) between 1 and 120),
      code text check (code ~ '^[A-Za-z0-9_-]{2,64}$'),
      kind text not null check (kind in ('percentage', 'fixed')),
      -- percentage: basis points (1000 = 10%); fixed: minor units of currency_code.
      value bigint not null check (value > 0),
      currency_code text check (currency_code ~ '^[A-Z]{3}$'),
      target text not null check (target in ('order', 'products', 'categories')),
      target_ids text[] not null default '{}',
      min_subtotal bigint check (min_subtotal > 0),
      starts_at timestamptz,
      ends_at timestamptz,
      usage_limit integer check (usage_limit > 0),
      per_customer_limit integer check (per_customer_limit between 1 and 1000),
      used integer not null default 0 check (used >= 0),
      combinable boolean not null default false,
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (kind <> 'percentage' or value <= 10000),
      check (kind <> 'fixed' or currency_code is not null),
      check (min_subtotal is null or currency_code is not null),
      check ((target = 'order') = (cardinality(target_ids) = 0)),
      check (ends_at is null or starts_at is null or ends_at > starts_at),
      check (usage_limit is null or used <= usage_limit)
    )`.execute(db);
  await sql`create unique index promotion_code_key on promotion (lower(code)) where code is not null`.execute(db);
  await sql`create index promotion_automatic_idx on promotion (id) where code is null and active`.execute(db);

  await sql`
    create table promotion_redemption (
      promotion_id text not null references promotion (id) on delete restrict,
      order_id text not null,
      -- a customer id, or a guest's lowercased email; null when unknown (counts only toward usage_limit).
      customer_key text,
      -- the per-customer slot (1..per_customer_limit) when the promotion has such a limit, else null.
      n integer check (n >= 1),
      created_at timestamptz not null default now(),
      primary key (promotion_id, order_id)
    )`.execute(db);
  await sql`
    create unique index promotion_redemption_slot_key on promotion_redemption (promotion_id, customer_key, n)`.execute(
    db,
  );
  await sql`create index promotion_redemption_order_idx on promotion_redemption (order_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table promotion_redemption`.execute(db);
  await sql`drop table promotion`.execute(db);
}
