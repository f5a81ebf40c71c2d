import { Type } from 'typebox';
import type { WebhookEventCatalogue, WebhookEventType } from './modules/webhooks/index.js';

/**
 * STEPPING STONE (replaced by the event-catalogue work of issue 14): a few event types with the
 * outbox payload as `data`, so the endpoint and delivery work can be built and tested meanwhile.
 */
const provisional = [
  'product.created',
  'product.updated',
  'product.deleted',
  'order.placed',
  'order.cancelled',
  'fulfillment.created',
  'fulfillment.shipped',
  'fulfillment.delivered',
  'order.refunded',
  'inventory.low_stock',
  'inventory.back_in_stock',
];

export function buildEventCatalogue(): WebhookEventCatalogue {
  const types = new Map<string, WebhookEventType>(
    provisional.map((t) => [t, { description: t, data: Type.Record(Type.String(), Type.Unknown()) }]),
  );
  return {
    types,
    async render(_db, events) {
      const out = new Map<string, { resourceId: string; data: unknown }>();
      for (const e of events) {
        if (!types.has(e.type)) continue;
        const orderId = typeof e.payload.orderId === 'string' ? e.payload.orderId : undefined;
        out.set(e.id, { resourceId: orderId ?? e.aggregateId ?? e.id, data: e.payload });
      }
      return out;
    },
  };
}
