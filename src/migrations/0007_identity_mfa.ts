import { type Kysely, sql } from 'kysely';

/**
 * Staff MFA: hashed single-use recovery codes, the last accepted TOTP time step (replay
 * protection), the sealed secret of an unfinished enrolment, and whether a session passed MFA.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table staff_user
      add column mfa_last_step bigint,
      add column mfa_pending_secret text`.execute(db);
  await sql`alter table auth_session add column mfa_verified boolean not null default false`.execute(db);
  await sql`
    create table staff_mfa_recovery_code (
      staff_id text not null references staff_user (id) on delete cascade,
      code_hash text not null,
      used_at timestamptz,
      primary key (staff_id, code_hash)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table staff_mfa_recovery_code`.execute(db);
  await sql`alter table auth_session drop column mfa_verified`.execute(db);
  await sql`alter table staff_user drop column mfa_pending_secret, drop column mfa_last_step`.execute(db);
}
