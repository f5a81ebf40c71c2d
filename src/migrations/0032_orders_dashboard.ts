import { type Kysely, sql } from 'kysely';

/**
 * The admin dashboard's order numbers stay cheap at any order count:
 * - today's and yesterday's sales read a range of `placed_at` (orders waiting for payment have none), with the
 *   columns they sum carried in the index so no table row is visited;
 * - "waiting for capture" and "waiting for fulfilment" count the open (`placed`) orders only — completed and
 *   cancelled ones, the bulk of an order history, are not in this partial index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index order_placed_at_idx on "order" (placed_at) include (currency, total, status)
     where placed_at is not null`.execute(db);
  await sql`
    create index order_open_idx on "order" (payment_status, fulfillment_status) where status = 'placed'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists order_open_idx`.execute(db);
  await sql`drop index if exists order_placed_at_idx`.execute(db);
}
