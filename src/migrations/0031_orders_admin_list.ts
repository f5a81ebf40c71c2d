import { type Kysely, sql } from 'kysely';

/**
 * The staff orders list at 100,000+ orders (issue 15): search by number, email or the names on the order, filters
 * on each status and the sales channel, sorts newest/oldest/total, each with a keyset cursor.
 *
 * - `search_text`: the email and the shipping and billing names, lower-cased and without accents, kept by the
 *   database (a stored generated column) so no writer can forget it; a pg_trgm GIN index answers `like '%…%'`
 *   (PGlite ships pg_trgm; 0012 created the extension). `orders_fold` is the one fold for the column and the query.
 * - Keyset indexes: every filter column is followed by the sort key (created_at, id), so a filtered page is one
 *   index range whatever the page; (total, id) for the total sorts. order_status_idx gains `id` (same prefix).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes the fold immutable, which
  // a generated column needs. Schema-qualified so a session's search_path cannot change what it calls.
  await sql`
    create function orders_fold(t text) returns text language sql immutable parallel safe strict as $$
      select lower(public.unaccent('public.unaccent'::regdictionary, t))
    $$`.execute(db);
  await sql`
    alter table "order" add column search_text text generated always as (
      orders_fold(
        email || e'\n' ||
        coalesce(shipping_address ->> 'firstName', '') || ' ' || coalesce(shipping_address ->> 'lastName', '') || e'\n' ||
        coalesce(billing_address ->> 'firstName', '') || ' ' || coalesce(billing_address ->> 'lastName', '')
      )
    ) stored`.execute(db);
  await sql`create index order_search_trgm_idx on "order" using gin (search_text gin_trgm_ops)`.execute(db);

  await sql`drop index if exists order_status_idx`.execute(db);
  await sql`create index order_status_idx on "order" (status, created_at desc, id desc)`.execute(db);
  await sql`create index order_payment_status_idx on "order" (payment_status, created_at desc, id desc)`.execute(db);
  await sql`create index order_fulfillment_status_idx on "order" (fulfillment_status, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index order_channel_idx on "order" (sales_channel_id, created_at desc, id desc)`.execute(db);
  await sql`create index order_total_idx on "order" (total desc, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists order_total_idx`.execute(db);
  await sql`drop index if exists order_channel_idx`.execute(db);
  await sql`drop index if exists order_fulfillment_status_idx`.execute(db);
  await sql`drop index if exists order_payment_status_idx`.execute(db);
  await sql`drop index if exists order_status_idx`.execute(db);
  await sql`create index order_status_idx on "order" (status, created_at desc)`.execute(db);
  await sql`drop index if exists order_search_trgm_idx`.execute(db);
  await sql`alter table "order" drop column if exists search_text`.execute(db);
  await sql`drop function if exists orders_fold(text)`.execute(db);
}
