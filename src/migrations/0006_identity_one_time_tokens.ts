import { type Kysely, sql } from 'kysely';

/**
 * One-time tokens (email verification, password reset, staff invites). Only the SHA-256 of the
 * token is stored; a token is consumed by one conditional update, so it works exactly once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table one_time_token (
      id text primary key,
      purpose text not null check (purpose in ('email_verification', 'password_reset', 'staff_invite')),
      subject_type text not null,
      subject_id text not null,
      token_hash text not null unique,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index one_time_token_subject_idx on one_time_token (subject_type, subject_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table one_time_token`.execute(db);
}
