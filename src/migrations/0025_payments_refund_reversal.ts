import { type Kysely, sql } from 'kysely';

/**
 * A refund the gateway accepted and counted (Stripe answers `pending` or `succeeded`, PayPal `PENDING`/`COMPLETED`)
 * can still fail or be cancelled later. The ledger is append-only, so the refund is taken back by a compensating
 * row of kind `refund_reversal` (a positive amount, subtracted from the refunded total), never by deleting or
 * editing the refund row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table payment_transaction drop constraint payment_transaction_kind_check`.execute(db);
  await sql`alter table payment_transaction add constraint payment_transaction_kind_check
             check (kind in ('authorization', 'capture', 'refund', 'void', 'refund_reversal'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table payment_transaction drop constraint payment_transaction_kind_check`.execute(db);
  await sql`alter table payment_transaction add constraint payment_transaction_kind_check
             check (kind in ('authorization', 'capture', 'refund', 'void'))`.execute(db);
}
