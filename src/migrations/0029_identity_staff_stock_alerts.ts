import { type Kysely, sql } from 'kysely';

/**
 * Stock alerts by email (issue 14): a staff member opts in with `stock_alerts`; the identity handler of
 * `inventory.low_stock` / `inventory.back_in_stock` mails every opted-in, active member who may read
 * inventory. The outbox delivers an event at least once, so `staff_stock_alert` remembers which
 * (event, staff member) pairs were already queued: the insert that claims a pair decides whether the
 * email is queued, in the same transaction as the email itself. No foreign key to `outbox_event`:
 * events are pruned by age, and a claim only has to outlive redeliveries (the handler prunes old ones).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staff_user add column stock_alerts boolean not null default false`.execute(db);
  await sql`
    create table staff_stock_alert (
      event_id text not null,
      staff_id text not null references staff_user (id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (event_id, staff_id)
    )`.execute(db);
  await sql`create index staff_stock_alert_staff_idx on staff_stock_alert (staff_id)`.execute(db);
  await sql`create index staff_stock_alert_created_idx on staff_stock_alert (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists staff_stock_alert`.execute(db);
  await sql`alter table staff_user drop column if exists stock_alerts`.execute(db);
}
