import { type Kysely, sql } from 'kysely';

/**
 * Staff administration: who invited whom and the last sign-in (for "inactive staff" reviews).
 * Custom roles reuse `role` rows with `builtin = false`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staff_user add column invited_by text`.execute(db);
  await sql`alter table staff_user add column last_login_at timestamptz`.execute(db);
  await sql`create index staff_user_role_idx on staff_user (role_id)`.execute(db);
  // Only an active member needs a password: an invitee who is disabled before accepting has none.
  await sql`alter table staff_user drop constraint staff_user_check`.execute(db);
  await sql`
    alter table staff_user add constraint staff_user_active_has_password
      check (status <> 'active' or password_hash is not null)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staff_user drop constraint staff_user_active_has_password`.execute(db);
  await sql`
    alter table staff_user add constraint staff_user_check
      check (status = 'invited' or password_hash is not null)`.execute(db);
  await sql`drop index if exists staff_user_role_idx`.execute(db);
  await sql`alter table staff_user drop column if exists last_login_at`.execute(db);
  await sql`alter table staff_user drop column if exists invited_by`.execute(db);
}
