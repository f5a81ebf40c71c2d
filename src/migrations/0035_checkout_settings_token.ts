import { type Kysely, sql } from 'kysely';

/**
 * A token that changes with every change to what prices a cart besides the catalog: regions and their countries, tax
 * rates and their overrides, shipping options. Every cart read returns it in the same statement, so each process can
 * keep those settings in memory keyed by the token and read them again only when it changes — never stale, with no
 * invalidation message to miss. A random token (not a counter) so caches of several databases in one process never
 * mix. Set by statement-level triggers, so no write path — the admin API, an import, plain SQL — can forget it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table checkout_settings_version (
      id boolean primary key default true check (id),
      token text not null
    )`.execute(db);
  await sql`insert into checkout_settings_version (token) values (gen_random_uuid()::text)`.execute(db);
  await sql`
    create function checkout_settings_changed() returns trigger language plpgsql as $$
    begin
      update checkout_settings_version set token = gen_random_uuid()::text;
      return null;
    end $$`.execute(db);
  for (const table of ['region', 'region_country', 'tax_rate', 'tax_rate_override', 'shipping_option']) {
    await sql`
      create trigger ${sql.raw(`${table}_settings_changed`)}
        after insert or update or delete or truncate on ${sql.table(table)}
        for each statement execute function checkout_settings_changed()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['region', 'region_country', 'tax_rate', 'tax_rate_override', 'shipping_option']) {
    await sql`drop trigger if exists ${sql.raw(`${table}_settings_changed`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists checkout_settings_changed()`.execute(db);
  await sql`drop table if exists checkout_settings_version`.execute(db);
}
