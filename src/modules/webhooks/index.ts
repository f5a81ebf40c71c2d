/**
 * The webhooks module's public API: outbound webhooks (Standard Webhooks 1.0) to the merchant's
 * systems. Events come from the outbox (fan-out in commit order), go out from the workers, never
 * inside a request. Only the app, the workers and the CLI import this.
 */

/**
 * The admin API (`webhooks:manage`): `/v1/admin/webhook-endpoints` (create with a secret shown once, list,
 * read, PATCH with If-Match, delete, rotate-secret, test ping, replay), `/v1/admin/webhook-event-types` and
 * `/v1/admin/webhook-deliveries` (list, detail with attempts, redeliver). Every change is audited.
 */
export { webhookAdminRoutes } from './admin.routes.js';
export { PING_EVENT_TYPE, type RenderedEvent, type WebhookEventCatalogue, type WebhookEventType } from './catalogue.js';
/**
 * Delivery (the workers): `startWebhookWorker(deps)` sequences and fans out outbox events, then claims and
 * sends due deliveries per endpoint (Standard Webhooks signatures, SSRF re-checked per attempt, retries on
 * `retryDelaysSeconds`, endpoint health and auto-disable). `stop()` waits for attempts in flight.
 */
export { startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './delivery.worker.js';
/**
 * Fan-out (outbox → deliveries, in commit order) and replay: `fanOutOnce` (the worker's round; one at a time),
 * `replayEndpoint` (an endpoint's events since a time again, same webhook-id; 404 unknown endpoint),
 * `pendingFanOut` (sequenced events not fanned out yet, for metrics).
 */
export { fanOutOnce, pendingFanOut, replayEndpoint } from './fanout.js';
/** Retention: webhook events older than the given days whose deliveries are all done, with their deliveries and attempts. */
export { pruneWebhookHistory } from './retention.js';
export { maxAttempts as webhookMaxAttempts, retryDelaysSeconds, retryJitter } from './retry-schedule.js';
export { type WebhookStats, webhookStats } from './stats.js';
export { forbiddenRange, UnsafeUrlError, type UrlPolicy } from './url-safety.js';
export type { WebhookMail, WebhookSettings, WebhooksDeps } from './webhooks.deps.js';
