import type { Config } from '../config.js';
import { startWebhookWorker, type WebhookWorker } from '../modules/webhooks/index.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/database.js';
import type { Logger } from '../platform/logger.js';
import type { WorkerRuns } from '../platform/ops/worker-runs.js';
import { webhooksDeps } from '../wiring.js';

/**
 * Outbound webhook delivery in a worker process. Endpoint secrets are sealed with the secret box, so
 * without one (no SECRET_KEY / key file) nothing can be signed: the delivery worker does not start, and
 * says so once; deliveries wait in the database until a worker with the key runs.
 */
export function startWebhookDelivery(deps: {
  config: Config;
  db: Db;
  logger: Logger;
  secretBox: SecretBox | undefined;
  rounds?: Pick<WorkerRuns, 'record'>;
}): WebhookWorker | undefined {
  if (!deps.secretBox) {
    deps.logger.warn('webhooks: no secret key configured, so outbound webhooks are not delivered by this worker');
    return undefined;
  }
  return startWebhookWorker(
    webhooksDeps(deps.config, { db: deps.db, secretBox: deps.secretBox, logger: deps.logger }),
    deps.rounds ? { rounds: deps.rounds } : {},
  );
}
