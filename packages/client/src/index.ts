/**
 * @backroom/client — a typed client of the Backroom API: types generated from its OpenAPI document
 * (`schema.d.ts`, `npm run gen:client`), calls through openapi-fetch, and the helpers a storefront, an admin app or
 * a merchant's server need (credentials, idempotency keys with safe retries, one error type, cursor paging,
 * webhook verification).
 */
export {
  type BackroomClient,
  type BackroomClientOptions,
  type BackroomMethod,
  createBackroomClient,
  type LoginAnswer,
  type Success,
} from './client.js';
export { BackroomError, CLIENT_ERROR_CODES, type FieldError } from './errors.js';
export { type Page, type PagedPath, type PageItem, paginate, paginatePages } from './paginate.js';
export type { components, paths, webhooks } from './schema.js';
export { EventStreamParser, readEventStream, type StreamEvent, type StreamOptions } from './stream.js';
export type { RetryOptions } from './transport.js';
export {
  verifyWebhook,
  type WebhookEnvelope,
  type WebhookEventType,
  type WebhookFailure,
  type WebhookHeaders,
  type WebhookMessage,
  type WebhookPayload,
  WebhookVerifyError,
} from './webhooks.js';
