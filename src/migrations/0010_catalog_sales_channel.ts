import { type Kysely, sql } from 'kysely';

/**
 * Sales channels: where products are sold (web shop, POS, marketplace app). Storefront requests
 * pick one with a publishable key; without a key they get the default channel. Exactly one channel
 * is the default (partial unique index); the shipped one has a fixed id so docs and seeds can name it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sales_channel (
      id text primary key,
      name text not null unique check (length(name) between 1 and 120),
      description text check (length(description) <= 500),
      is_default boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index sales_channel_one_default on sales_channel (is_default) where is_default`.execute(db);
  await sql`
    insert into sales_channel (id, name, description, is_default)
    values ('sc_default', 'Default', 'The main web storefront', true)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table sales_channel`.execute(db);
}
