import { type Kysely, sql } from 'kysely';

/** A publishable key selects one sales channel; a secret key selects none. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_key add column sales_channel_id text references sales_channel (id)`.execute(db);
  await sql`update api_key set sales_channel_id = 'sc_default' where kind = 'publishable'`.execute(db);
  await sql`
    alter table api_key add constraint api_key_channel_check
      check ((kind = 'publishable') = (sales_channel_id is not null))`.execute(db);
  await sql`create index api_key_sales_channel_idx on api_key (sales_channel_id) where sales_channel_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_key drop column sales_channel_id`.execute(db);
}
