import { type Kysely, sql } from 'kysely';

/**
 * Fulfilments: a parcel of some of an order's units, picked at one stock location, then shipped
 * (carrier, tracking) and delivered. `order_line.fulfilled_quantity` / `shipped_quantity` are the
 * running totals (their CHECKs in 0018 refuse over-fulfilment); these rows say which parcel holds
 * which units. The constraints below are the last line of defence behind the conditional
 * statements in fulfillments.service.ts: a status always comes with its timestamps, and a
 * shipped parcel always has a carrier and a tracking number.
 *
 * There is no `canceled` status on purpose: units leave the reservation when a fulfilment is
 * created (on_hand −q, reserved −q), and putting them back as *reserved* needs an inventory
 * command that does not exist yet. Until then a wrong fulfilment is corrected with a stock
 * adjustment rather than an undo that would leave the order unfulfillable.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table fulfillment (
      id text primary key,
      order_id text not null references "order" (id) on delete cascade,
      location_id text not null references stock_location (id),
      status text not null default 'created' check (status in ('created', 'shipped', 'delivered')),
      carrier text check (length(carrier) between 1 and 100),
      tracking_number text check (length(tracking_number) between 1 and 200),
      tracking_url text check (length(tracking_url) <= 2000 and tracking_url ~ '^https?://[^[:space:]]+$'),
      created_at timestamptz not null default now(),
      shipped_at timestamptz,
      delivered_at timestamptz,
      updated_at timestamptz not null default now(),
      actor_type text not null,
      actor_id text,
      constraint fulfillment_shipped_at_check check ((status = 'created') = (shipped_at is null)),
      constraint fulfillment_delivered_at_check check ((status = 'delivered') = (delivered_at is not null)),
      constraint fulfillment_tracking_check
        check (status = 'created' or (carrier is not null and tracking_number is not null)),
      constraint fulfillment_dates_check check (delivered_at >= shipped_at and shipped_at >= created_at)
    )`.execute(db);
  await sql`create index fulfillment_order_idx on fulfillment (order_id, id)`.execute(db);

  await sql`
    create table fulfillment_line (
      fulfillment_id text not null references fulfillment (id) on delete cascade,
      order_line_id text not null references order_line (id) on delete cascade,
      quantity integer not null check (quantity > 0),
      primary key (fulfillment_id, order_line_id)
    )`.execute(db);
  await sql`create index fulfillment_line_order_line_idx on fulfillment_line (order_line_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists fulfillment_line, fulfillment cascade`.execute(db);
}
