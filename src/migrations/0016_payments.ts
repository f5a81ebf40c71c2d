import { type Kysely, sql } from 'kysely';

/**
 * Payments: one `payment` per checkout payment attempt, the append-only `payment_transaction`
 * ledger (every authorization, capture, refund and void the gateway confirmed or refused), and
 * `payment_operation`, the intents of captures/refunds/voids in flight between the transaction
 * that reserves their amount and the one that records the gateway's answer.
 *
 * The payment row keeps running totals so that one conditional UPDATE can decide a capture or
 * refund under the row lock; the CHECKs below are the last line of defence and the ledger can
 * always re-derive the totals (`paymentTotals`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table payment (
      id text primary key,
      cart_id text not null,
      -- Orders live in another module (and do not exist yet): plain text, no foreign key.
      order_id text,
      provider text not null check (provider ~ '^[a-z][a-z0-9_]{0,39}$'),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      amount bigint not null check (amount > 0),
      -- Where the attempt is; the detailed status below is derived from it and the totals.
      stage text not null default 'pending'
        check (stage in ('pending', 'requires_action', 'authorized', 'failed', 'voided')),
      provider_reference text check (length(provider_reference) <= 500),
      -- Every gateway idempotency key of this payment starts with it (<base>:capture:3).
      idempotency_base text not null unique check (length(idempotency_base) between 1 and 200),
      decline_code text check (length(decline_code) <= 100),
      -- What initiate was asked (never secrets): lets a worker repeat it with the same key.
      metadata jsonb not null default '{}'::jsonb,
      authorized bigint not null default 0,
      captured bigint not null default 0,
      refunded bigint not null default 0,
      -- Amounts reserved by operations in flight (payment_operation rows still pending).
      pending_capture bigint not null default 0,
      pending_refund bigint not null default 0,
      pending_void boolean not null default false,
      capture_seq integer not null default 0,
      refund_seq integer not null default 0,
      status text generated always as (
        case
          when stage <> 'authorized' then stage
          when refunded > 0 and refunded = captured then 'refunded'
          when refunded > 0 then 'partially_refunded'
          when captured > 0 and captured = authorized then 'captured'
          when captured > 0 then 'partially_captured'
          else 'authorized'
        end) stored,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint payment_totals_non_negative check (
        authorized >= 0 and captured >= 0 and refunded >= 0 and pending_capture >= 0 and pending_refund >= 0),
      constraint payment_authorized_within_amount check (authorized <= amount),
      constraint payment_capture_within_authorized check (captured + pending_capture <= authorized),
      constraint payment_refund_within_captured check (refunded + pending_refund <= captured),
      constraint payment_void_only_uncaptured check (not pending_void or (captured = 0 and pending_capture = 0)),
      constraint payment_money_needs_authorization check (stage in ('authorized', 'voided') or authorized = 0)
    )`.execute(db);
  await sql`create index payment_cart_idx on payment (cart_id)`.execute(db);
  await sql`create index payment_order_idx on payment (order_id) where order_id is not null`.execute(db);

  await sql`
    create table payment_operation (
      id text primary key,
      payment_id text not null references payment (id),
      kind text not null check (kind in ('capture', 'refund', 'void')),
      amount bigint not null check (amount >= 0),
      idempotency_key text not null unique,
      status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
      -- A pending operation whose lease ran out belongs to whoever claims it next (the reconciler):
      -- the gateway call is repeated with the same idempotency key, so it happens at most once.
      lease_until timestamptz not null,
      attempts integer not null default 1,
      last_error text check (length(last_error) <= 1000),
      actor_type text not null,
      actor_id text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index payment_operation_pending_idx on payment_operation (lease_until) where status = 'pending'`.execute(
    db,
  );
  await sql`create index payment_operation_payment_idx on payment_operation (payment_id)`.execute(db);

  await sql`
    create table payment_transaction (
      id text primary key,
      payment_id text not null references payment (id),
      kind text not null check (kind in ('authorization', 'capture', 'refund', 'void')),
      status text not null check (status in ('succeeded', 'failed')),
      amount bigint not null check (amount >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      provider_reference text,
      -- The gateway idempotency key: a webhook and a client reporting one capture record it once.
      idempotency_key text not null,
      -- What the gateway said, summarised (status, decline code): never secrets.
      raw jsonb not null default '{}'::jsonb,
      created_at timestamptz not null default now(),
      constraint payment_transaction_idempotency_key_key unique (idempotency_key)
    )`.execute(db);
  await sql`create index payment_transaction_payment_idx on payment_transaction (payment_id, id)`.execute(db);
  await sql`
    create function payment_transaction_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'payment_transaction is append-only' using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`
    create trigger payment_transaction_append_only before update or delete on payment_transaction
    for each row execute function payment_transaction_is_append_only()`.execute(db);
  await sql`
    create trigger payment_transaction_no_truncate before truncate on payment_transaction
    for each statement execute function payment_transaction_is_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['payment_transaction', 'payment_operation', 'payment']) {
    await sql`drop table if exists ${sql.table(t)} cascade`.execute(db);
  }
  await sql`drop function if exists payment_transaction_is_append_only()`.execute(db);
}
