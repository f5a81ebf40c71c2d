import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import { DELIVERY_COUNT_CAP, type EndpointViewT } from './endpoints.schemas.js';
import type { DisabledReason } from './webhooks.tables.js';
import './webhooks.tables.js';

/**
 * SQL for the admin views of endpoints. A page is one statement, delivery counts included: each count
 * stops at DELIVERY_COUNT_CAP (over the partial indexes of pending and failed deliveries), so a dead
 * endpoint with a million queued deliveries costs no more than a healthy one.
 */

interface EndpointRow {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: DisabledReason | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  previous_secret_expires_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  pending: number;
  failed: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toView(r: EndpointRow): EndpointViewT {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    disabledAt: iso(r.disabled_at),
    failingSince: iso(r.failing_since),
    lastSuccessAt: iso(r.last_success_at),
    lastFailureAt: iso(r.last_failure_at),
    previousSecretExpiresAt: iso(r.previous_secret_expires_at),
    pendingDeliveries: r.pending,
    failedDeliveries: r.failed,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const countOf = (status: 'pending' | 'failed') => sql`(
  select count(*)::int from (
    select 1 from webhook_delivery d where d.endpoint_id = e.id and d.status = ${status} limit ${DELIVERY_COUNT_CAP}
  ) c)`;

async function selectViews(db: Queryable, where: ReturnType<typeof sql>, limit: number): Promise<EndpointViewT[]> {
  const res = await sql<EndpointRow>`
    select e.id, e.url, e.description, e.event_types, e.enabled, e.disabled_reason, e.disabled_at,
           e.failing_since, e.last_success_at, e.last_failure_at,
           -- an overlap that ran out is over, even before anything clears the column
           case when e.previous_secret_expires_at > now() then e.previous_secret_expires_at end
             as previous_secret_expires_at,
           e.version, e.created_at, e.updated_at,
           ${countOf('pending')} as pending, ${countOf('failed')} as failed
      from webhook_endpoint e
     where ${where}
     order by e.id desc
     limit ${limit}`.execute(db);
  return res.rows.map(toView);
}

export async function findEndpointView(db: Queryable, id: string): Promise<EndpointViewT | undefined> {
  return (await selectViews(db, sql`e.id = ${id}`, 1))[0];
}

/** Newest first; `limit + 1` rows are read so the caller knows whether a next page exists. */
export async function listEndpointViews(
  db: Queryable,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ data: EndpointViewT[]; nextCursor: string | null }> {
  const where = query.cursor ? sql`e.id < ${query.cursor}` : sql`true`;
  const rows = await selectViews(db, where, query.limit + 1);
  const data = rows.slice(0, query.limit);
  return { data, nextCursor: rows.length > query.limit ? (data.at(-1)?.id ?? null) : null };
}
