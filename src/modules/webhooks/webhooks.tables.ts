import type { ColumnType, Generated } from 'kysely';

/** Table types of the webhooks module (migration 0028). bigint columns come back as strings. */

export type DisabledReason = 'manual' | 'gone' | 'failing';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookEndpointTable {
  id: string;
  url: string;
  description: Generated<string>;
  event_types: string[];
  enabled: Generated<boolean>;
  disabled_reason: DisabledReason | null;
  disabled_at: Date | null;
  /** The signing secret (`whsec_…`) sealed with the secret box, AAD = endpoint id. */
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WebhookEventTable {
  /** The outbox event id (or a ping's own `evt_` id): the `webhook-id` header. */
  id: string;
  type: string;
  /** Ordering key: the resource the event is about (an order's id for `fulfillment.shipped` too). */
  resource_id: string;
  /** The outbox event's commit-order position; sent as `sequence`. */
  sequence: ColumnType<string, string | number | bigint, string | number | bigint>;
  /** The exact JSON body that is signed and sent. */
  body: string;
  occurred_at: Date;
  created_at: Generated<Date>;
}

export interface WebhookDeliveryTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  resource_id: string;
  sequence: ColumnType<string, string | number | bigint, string | number | bigint>;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  /** A follower: an earlier delivery of the same (endpoint, resource) is pending; out of the due index until it finishes. */
  blocked: Generated<boolean>;
  leased_until: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  delivered_at: Date | null;
}

export interface WebhookAttemptTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  /** The first 4 KB of the answer's body. */
  response_excerpt: string | null;
  error: string | null;
  created_at: Generated<Date>;
}

export interface WebhookFanoutTable {
  id: Generated<boolean>;
  last_position: ColumnType<string, string | number | bigint, string | number | bigint>;
  updated_at: Generated<Date>;
}

export interface WebhooksTables {
  webhook_endpoint: WebhookEndpointTable;
  webhook_event: WebhookEventTable;
  webhook_delivery: WebhookDeliveryTable;
  webhook_attempt: WebhookAttemptTable;
  webhook_fanout: WebhookFanoutTable;
}

declare module '../../platform/db/database.js' {
  interface Database extends WebhooksTables {}
}
