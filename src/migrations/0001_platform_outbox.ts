import { type Kysely, sql } from 'kysely';

/**
 * Transactional outbox. Events are rows written in the same transaction as the change they
 * describe, so an event exists if and only if its change committed. The relay leases rows by
 * pushing `available_at` into the future (claimed with FOR UPDATE SKIP LOCKED), so two relays never
 * hold the same event; a crashed relay's lease simply runs out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table outbox_event (
      id text primary key,
      type text not null check (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
      aggregate_id text,
      payload jsonb not null default '{}'::jsonb,
      request_id text,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
      attempts integer not null default 0 check (attempts >= 0),
      available_at timestamptz not null default now(),
      last_error text,
      created_at timestamptz not null default now(),
      delivered_at timestamptz,
      check ((status = 'delivered') = (delivered_at is not null))
    )`.execute(db);
  // The relay's only scan: pending rows whose lease or backoff has passed, oldest first.
  await sql`create index outbox_event_pending_idx on outbox_event (available_at, id) where status = 'pending'`.execute(
    db,
  );
  await sql`create index outbox_event_dead_idx on outbox_event (created_at) where status = 'dead'`.execute(db);
  await sql`create index outbox_event_delivered_idx on outbox_event (delivered_at) where status = 'delivered'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table outbox_event`.execute(db);
}
