/**
 * The webhooks module's public API: outbound webhooks (Standard Webhooks 1.0) to the merchant's
 * systems. Events come from the outbox (fan-out in commit order), go out from the workers, never
 * inside a request. Only the app, the workers and the CLI import this.
 */
export { PING_EVENT_TYPE, type RenderedEvent, type WebhookEventCatalogue, type WebhookEventType } from './catalogue.js';
export { forbiddenRange, UnsafeUrlError, type UrlPolicy } from './url-safety.js';
export type { WebhookSettings, WebhooksDeps } from './webhooks.deps.js';
