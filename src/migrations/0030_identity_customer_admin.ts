import { type Kysely, sql } from 'kysely';

/**
 * Staff's view of customers (issue 15): phone, tags, enabled/disabled, last login, erasure, and staff notes.
 *
 * - `name_key` and `search_text` are stored generated columns, so the list's sort and search read one indexed
 *   expression each instead of repeating `lower(coalesce(…))` in every query (and cannot drift from it).
 * - Search is a substring match (`like '%q%'`) over a trigram GIN index (pg_trgm is already installed by 0012 and
 *   loaded by the embedded database too), so "smith", "@example.com" or "555 01" are found without a scan.
 * - Erasure keeps the row (orders and the audit log still point at the id) but removes what identifies the person:
 *   `password_hash` becomes nullable (an erased customer can never sign in).
 * - Carts get two small indexes so the privacy export/erase finds a customer's carts (by account or by the email a
 *   guest checkout used) without scanning every abandoned cart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table customer
      add column phone text check (phone is null or length(phone) between 1 and 40),
      add column tags text[] not null default '{}',
      add column status text not null default 'enabled' check (status in ('enabled', 'disabled')),
      add column disabled_at timestamptz,
      add column last_login_at timestamptz,
      add column erased_at timestamptz,
      alter column password_hash drop not null,
      add check (erased_at is not null or password_hash is not null)`.execute(db);
  await sql`
    alter table customer
      add column name_key text not null generated always as
        (lower(btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')))) stored,
      add column search_text text not null generated always as
        (lower(email || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(phone, '')))
        stored`.execute(db);
  await sql`create index customer_search_trgm_idx on customer using gin (search_text gin_trgm_ops)`.execute(db);
  // Sort by name: named customers first (A→Z), nameless ones after; id breaks ties (keyset paging).
  await sql`create index customer_name_sort_idx on customer ((name_key = ''), name_key, id)`.execute(db);
  await sql`create index customer_email_sort_idx on customer (email_normalized, id)`.execute(db);
  await sql`create index customer_tags_idx on customer using gin (tags)`.execute(db);
  await sql`create index customer_disabled_idx on customer (id) where status = 'disabled'`.execute(db);
  await sql`create index customer_created_idx on customer (created_at, id)`.execute(db);

  await sql`
    create table customer_note (
      id text primary key,
      customer_id text not null references customer (id) on delete cascade,
      body text not null check (length(body) between 1 and 5000),
      author_type text not null check (author_type in ('staff', 'api_key', 'system')),
      author_id text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index customer_note_customer_idx on customer_note (customer_id, id)`.execute(db);

  await sql`create index cart_customer_idx on cart (customer_id) where customer_id is not null`.execute(db);
  await sql`create index cart_email_idx on cart (lower(email)) where email is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists cart_email_idx`.execute(db);
  await sql`drop index if exists cart_customer_idx`.execute(db);
  await sql`drop table if exists customer_note`.execute(db);
  for (const c of ['search_text', 'name_key', 'erased_at', 'last_login_at', 'disabled_at', 'status', 'tags', 'phone']) {
    await sql`alter table customer drop column if exists ${sql.ref(c)}`.execute(db);
  }
  await sql`alter table customer alter column password_hash set not null`.execute(db);
}
