import { type Kysely, sql } from 'kysely';

/**
 * A publishable key may pin a sales channel; without one it follows the shop's default channel.
 * A secret key selects none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_key add column sales_channel_id text references sales_channel (id)`.execute(db);
  await sql`
    alter table api_key add constraint api_key_channel_check
      check (kind = 'publishable' or sales_channel_id is null)`.execute(db);
  await sql`create index api_key_sales_channel_idx on api_key (sales_channel_id) where sales_channel_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_key drop column sales_channel_id`.execute(db);
}
