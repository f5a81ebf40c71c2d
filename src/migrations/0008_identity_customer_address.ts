import { type Kysely, sql } from 'kysely';

/** Customer address book; at most one default shipping and one default billing address per customer. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table customer_address (
      id text primary key,
      customer_id text not null references customer (id) on delete cascade,
      first_name text not null,
      last_name text not null,
      company text,
      line1 text not null,
      line2 text,
      city text not null,
      postal_code text not null,
      region text,
      country_code text not null check (country_code ~ '^[A-Z]{2}$'),
      phone text,
      is_default_shipping boolean not null default false,
      is_default_billing boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index customer_address_customer_idx on customer_address (customer_id, id)`.execute(db);
  await sql`
    create unique index customer_address_default_shipping_key
      on customer_address (customer_id) where is_default_shipping`.execute(db);
  await sql`
    create unique index customer_address_default_billing_key
      on customer_address (customer_id) where is_default_billing`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table customer_address`.execute(db);
}
