import { type Kysely, sql } from 'kysely';

/**
 * When the buyer approved the attempt at the gateway (PayPal `CHECKOUT.ORDER.APPROVED`) — which moves no money until
 * we authorize or capture it. Recorded so that an approval whose completion never ran (the buyer closed the tab, the
 * webhook's follow-up was lost) is still found and completed by the worker's sweep.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table payment add column approved_at timestamptz`.execute(db);
  // When the worker last asked the gateway whether the buyer approved (its approval webhook may never come).
  await sql`alter table payment add column approval_checked_at timestamptz`.execute(db);
  // The sweep's question: approved, not yet an order.
  await sql`create index payment_approved_without_order_idx on payment (updated_at)
             where approved_at is not null and order_id is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists payment_approved_without_order_idx`.execute(db);
  await sql`alter table payment drop column approval_checked_at`.execute(db);
  await sql`alter table payment drop column approved_at`.execute(db);
}
