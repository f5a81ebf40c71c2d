import { type Kysely, sql } from 'kysely';

/**
 * Commit order for outbox events. An event's id is taken when its transaction writes it, not when it
 * commits, so ids (and `created_at`) do not say in which order events became visible: a reader that
 * pages by id can pass over an event whose transaction commits a moment later. The sequencer
 * (platform/outbox/sequencer.ts, one at a time under an advisory lock) gives every committed event
 * the next `position` in the order it sees them; positions are only ever handed out to committed
 * rows, so a consumer that pages by position (the events API, the webhook fan-out) never skips one.
 * Two changes of one resource are serialised by its row lock, so their events' positions follow
 * the order the changes happened.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence outbox_event_position_seq as bigint`.execute(db);
  await sql`alter table outbox_event add column position bigint`.execute(db);
  await sql`alter table outbox_event add column sequenced_at timestamptz`.execute(db);
  await sql`alter table outbox_event add constraint outbox_event_position_sequenced
             check ((position is null) = (sequenced_at is null))`.execute(db);
  // The sequencer's scan: committed events without a position yet.
  await sql`create index outbox_event_unsequenced_idx on outbox_event (id) where position is null`.execute(db);
  // Consumers page by position; filters by type and resource use their own index.
  await sql`create unique index outbox_event_position_idx on outbox_event (position) where position is not null`.execute(
    db,
  );
  await sql`create index outbox_event_type_position_idx on outbox_event (type, position) where position is not null`.execute(
    db,
  );
  await sql`create index outbox_event_aggregate_position_idx on outbox_event (aggregate_id, position)
             where position is not null`.execute(db);
  // Retention (EVENT_RETENTION_DAYS) prunes by age whatever the in-process delivery status.
  await sql`create index outbox_event_created_idx on outbox_event (created_at)`.execute(db);
  // Events already delivered before this migration: positioned in id order, once.
  await sql`update outbox_event set position = p.pos, sequenced_at = now()
              from (select id, nextval('outbox_event_position_seq') as pos
                      from (select id from outbox_event order by id) o) p
             where outbox_event.id = p.id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbox_event_created_idx`.execute(db);
  await sql`alter table outbox_event drop constraint outbox_event_position_sequenced`.execute(db);
  await sql`alter table outbox_event drop column sequenced_at`.execute(db);
  await sql`alter table outbox_event drop column position`.execute(db);
  await sql`drop sequence outbox_event_position_seq`.execute(db);
}
