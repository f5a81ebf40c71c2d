import { type Kysely, sql } from 'kysely';

/**
 * Checkout completion: the cart remembers the payment method the buyer chose (`POST …/payment`) and what the
 * gateway needs for it (never secrets); an order whose payment was declined is cancelled and its cart reopens, so
 * "one order per cart" becomes "one live (not cancelled) order per cart" — the declined attempts stay on record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table cart add column payment_provider text check (payment_provider ~ '^[a-z][a-z0-9_]{0,39}$')`.execute(
    db,
  );
  await sql`alter table cart add column payment_data jsonb not null default '{}'::jsonb`.execute(db);
  await sql`alter table cart add column completing_since timestamptz`.execute(db);
  // The worker finds completions that stopped between phase one and three (a crash) by this index.
  await sql`create index cart_completing_idx on cart (completing_since) where status = 'completing'`.execute(db);
  await sql`alter table "order" drop constraint order_cart_id_key`.execute(db);
  await sql`create unique index order_cart_live_key on "order" (cart_id) where status <> 'cancelled'`.execute(db);
  await sql`create index order_cart_idx on "order" (cart_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists order_cart_idx`.execute(db);
  await sql`drop index if exists order_cart_live_key`.execute(db);
  await sql`alter table "order" add constraint order_cart_id_key unique (cart_id)`.execute(db);
  await sql`drop index if exists cart_completing_idx`.execute(db);
  await sql`alter table cart drop column if exists completing_since`.execute(db);
  await sql`alter table cart drop column if exists payment_data`.execute(db);
  await sql`alter table cart drop column if exists payment_provider`.execute(db);
}
