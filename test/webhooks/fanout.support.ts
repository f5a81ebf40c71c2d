import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { loadConfig } from '../../src/config.js';
import type { WebhookEventCatalogue, WebhooksDeps } from '../../src/modules/webhooks/index.js';
import { createSecretBox } from '../../src/platform/crypto/secret-box.js';
import type { Db } from '../../src/platform/db/database.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { newId } from '../../src/platform/ids.js';
import type { Logger } from '../../src/platform/logger.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { webhooksDeps } from '../../src/wiring.js';

/**
 * A catalogue of its own for the fan-out tests, so they do not depend on how real resources render:
 * three public types; `data` is the payload; the resource is `payload.orderId` or the aggregate; an
 * event whose payload says `gone` renders to nothing (its resource was deleted).
 */
export function testCatalogue(): WebhookEventCatalogue & { renderCalls: number } {
  const data = Type.Record(Type.String(), Type.Unknown());
  const types = new Map(
    ['order.placed', 'fulfillment.shipped', 'product.updated'].map((t) => [t, { description: t, data }]),
  );
  const catalogue = {
    types,
    renderCalls: 0,
    async render(
      _db: Db,
      events: readonly { id: string; type: string; aggregateId: string | null; payload: Record<string, unknown> }[],
    ) {
      catalogue.renderCalls += 1;
      const out = new Map<string, { resourceId: string; data: unknown }>();
      for (const e of events) {
        if (!types.has(e.type) || e.payload.gone) continue;
        const orderId = typeof e.payload.orderId === 'string' ? e.payload.orderId : undefined;
        out.set(e.id, { resourceId: orderId ?? e.aggregateId ?? e.id, data: e.payload });
      }
      return out;
    },
  };
  return catalogue;
}

export function fanoutDeps(
  db: Db,
  logger: Logger,
  catalogue = testCatalogue(),
): WebhooksDeps & { catalogue: typeof catalogue } {
  const deps = webhooksDeps(loadConfig({}), { db, secretBox: createSecretBox(randomBytes(32)), logger });
  return { ...deps, catalogue };
}

export async function insertEndpoint(db: Db, eventTypes: string[], enabled = true): Promise<string> {
  const id = newId('webhookEndpoint');
  await db
    .insertInto('webhook_endpoint')
    .values({
      id,
      url: `http://127.0.0.1:9/${id}`,
      event_types: eventTypes,
      enabled,
      disabled_reason: enabled ? null : 'manual',
      disabled_at: enabled ? null : new Date(),
      secret_sealed: 'sealed-secret-not-used-here',
    })
    .execute();
  return id;
}

export function emit(db: Db, type: string, aggregateId: string, payload: Record<string, unknown> = {}) {
  return withTransaction(db, (tx) => appendEvent<string>(tx, { type, aggregateId, payload }));
}

export function deliveriesOf(db: Db) {
  return db
    .selectFrom('webhook_delivery')
    .select(['id', 'endpoint_id', 'event_id', 'event_type', 'resource_id', 'sequence', 'status', 'attempts'])
    .orderBy('sequence')
    .orderBy('endpoint_id')
    .execute();
}
