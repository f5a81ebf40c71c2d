import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database.js';
import './webhooks.tables.js';

/** The fan-out's and replay's statements: each one statement for a whole batch (arrays through unnest). */

export interface EndpointFilter {
  id: string;
  eventTypes: string[];
}

/**
 * Locks the fan-out cursor (its single row) without waiting: null when another fan-out holds it,
 * so two workers never turn the same events into deliveries at the same time.
 */
export async function lockFanoutCursor(tx: Tx): Promise<string | null> {
  const res = await sql<{ last_position: string }>`
    select last_position::text as last_position from webhook_fanout for update skip locked`.execute(tx);
  return res.rows[0]?.last_position ?? null;
}

export async function advanceFanoutCursor(tx: Tx, position: string): Promise<void> {
  await sql`update webhook_fanout set last_position = ${position}::bigint, updated_at = now()`.execute(tx);
}

export async function fanoutCursor(db: Queryable): Promise<string> {
  const res = await sql<{ p: string }>`select last_position::text as p from webhook_fanout`.execute(db);
  return res.rows[0]?.p ?? '0';
}

export async function enabledEndpointFilters(db: Queryable): Promise<EndpointFilter[]> {
  const rows = await db
    .selectFrom('webhook_endpoint')
    .select(['id', 'event_types as eventTypes'])
    .where('enabled', '=', true)
    .orderBy('id')
    .execute();
  return rows;
}

export async function endpointFilter(db: Queryable, id: string): Promise<EndpointFilter | undefined> {
  return db
    .selectFrom('webhook_endpoint')
    .select(['id', 'event_types as eventTypes'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface NewWebhookEvent {
  id: string;
  type: string;
  resourceId: string;
  sequence: string;
  body: string;
  occurredAt: Date;
}

/** Inserts rendered events; an event already stored (by a replay or an earlier round) keeps its body. */
export async function insertWebhookEvents(tx: Tx, rows: readonly NewWebhookEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into webhook_event (id, type, resource_id, sequence, body, occurred_at)
    select * from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.type)}::text[],
                         ${rows.map((r) => r.resourceId)}::text[], ${rows.map((r) => r.sequence)}::bigint[],
                         ${rows.map((r) => r.body)}::text[], ${rows.map((r) => r.occurredAt.toISOString())}::timestamptz[])
    on conflict (id) do nothing`.execute(tx);
}

export interface StoredWebhookEvent {
  id: string;
  type: string;
  resourceId: string;
  sequence: string;
}

/** The stored events among `ids` (a replay reuses them: same body, same `webhook-id`). */
export async function storedWebhookEvents(db: Queryable, ids: readonly string[]): Promise<StoredWebhookEvent[]> {
  if (ids.length === 0) return [];
  const res = await sql<StoredWebhookEvent>`
    select id, type, resource_id as "resourceId", sequence::text as sequence
      from webhook_event where id = any(${[...ids]}::text[])`.execute(db);
  return res.rows;
}

export interface NewDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  resourceId: string;
  sequence: string;
}

function deliveryArrays(rows: readonly NewDelivery[]) {
  return sql`unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.endpointId)}::text[],
                    ${rows.map((r) => r.eventId)}::text[], ${rows.map((r) => r.eventType)}::text[],
                    ${rows.map((r) => r.resourceId)}::text[], ${rows.map((r) => r.sequence)}::bigint[])`;
}

/**
 * New deliveries; one that exists for the same (endpoint, event) is left as it is. Returns how many were new.
 * A follower (an earlier delivery of its resource to its endpoint is pending, or comes earlier in this
 * batch) is inserted blocked (delivery.blocking.ts); the caller share-locked those heads first (`lockPairHeads`).
 */
export async function insertDeliveries(tx: Tx, rows: readonly NewDelivery[]): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await sql`
    insert into webhook_delivery (id, endpoint_id, event_id, event_type, resource_id, sequence, blocked)
    select x.*,
           row_number() over (partition by x.endpoint_id, x.resource_id order by x.sequence, x.id) > 1
             or exists (select 1 from webhook_delivery p
                         where p.endpoint_id = x.endpoint_id and p.resource_id = x.resource_id
                           and p.status = 'pending' and p.sequence < x.sequence)
      from ${deliveryArrays(rows)} as x(id, endpoint_id, event_id, event_type, resource_id, sequence)
    on conflict (endpoint_id, event_id) do nothing`.execute(tx);
  return Number(res.numAffectedRows ?? 0n);
}

/**
 * Replay's write: new deliveries, or existing ones due again now (pending, attempts kept as the
 * count of tries). One in flight (lease not run out) is left alone: it is being sent right now.
 * Returns how many are queued.
 */
export async function queueDeliveries(tx: Tx, rows: readonly NewDelivery[]): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await sql`
    insert into webhook_delivery (id, endpoint_id, event_id, event_type, resource_id, sequence)
    select * from ${deliveryArrays(rows)}
    on conflict (endpoint_id, event_id) do update
       set status = 'pending', next_attempt_at = now(), leased_until = null, delivered_at = null, updated_at = now()
     where webhook_delivery.leased_until is null or webhook_delivery.leased_until <= now()`.execute(tx);
  return Number(res.numAffectedRows ?? 0n);
}
