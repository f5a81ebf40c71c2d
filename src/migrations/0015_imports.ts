import { type Kysely, sql } from 'kysely';

/**
 * Import jobs: the uploaded CSV waits here until a worker claims it (SKIP LOCKED, with a claim that
 * a running worker extends after every batch, so a crashed worker's job is picked up again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table import_job (
      id text primary key,
      kind text not null check (kind in ('products')),
      status text not null check (status in ('queued', 'running', 'done', 'rejected', 'failed')),
      partial boolean not null default false,
      csv text,
      total_rows integer not null default 0,
      processed_rows integer not null default 0,
      products_created integer not null default 0,
      products_updated integer not null default 0,
      skipped_products integer not null default 0,
      stock_levels_changed integer not null default 0,
      error_count integer not null default 0,
      errors jsonb not null default '[]'::jsonb,
      failure text,
      attempts integer not null default 0,
      claimed_until timestamptz,
      actor_type text not null,
      actor_id text,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  await sql`create index import_job_pending_idx on import_job (created_at) where status in ('queued', 'running')`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table import_job`.execute(db);
}
