import { type Kysely, sql } from 'kysely';

/**
 * Orders: a snapshot of what was bought (lines, prices, taxes, discounts, addresses) that later
 * catalog changes cannot alter, three status columns each moved only through the transition
 * tables in orders.state.ts, and an append-only timeline of everything that happened.
 * Order lines reference variants without cascading, so a variant (and its product) that was
 * ever ordered cannot be deleted — archive it instead.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Human order numbers: unique and increasing; gaps (rolled-back checkouts) are fine.
  await sql`create sequence order_number_seq start 1001`.execute(db);
  await sql`
    create table "order" (
      id text primary key,
      number bigint not null unique default nextval('order_number_seq'),
      cart_id text unique,
      customer_id text references customer (id),
      email text not null,
      sales_channel_id text not null references sales_channel (id),
      region_id text,
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      status text not null default 'pending_payment'
        check (status in ('pending_payment', 'placed', 'completed', 'cancelled')),
      payment_status text not null default 'not_paid'
        check (payment_status in ('not_paid', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded', 'voided')),
      fulfillment_status text not null default 'not_fulfilled'
        check (fulfillment_status in ('not_fulfilled', 'partially_fulfilled', 'fulfilled', 'partially_shipped', 'shipped',
                                      'delivered', 'partially_returned', 'returned')),
      subtotal bigint not null check (subtotal >= 0),
      discount_total bigint not null default 0 check (discount_total >= 0),
      shipping_total bigint not null default 0 check (shipping_total >= 0),
      tax_total bigint not null default 0 check (tax_total >= 0),
      total bigint not null check (total >= 0),
      shipping_address jsonb,
      billing_address jsonb,
      shipping_method jsonb,
      promo_codes text[] not null default '{}',
      version integer not null default 1,
      created_at timestamptz not null default now(),
      placed_at timestamptz,
      cancelled_at timestamptz,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index order_created_idx on "order" (created_at desc, id desc)`.execute(db);
  await sql`create index order_customer_idx on "order" (customer_id, created_at desc) where customer_id is not null`.execute(
    db,
  );
  await sql`create index order_email_idx on "order" (lower(email))`.execute(db);
  await sql`create index order_status_idx on "order" (status, created_at desc)`.execute(db);

  await sql`
    create table order_line (
      id text primary key,
      order_id text not null references "order" (id) on delete cascade,
      variant_id text references variant (id) on delete restrict,
      product_id text,
      sku text not null,
      title text not null,
      variant_title text not null,
      quantity integer not null check (quantity > 0),
      unit_price bigint not null check (unit_price >= 0),
      subtotal bigint not null check (subtotal >= 0),
      discount bigint not null default 0 check (discount >= 0),
      tax bigint not null default 0 check (tax >= 0),
      total bigint not null check (total >= 0),
      -- [{ name, rate (thousandths of a percent), amount }]
      tax_lines jsonb not null default '[]'::jsonb,
      fulfilled_quantity integer not null default 0,
      shipped_quantity integer not null default 0,
      returned_quantity integer not null default 0,
      position integer not null,
      check (fulfilled_quantity between 0 and quantity),
      check (shipped_quantity between 0 and fulfilled_quantity),
      check (returned_quantity between 0 and quantity)
    )`.execute(db);
  await sql`create index order_line_order_idx on order_line (order_id, position)`.execute(db);
  await sql`create index order_line_variant_idx on order_line (variant_id)`.execute(db);

  await sql`
    create table order_event (
      id text primary key,
      order_id text not null references "order" (id) on delete cascade,
      at timestamptz not null default now(),
      kind text not null,
      actor_type text not null,
      actor_id text,
      data jsonb not null default '{}'::jsonb
    )`.execute(db);
  await sql`create index order_event_order_idx on order_event (order_id, id)`.execute(db);
  // Append-only: direct UPDATE/DELETE refused (pg_trigger_depth() = 0); only the cascade of an
  // order deletion (never offered by any API) removes rows.
  await sql`
    create function order_event_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'order_event is append-only' using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`
    create trigger order_event_append_only before update or delete on order_event
    for each row when (pg_trigger_depth() = 0)
    execute function order_event_is_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists order_event, order_line, "order" cascade`.execute(db);
  await sql`drop function if exists order_event_is_append_only()`.execute(db);
  await sql`drop sequence if exists order_number_seq`.execute(db);
}
