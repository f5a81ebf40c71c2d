import { type Kysely, sql } from 'kysely';

/**
 * Identity: customers, staff, roles, sessions, API keys, one-time tokens and the audit log.
 * Secrets are never stored: passwords as argon2id hashes, tokens and keys as SHA-256 of a
 * 256-bit random value (high entropy, so a fast hash is enough and lookups stay one index probe).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table role (
      id text primary key,
      name text not null unique check (length(name) between 1 and 80),
      description text,
      permissions text[] not null default '{}',
      builtin boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table staff_user (
      id text primary key,
      email text not null,
      email_normalized text not null unique,
      name text,
      password_hash text,
      role_id text not null references role(id),
      status text not null check (status in ('invited', 'active', 'disabled')),
      mfa_secret text,
      mfa_enabled_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (status = 'invited' or password_hash is not null)
    )`.execute(db);
  await sql`
    create table customer (
      id text primary key,
      email text not null,
      email_normalized text not null unique,
      password_hash text not null,
      first_name text,
      last_name text,
      email_verified_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table auth_session (
      id text primary key,
      token_hash text not null unique,
      subject_type text not null check (subject_type in ('customer', 'staff')),
      subject_id text not null,
      ip text,
      user_agent text,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index auth_session_subject_idx on auth_session (subject_type, subject_id) where revoked_at is null`.execute(
    db,
  );
  await sql`
    create table api_key (
      id text primary key,
      kind text not null check (kind in ('publishable', 'secret')),
      name text not null check (length(name) between 1 and 120),
      token_hash text not null unique,
      token_hint text not null,
      permissions text[] not null default '{}',
      created_by text,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz,
      check (kind = 'secret' or cardinality(permissions) = 0)
    )`.execute(db);
  await sql`
    create table audit_log (
      id text primary key,
      at timestamptz not null default now(),
      actor_type text not null check (actor_type in ('staff', 'api_key', 'customer', 'system')),
      actor_id text,
      action text not null,
      target_type text,
      target_id text,
      ip text,
      request_id text,
      changes jsonb not null default '{}'::jsonb
    )`.execute(db);
  await sql`create index audit_log_at_idx on audit_log (at desc, id desc)`.execute(db);
  await sql`create index audit_log_target_idx on audit_log (target_type, target_id)`.execute(db);
  // Append-only: no API can change history, and neither can a bug.
  await sql`
    create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`
    create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_is_append_only()`.execute(db);
  await sql`
    create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only()`.execute(db);
  // Built-in roles: their permissions come from code (permissions.ts), so they never drift; the
  // rows exist so staff can reference them.
  await sql`
    insert into role (id, name, description, builtin) values
      ('role_owner', 'owner', 'Everything, including staff and keys', true),
      ('role_admin', 'admin', 'Everything except ownership transfer', true),
      ('role_catalog_manager', 'catalog manager', 'Products, prices and stock', true),
      ('role_fulfilment', 'fulfilment', 'Read and fulfil orders; adjust stock', true),
      ('role_support', 'support', 'Read customers and orders; cancel and refund', true),
      ('role_read_only', 'read-only', 'Read everything, change nothing', true)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['audit_log', 'api_key', 'auth_session', 'customer', 'staff_user', 'role']) {
    await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
  }
  await sql`drop function if exists audit_log_is_append_only()`.execute(db);
}
