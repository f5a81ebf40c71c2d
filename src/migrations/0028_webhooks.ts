import { type Kysely, sql } from 'kysely';

/**
 * Outbound webhooks (Standard Webhooks 1.0) to the merchant's own systems.
 *
 * - `webhook_endpoint`: where to send which event types, with its signing secret sealed at rest
 *   (AES-256-GCM, the row id as AAD). During a rotation the previous secret is kept until
 *   `previous_secret_expires_at`, and both signatures are sent.
 * - `webhook_event`: one rendered body per event that at least one endpoint wanted (the exact bytes
 *   that are signed, so a retry sends the same body), keyed by the outbox event id, which is also the
 *   `webhook-id` header: the same event always carries the same id. Pings are events of their own.
 * - `webhook_delivery`: one row per (endpoint, event). Ordered per endpoint and resource by
 *   `sequence` (the event's commit-order position): a delivery is due only when no earlier
 *   delivery of the same resource to the same endpoint is still pending. Such a follower is inserted
 *   `blocked` (kept out of the due index) and unblocked when the delivery before it finishes; the claim
 *   still checks for an earlier pending one (blocking is an optimisation, the check is the guarantee).
 *   `leased_until` marks an
 *   attempt in flight (a killed worker's lease runs out and the same delivery is sent again).
 * - `webhook_attempt`: every try, with status, latency, the start of the answer and the error.
 * - `webhook_fanout`: how far (outbox position) the fan-out has turned events into deliveries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table webhook_endpoint (
      id text primary key,
      url text not null check (length(url) <= 2048),
      description text not null default '' check (length(description) <= 500),
      event_types text[] not null check (cardinality(event_types) between 1 and 200),
      enabled boolean not null default true,
      disabled_reason text check (disabled_reason in ('manual', 'gone', 'failing')),
      disabled_at timestamptz,
      secret_sealed text not null,
      previous_secret_sealed text,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      last_success_at timestamptz,
      last_failure_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (enabled = (disabled_reason is null)),
      check ((disabled_at is null) = enabled),
      check ((previous_secret_sealed is null) = (previous_secret_expires_at is null))
    )`.execute(db);

  await sql`
    create table webhook_event (
      id text primary key,
      type text not null,
      resource_id text not null,
      sequence bigint not null,
      body text not null,
      occurred_at timestamptz not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index webhook_event_created_idx on webhook_event (created_at)`.execute(db);

  await sql`
    create table webhook_delivery (
      id text primary key,
      endpoint_id text not null references webhook_endpoint (id) on delete cascade,
      event_id text not null references webhook_event (id) on delete cascade,
      event_type text not null,
      resource_id text not null,
      sequence bigint not null,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0 check (attempts >= 0),
      next_attempt_at timestamptz not null default now(),
      blocked boolean not null default false,
      leased_until timestamptz,
      last_status_code integer,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      delivered_at timestamptz,
      unique (endpoint_id, event_id),
      check ((status = 'delivered') = (delivered_at is not null)),
      check (status = 'pending' or leased_until is null)
    )`.execute(db);
  // The claim: due deliveries of one endpoint, oldest first. Followers (blocked: an earlier delivery of the same
  // resource is still pending) are not in it, so the claim finds heads directly whatever the backlog behind them.
  await sql`create index webhook_delivery_due_idx on webhook_delivery (endpoint_id, next_attempt_at)
             where status = 'pending' and not blocked`.execute(db);
  // Order per resource: is an earlier delivery of this resource to this endpoint still pending?
  await sql`create index webhook_delivery_resource_idx on webhook_delivery (endpoint_id, resource_id, sequence)
             where status = 'pending'`.execute(db);
  // Attempts in flight per endpoint (the concurrency limit): leases are cleared when the outcome is written,
  // so this stays as small as the number of attempts in flight, whatever the backlog.
  await sql`create index webhook_delivery_leased_idx on webhook_delivery (endpoint_id, leased_until)
             where status = 'pending' and leased_until is not null and not blocked`.execute(db);
  // A queue table: keep its statistics fresh sooner than the defaults (10 % changed), so the claim's plans
  // follow a fast-growing backlog.
  await sql`alter table webhook_delivery set (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500,
             autovacuum_vacuum_scale_factor = 0.05)`.execute(db);
  // Admin lists: by endpoint, by event, by status, newest first.
  await sql`create index webhook_delivery_endpoint_idx on webhook_delivery (endpoint_id, id)`.execute(db);
  await sql`create index webhook_delivery_event_idx on webhook_delivery (event_id)`.execute(db);
  await sql`create index webhook_delivery_status_idx on webhook_delivery (status, id)`.execute(db);
  // The admin's per-endpoint count of deliveries that gave up (pending ones count over the claim index).
  await sql`create index webhook_delivery_failed_idx on webhook_delivery (endpoint_id) where status = 'failed'`.execute(
    db,
  );

  await sql`
    create table webhook_attempt (
      id text primary key,
      delivery_id text not null references webhook_delivery (id) on delete cascade,
      attempt integer not null check (attempt >= 1),
      started_at timestamptz not null,
      duration_ms integer not null check (duration_ms >= 0),
      status_code integer,
      response_excerpt text check (length(response_excerpt) <= 4096),
      error text check (length(error) <= 2000),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index webhook_attempt_delivery_idx on webhook_attempt (delivery_id, attempt)`.execute(db);

  await sql`
    create table webhook_fanout (
      id boolean primary key default true check (id),
      last_position bigint not null default 0,
      updated_at timestamptz not null default now()
    )`.execute(db);
  // Starts after what exists now: endpoints created later hear about events from then on (replay reaches back).
  await sql`insert into webhook_fanout (last_position)
            select coalesce(max(position), 0) from outbox_event`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table webhook_fanout`.execute(db);
  await sql`drop table webhook_attempt`.execute(db);
  await sql`drop table webhook_delivery`.execute(db);
  await sql`drop table webhook_event`.execute(db);
  await sql`drop table webhook_endpoint`.execute(db);
}
