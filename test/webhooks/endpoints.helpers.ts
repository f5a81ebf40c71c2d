import { sql } from 'kysely';
import { newId } from '../../src/platform/ids.js';
import { auth } from '../identity/staff.helpers.js';
import type { TestApp } from '../support/app.js';

/** Helpers for the webhook admin tests: calls with a token, rows inserted directly, table snapshots. */

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export function call(
  t: TestApp,
  token: string,
  method: Method,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) {
  return t.app.inject({
    method,
    url,
    headers: { ...auth(token), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

export interface CreatedEndpoint {
  id: string;
  url: string;
  secret: string;
  version: number;
  eventTypes: string[];
}

export async function createEndpoint(
  t: TestApp,
  token: string,
  body: Record<string, unknown> = {},
): Promise<CreatedEndpoint> {
  const res = await call(t, token, 'POST', '/v1/admin/webhook-endpoints', {
    url: 'https://127.0.0.1:9/hook',
    eventTypes: ['*'],
    ...body,
  });
  if (res.statusCode !== 201) throw new Error(`endpoint creation failed: ${res.statusCode} ${res.body}`);
  return res.json<CreatedEndpoint>();
}

/** Every row of the webhook tables (and the audit log's size): what "nothing changed" compares. */
export async function snapshot(t: TestApp) {
  const rows = async (table: string) =>
    (await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by id`.execute(t.db.db)).rows;
  const audit = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.db.db);
  return {
    endpoints: await rows('webhook_endpoint'),
    events: await rows('webhook_event'),
    deliveries: await rows('webhook_delivery'),
    attempts: await rows('webhook_attempt'),
    audit: audit.rows[0]?.n,
  };
}

/** An event row and a delivery of it to `endpointId`, as the fan-out would write them. */
export async function insertDelivery(
  t: TestApp,
  endpointId: string,
  opts: {
    type?: string;
    resourceId?: string;
    sequence?: number;
    status?: 'pending' | 'delivered' | 'failed';
    attempts?: number;
    leasedUntil?: Date | null;
    eventId?: string;
  } = {},
) {
  const eventId = opts.eventId ?? newId('event');
  const type = opts.type ?? 'order.placed';
  const resourceId = opts.resourceId ?? newId('order');
  const sequence = opts.sequence ?? 1;
  const status = opts.status ?? 'pending';
  const body = JSON.stringify({ type, timestamp: new Date().toISOString(), sequence, data: { id: resourceId } });
  if (!opts.eventId) {
    await t.db.db
      .insertInto('webhook_event')
      .values({ id: eventId, type, resource_id: resourceId, sequence, body, occurred_at: new Date() })
      .execute();
  }
  const id = newId('webhookDelivery');
  await t.db.db
    .insertInto('webhook_delivery')
    .values({
      id,
      endpoint_id: endpointId,
      event_id: eventId,
      event_type: type,
      resource_id: resourceId,
      sequence,
      status,
      attempts: opts.attempts ?? 0,
      next_attempt_at: sql<Date>`now() + interval '1 hour'`,
      leased_until: opts.leasedUntil ?? null,
      last_status_code: status === 'failed' ? 500 : null,
      last_error: status === 'failed' ? 'HTTP 500' : null,
      delivered_at: status === 'delivered' ? new Date() : null,
    })
    .execute();
  return { id, eventId, body };
}
