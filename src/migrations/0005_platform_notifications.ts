import { type Kysely, sql } from 'kysely';

/**
 * Notifications (emails) written in the transaction of the change that causes them and sent by
 * the worker. The rendered body can hold a one-time link, so it is erased once the message is sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notification (
      id text primary key,
      template text not null,
      recipient text not null,
      subject text not null,
      body text,
      status text not null default 'queued' check (status in ('queued', 'sent')),
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      transport_id text,
      check ((status = 'sent') = (sent_at is not null))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table notification`.execute(db);
}
