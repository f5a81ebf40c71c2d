import { type Kysely, sql } from 'kysely';

/**
 * Returns: a `return_request` asks to send back some shipped units of an order (by its customer
 * or by staff), is approved or rejected, and is received once, line by line, with or without
 * restocking. Received units are counted on `order_line.returned_quantity`; the refund itself is
 * money on the order's payments (the payments ledger), and the return only keeps the total refunded
 * against it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table return_request (
      id text primary key,
      order_id text not null references "order" (id) on delete cascade,
      status text not null default 'requested'
        check (status in ('requested', 'approved', 'rejected', 'received')),
      requested_by_type text not null check (requested_by_type in ('customer', 'staff', 'api_key', 'system')),
      requested_by_id text,
      note text check (length(note) <= 2000),
      rejection_reason text check (length(rejection_reason) between 1 and 2000),
      -- The order's currency, so the view can show money without joining the order.
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      refunded_amount bigint not null default 0 check (refunded_amount >= 0),
      created_at timestamptz not null default now(),
      approved_at timestamptz,
      rejected_at timestamptz,
      received_at timestamptz,
      updated_at timestamptz not null default now(),
      constraint return_request_rejected_has_reason check ((status = 'rejected') = (rejection_reason is not null)),
      constraint return_request_rejected_at check ((status = 'rejected') = (rejected_at is not null)),
      constraint return_request_received_at check ((status = 'received') = (received_at is not null)),
      constraint return_request_received_was_approved check (status <> 'received' or approved_at is not null)
    )`.execute(db);
  await sql`create index return_request_order_idx on return_request (order_id, id)`.execute(db);
  await sql`create index return_request_status_idx on return_request (status, id desc)`.execute(db);

  await sql`
    create table return_line (
      id text primary key,
      return_id text not null references return_request (id) on delete cascade,
      order_line_id text not null references order_line (id) on delete cascade,
      quantity integer not null check (quantity > 0),
      reason text not null check (reason in ('damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', 'other')),
      note text check (length(note) <= 1000),
      received_quantity integer not null default 0,
      restocked_quantity integer not null default 0,
      position integer not null,
      constraint return_line_one_per_order_line unique (return_id, order_line_id),
      constraint return_line_received_within_requested check (received_quantity between 0 and quantity),
      constraint return_line_restocked_within_received check (restocked_quantity between 0 and received_quantity)
    )`.execute(db);
  await sql`create index return_line_order_line_idx on return_line (order_line_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists return_line, return_request cascade`.execute(db);
}
