import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/logger.js';
import type { WebhookEventCatalogue } from './catalogue.js';
import type { UrlPolicy } from './url-safety.js';

/** Settings from the environment (WEBHOOK_* in config.ts), passed in: modules never read config. */
export interface WebhookSettings {
  /** Deadline of one attempt (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Attempts in flight at once per endpoint, across all workers (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** Failing without a success this long disables an endpoint (WEBHOOK_DISABLE_AFTER_HOURS). */
  disableAfterHours: number;
  /** The previous secret stays valid this long after a rotation (WEBHOOK_SECRET_OVERLAP_HOURS). */
  secretOverlapHours: number;
  /** Idle poll of the fan-out and delivery loops (WEBHOOK_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
}

/** Everything the webhooks module's commands and loops need; built once by the app and the workers. */
export interface WebhooksDeps {
  db: Db;
  /** Seals endpoint secrets at rest (AAD: the endpoint id). */
  secretBox: SecretBox;
  catalogue: WebhookEventCatalogue;
  urlPolicy: UrlPolicy;
  settings: WebhookSettings;
  logger: Logger;
  /** Where the "endpoint disabled" email to staff comes from (TEMPLATES_DIR, SHOP_NAME). */
  mail: WebhookMail;
}

export interface WebhookMail {
  templatesDir: string;
  shopName: string;
}
