import { type Kysely, sql } from 'kysely';

/**
 * Failed-login counters per account and per client IP, in PostgreSQL so every node sees the same
 * lockouts. A row is a key (`acct:<email>` or `ip:<address>`), its consecutive failures and the
 * time until which logins for it are refused.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table login_throttle (
      key text primary key,
      failures integer not null default 0 check (failures >= 0),
      last_failure_at timestamptz not null default now(),
      locked_until timestamptz
    )`.execute(db);
  await sql`create index login_throttle_last_failure_idx on login_throttle (last_failure_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table login_throttle`.execute(db);
}
