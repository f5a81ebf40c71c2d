import { type Kysely, sql } from 'kysely';

/**
 * The workers' last runs (System page): one row per background loop per process, written by the loop itself at most
 * every few seconds (and at once when it starts failing or recovers), so an operator sees which loops run, when each
 * last succeeded and what its last error was — without shell access to the worker's log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table worker_run (
      name text not null,
      node text not null,
      interval_ms integer not null check (interval_ms > 0),
      started_at timestamptz not null,
      finished_at timestamptz not null,
      duration_ms integer not null check (duration_ms >= 0),
      last_ok_at timestamptz,
      last_error text,
      last_error_at timestamptz,
      rounds bigint not null default 0 check (rounds >= 0),
      failures bigint not null default 0 check (failures >= 0),
      primary key (name, node)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists worker_run`.execute(db);
}
