import type { TSchema } from 'typebox';
import type { Db } from '../../platform/db/database.js';
import type { OutboxEvent } from '../../platform/outbox/outbox.js';

/**
 * What the webhooks module needs to know about event types, given to it by the app
 * (`src/event-catalogue.ts` assembles it from each module's `*.events.ts`): which types endpoints
 * may subscribe to, the schema of each type's `data` (published under the OpenAPI `webhooks` key),
 * and how to render an event's `data` — the resource as the admin API shows it — and name the
 * resource whose order deliveries keep. The webhooks module imports no business module: it only
 * calls this.
 */
export interface WebhookEventType {
  description: string;
  /** JSON Schema (TypeBox) of the delivered body's `data`. */
  data: TSchema;
}

export interface RenderedEvent {
  /**
   * Ordering key: deliveries of one resource to one endpoint go out in commit order. For events
   * about a part of a resource (`fulfillment.shipped`), the resource (the order), so that
   * `order.placed` always arrives before that order's `fulfillment.shipped`.
   */
  resourceId: string;
  /** The body's `data`: matches the type's `data` schema. */
  data: unknown;
}

export interface WebhookEventCatalogue {
  /** Every event type endpoints may subscribe to (every type the code emits that is not internal). */
  readonly types: ReadonlyMap<string, WebhookEventType>;
  /**
   * Renders the events (types in `types`; others are left out of the map) in a few statements for the
   * whole batch, never one per event. Keyed by event id.
   */
  render(db: Db, events: readonly OutboxEvent[]): Promise<Map<string, RenderedEvent>>;
}

/** The type of the event sent by `POST /v1/admin/webhook-endpoints/{id}/test`. Always delivered, whatever the filter. */
export const PING_EVENT_TYPE = 'ping';
