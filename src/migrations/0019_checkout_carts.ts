import { type Kysely, sql } from 'kysely';

/**
 * Carts: a guest's (customer_id null, reachable by its unguessable id) or a customer's, in one sales channel and
 * one currency (the region's when a region is set). Lines hold only what the buyer chose (variant, quantity);
 * prices, tax and totals are computed from the catalog on every read, never stored here.
 *
 * Limits live in the table too: 1–999 units per line, one line per variant (a second add raises the quantity).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table cart (
      id text primary key,
      customer_id text references customer (id) on delete cascade,
      sales_channel_id text not null references sales_channel (id),
      region_id text references region (id) on delete set null,
      currency_code text not null check (currency_code ~ '^[A-Z]{3}$'),
      country_code text check (country_code ~ '^[A-Z]{2}$'),
      status text not null default 'open' check (status in ('open', 'completing', 'completed')),
      email text check (length(email) <= 254),
      shipping_address jsonb,
      billing_address jsonb,
      shipping_option_id text references shipping_option (id) on delete set null,
      promo_codes text[] not null default '{}',
      held_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // A customer's open cart is found on login (merge) by this index.
  await sql`create index cart_customer_open_idx on cart (customer_id, id) where status = 'open'`.execute(db);
  await sql`
    create table cart_line (
      id text primary key,
      cart_id text not null references cart (id) on delete cascade,
      variant_id text not null references variant (id) on delete cascade,
      quantity integer not null check (quantity between 1 and 999),
      created_at timestamptz not null default now(),
      constraint cart_line_variant_key unique (cart_id, variant_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists cart_line`.execute(db);
  await sql`drop table if exists cart`.execute(db);
}
