import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Queryable } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import type { DeliveryDetailT, DeliveryListQuery, DeliveryViewT } from './deliveries.schemas.js';
import type { WebhooksDeps } from './webhooks.deps.js';
import { DeliveryInFlightError, EndpointDisabledError, WebhookDeliveryNotFoundError } from './webhooks.errors.js';
import type { WebhookDeliveryTable } from './webhooks.tables.js';

/**
 * The admin side of deliveries: what was (or will be) sent where, each attempt's outcome, and
 * sending one again. Sending is the workers' job; `redeliver` only puts a delivery back in the queue.
 */

const columns = [
  'd.id',
  'd.endpoint_id',
  'd.event_id',
  'd.event_type',
  'd.resource_id',
  'd.sequence',
  'd.status',
  'd.attempts',
  'd.next_attempt_at',
  'd.last_status_code',
  'd.last_error',
  'd.created_at',
  'd.delivered_at',
] as const;

type DeliveryRow = Pick<
  WebhookDeliveryTable,
  'id' | 'endpoint_id' | 'event_id' | 'event_type' | 'resource_id' | 'last_status_code' | 'last_error' | 'delivered_at'
> & {
  sequence: string;
  status: DeliveryViewT['status'];
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
};

function toView(r: DeliveryRow): DeliveryViewT {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    resourceId: r.resource_id,
    sequence: Number(r.sequence),
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    deliveredAt: r.delivered_at?.toISOString() ?? null,
  };
}

/** Newest first, by any mix of endpoint, event, type and status (each filter has an index). */
export async function listDeliveries(
  db: Queryable,
  query: DeliveryListQuery,
): Promise<{ data: DeliveryViewT[]; nextCursor: string | null }> {
  let q = db.selectFrom('webhook_delivery as d').select(columns);
  if (query.endpointId) q = q.where('d.endpoint_id', '=', query.endpointId);
  if (query.eventId) q = q.where('d.event_id', '=', query.eventId);
  if (query.eventType) q = q.where('d.event_type', '=', query.eventType);
  if (query.status) q = q.where('d.status', '=', query.status);
  if (query.cursor) q = q.where('d.id', '<', query.cursor);
  const rows = (await q
    .orderBy('d.id', 'desc')
    .limit(query.limit + 1)
    .execute()) as DeliveryRow[];
  const data = rows.slice(0, query.limit).map(toView);
  return { data, nextCursor: rows.length > query.limit ? (data.at(-1)?.id ?? null) : null };
}

/** One delivery with every attempt (oldest first) and the exact body that is signed and sent. */
export async function getDelivery(db: Queryable, id: string): Promise<DeliveryDetailT> {
  const row = await db
    .selectFrom('webhook_delivery as d')
    .innerJoin('webhook_event as e', 'e.id', 'd.event_id')
    .select([...columns, 'e.body'])
    .where('d.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new WebhookDeliveryNotFoundError(id);
  const attempts = await db
    .selectFrom('webhook_attempt')
    .select(['attempt', 'started_at', 'duration_ms', 'status_code', 'response_excerpt', 'error'])
    .where('delivery_id', '=', id)
    .orderBy('attempt')
    .execute();
  return {
    ...toView(row as DeliveryRow),
    body: row.body,
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.started_at.toISOString(),
      durationMs: a.duration_ms,
      statusCode: a.status_code,
      responseExcerpt: a.response_excerpt,
      error: a.error,
    })),
  };
}

/**
 * Puts a delivery back in the queue, due now: whatever its status, it is sent again with the same
 * `webhook-id` and body. `attempts` keeps counting every try. One conditional statement decides:
 * the endpoint must be enabled and no worker may hold a live lease on the delivery.
 * @throws 404, 409 EndpointDisabledError, 409 DeliveryInFlightError.
 */
export async function redeliver(deps: WebhooksDeps, ctx: AuditContext, id: string): Promise<DeliveryViewT> {
  return withTransaction(deps.db, async (tx) => {
    const row = await tx
      .updateTable('webhook_delivery as d')
      .from('webhook_endpoint as e')
      .set({
        status: 'pending',
        next_attempt_at: sql`now()`,
        // Due now even behind an earlier pending delivery of its resource: the claim's check for one keeps the order.
        blocked: false,
        // An expired lease belongs to a worker that died mid-attempt: nobody holds it any more.
        leased_until: null,
        delivered_at: null,
        updated_at: sql`now()`,
      })
      .whereRef('e.id', '=', 'd.endpoint_id')
      .where('d.id', '=', id)
      .where('e.enabled', '=', true)
      .where((eb) => eb.or([eb('d.leased_until', 'is', null), eb('d.leased_until', '<=', sql<Date>`now()`)]))
      .returning(columns)
      .executeTakeFirst();
    if (!row) {
      const current = await tx
        .selectFrom('webhook_delivery as d')
        .innerJoin('webhook_endpoint as e', 'e.id', 'd.endpoint_id')
        .select(['e.id as endpointId', 'e.enabled'])
        .where('d.id', '=', id)
        .executeTakeFirst();
      if (!current) throw new WebhookDeliveryNotFoundError(id);
      if (!current.enabled) throw new EndpointDisabledError(current.endpointId);
      throw new DeliveryInFlightError(id);
    }
    await recordAudit(tx, ctx, {
      action: 'webhook_delivery.redelivered',
      targetType: 'webhook_delivery',
      targetId: id,
      changes: { endpointId: row.endpoint_id, eventId: row.event_id, attemptsSoFar: row.attempts },
    });
    return toView(row as DeliveryRow);
  });
}
