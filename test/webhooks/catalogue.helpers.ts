import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Db } from '../../src/platform/db/database.js';
import type { OutboxEvent } from '../../src/platform/outbox/outbox.js';
import type { TestApp } from '../support/app.js';

/**
 * What a webhook consumer does with our API document: take the `webhooks` entry of an event type from
 * /openapi.json and validate a delivered body against it (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 says).
 */
export interface WebhookDoc {
  webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
  components: { schemas: Record<string, unknown> };
}

export async function openApiDoc(t: TestApp): Promise<WebhookDoc> {
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`openapi.json: ${res.statusCode}`);
  return res.json<WebhookDoc>();
}

/** A validator per webhook type, refs resolved inside the document as a consumer's tooling would. */
export function webhookValidators(doc: WebhookDoc): (type: string) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: 'https://backroom.test/openapi.json' });
  const cache = new Map<string, ValidateFunction>();
  return (type) => {
    let v = cache.get(type);
    if (!v) {
      const pointer = `/webhooks/${type}/post/requestBody/content/application~1json/schema`;
      v = ajv.compile({ $ref: `https://backroom.test/openapi.json#${pointer}` });
      cache.set(type, v);
    }
    return v;
  };
}

/** The outbox events written since `afterId` (ids are time-sortable), as the relay hands them out. */
export async function outboxEventsSince(db: Db, afterId: string): Promise<OutboxEvent[]> {
  const rows = await db
    .selectFrom('outbox_event')
    .select(['id', 'type', 'aggregate_id', 'payload', 'request_id', 'attempts', 'created_at'])
    .where('id', '>', afterId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    aggregateId: r.aggregate_id,
    payload: r.payload as Record<string, unknown>,
    requestId: r.request_id,
    attempts: r.attempts,
    createdAt: new Date(r.created_at),
  }));
}

/** The body a delivery carries for a rendered event (the shape `fanout.ts` stores). */
export const envelope = (e: OutboxEvent, sequence: number, data: unknown) => ({
  type: e.type,
  timestamp: e.createdAt.toISOString(),
  sequence,
  data,
});
