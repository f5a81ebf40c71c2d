import { type Kysely, sql } from 'kysely';

/**
 * Stored responses for `Idempotency-Key`. One row per (caller scope, key): claimed `in_flight`
 * by the first request (with a lease, so a crashed request does not block the key forever), then
 * `completed` with the response that is replayed until `expires_at`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table idempotency_key (
      scope text not null,
      key text not null check (length(key) between 1 and 255),
      request_hash text not null,
      method text not null,
      path text not null,
      status text not null check (status in ('in_flight', 'completed')),
      locked_until timestamptz,
      response_status integer,
      response_headers jsonb,
      response_body text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (scope, key),
      check ((status = 'completed') = (response_status is not null))
    )`.execute(db);
  await sql`create index idempotency_key_expires_idx on idempotency_key (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table idempotency_key`.execute(db);
}
