import { type Kysely, sql } from 'kysely';

/**
 * Real gateways (Stripe, PayPal):
 * - `payment.client_data`: what the storefront needs to finish a gateway step (Stripe's client secret, PayPal's
 *   approval link), kept so a repeated request answers the same without asking the gateway again.
 * - `cart.payment_id`: the attempt prepared by `POST /carts/{id}/payment` for gateways whose buyer acts in the
 *   browser before completion; completion authorizes that attempt instead of starting one.
 * - `payment_webhook_event`: the inbox. One row per gateway event id (a replay is acknowledged and ignored), stored
 *   after the signature check, processed by the worker.
 * - `payment_dispute`: chargebacks, one row per gateway dispute.
 * - `payment_gateway_config`: gateway settings set through the admin API; secrets sealed with AES-256-GCM.
 * - `region.payment_providers` (null: every configured provider) and `region.capture_method`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table payment add column client_data jsonb`.execute(db);
  await sql`alter table payment add column capture_method text not null default 'manual'
             check (capture_method in ('automatic', 'manual'))`.execute(db);
  await sql`alter table cart add column payment_id text references payment (id) on delete set null`.execute(db);

  await sql`
    create table payment_webhook_event (
      provider text not null check (provider ~ '^[a-z][a-z0-9_]{0,39}$'),
      event_id text not null check (length(event_id) between 1 and 255),
      type text not null,
      provider_type text not null check (length(provider_type) <= 200),
      event jsonb not null,
      payment_id text,
      status text not null default 'pending' check (status in ('pending', 'processed', 'ignored', 'failed')),
      result text,
      attempts integer not null default 0,
      last_error text,
      received_at timestamptz not null default now(),
      -- An event that cannot apply yet (a refund before its capture) waits and is tried again from here.
      available_at timestamptz not null default now(),
      processed_at timestamptz,
      primary key (provider, event_id)
    )`.execute(db);
  await sql`create index payment_webhook_event_pending_idx on payment_webhook_event (available_at)
             where status = 'pending'`.execute(db);
  await sql`create index payment_webhook_event_payment_idx on payment_webhook_event (payment_id)
             where payment_id is not null`.execute(db);

  await sql`
    create table payment_dispute (
      provider text not null,
      dispute_id text not null check (length(dispute_id) between 1 and 255),
      payment_id text not null references payment (id) on delete cascade,
      status text not null check (length(status) <= 60),
      reason text check (length(reason) <= 200),
      amount bigint check (amount >= 0),
      currency text check (currency ~ '^[A-Z]{3}$'),
      opened_at timestamptz not null default now(),
      closed_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (provider, dispute_id)
    )`.execute(db);
  await sql`create index payment_dispute_payment_idx on payment_dispute (payment_id)`.execute(db);

  await sql`
    create table payment_gateway_config (
      provider text primary key check (provider in ('stripe', 'paypal')),
      enabled boolean not null default true,
      settings jsonb not null default '{}'::jsonb,
      secrets_sealed text,
      updated_by text,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`alter table region add column payment_providers text[]`.execute(db);
  await sql`alter table region add column capture_method text not null default 'manual'
             check (capture_method in ('automatic', 'manual'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table region drop column if exists capture_method`.execute(db);
  await sql`alter table region drop column if exists payment_providers`.execute(db);
  await sql`drop table if exists payment_gateway_config`.execute(db);
  await sql`drop table if exists payment_dispute`.execute(db);
  await sql`drop table if exists payment_webhook_event`.execute(db);
  await sql`alter table cart drop column if exists payment_id`.execute(db);
  await sql`alter table payment drop column if exists capture_method`.execute(db);
  await sql`alter table payment drop column if exists client_data`.execute(db);
}
