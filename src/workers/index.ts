import type { Config } from '../config.js';
import { completePaidCarts, finishStaleCompletions } from '../modules/checkout/index.js';
import { runNextImportJob } from '../modules/imports/index.js';
import { releaseExpiredHolds } from '../modules/inventory/index.js';
import { reconcilePendingOperations, reconcilePendingPayments } from '../modules/payments/index.js';
import { pruneWebhookHistory } from '../modules/webhooks/index.js';
import type { SecretBox } from '../platform/crypto/secret-box.js';
import type { Db } from '../platform/db/database.js';
import { pruneIdempotencyKeys } from '../platform/http/idempotency.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import { pruneWorkerRuns, workerRuns } from '../platform/ops/worker-runs.js';
import { pruneEvents } from '../platform/outbox/admin.js';
import type { EventHandlers } from '../platform/outbox/handlers.js';
import { startRelay } from '../platform/outbox/relay.js';
import { checkoutDeps, gatewayEnvOf, wireModules } from '../wiring.js';
import { gatewayRefresher, reconcileGatewaysRound, webhookInboxRunner } from './payment-gateways.js';
import { startWebhookDelivery } from './webhooks.js';

export interface WorkerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  events: EventHandlers;
  /** Opens gateway secrets stored through the admin API; without it only the environment's gateways run. */
  secretBox?: SecretBox | undefined;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;
/** How often an idle worker looks for uploaded imports. */
const IMPORT_POLL_INTERVAL_MS = 1000;
/** How often workers look for payment calls whose outcome was never recorded. */
const PAYMENT_RECONCILE_INTERVAL_MS = 30_000;
/** Rows of worker processes that stopped without saying so (crashed) stay this long on the System page. */
const WORKER_RUN_RETENTION_DAYS = 7;

/**
 * Background work: the outbox relay, periodic maintenance (expired idempotency keys, events and
 * webhook history past EVENT_RETENTION_DAYS), releasing expired cart holds and running uploaded
 * CSV imports. Safe to run in any number of processes at once: the relay, hold expiry and import
 * jobs claim rows with SKIP LOCKED and maintenance deletes are idempotent.
 */
export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const logger = deps.logger.child({ component: 'worker' });
  // Each loop's rounds, for the System page's "workers' last runs" (throttled writes; never fails a loop).
  const runs = workerRuns(deps.db, logger);
  runs.loop('outbox-relay', deps.config.OUTBOX_POLL_INTERVAL_MS);
  runs.loop('maintenance', MAINTENANCE_INTERVAL_MS);
  runs.loop('webhook-inbox', deps.config.WEBHOOK_INBOX_INTERVAL_MS);
  runs.loop('gateway-reconcile', deps.config.PAYMENT_RECONCILE_INTERVAL_S * 1000);
  runs.loop('hold-expiry', deps.config.HOLD_EXPIRY_INTERVAL_MS);
  runs.loop('payment-reconcile', PAYMENT_RECONCILE_INTERVAL_MS);
  runs.loop('imports', IMPORT_POLL_INTERVAL_MS);
  runs.loop('webhook-delivery', deps.config.WEBHOOK_POLL_INTERVAL_MS);
  const relay = startRelay(
    { db: deps.db, handlers: deps.events, logger, metrics: deps.metrics, rounds: runs },
    {
      batchSize: deps.config.OUTBOX_BATCH_SIZE,
      pollIntervalMs: deps.config.OUTBOX_POLL_INTERVAL_MS,
      maxAttempts: deps.config.OUTBOX_MAX_ATTEMPTS,
    },
  );

  // Kept so `stop` can wait for a round in progress: closing the database under it would fail it.
  let maintenance: Promise<void> = Promise.resolve();
  const maintain = () => {
    maintenance = (async () => {
      try {
        await runs.round('maintenance', async () => {
          const keys = await pruneIdempotencyKeys(deps.db);
          // Events API and webhook history share one retention; pending events and deliveries are never pruned.
          const events = await pruneEvents(deps.db, deps.config.EVENT_RETENTION_DAYS);
          const webhookEvents = await pruneWebhookHistory(deps, deps.config.EVENT_RETENTION_DAYS);
          const workerRows = await pruneWorkerRuns(deps.db, WORKER_RUN_RETENTION_DAYS);
          if (keys + events + webhookEvents + workerRows > 0)
            logger.info({ keys, events, webhookEvents, workerRows }, 'maintenance: pruned expired rows');
        });
      } catch (err) {
        logger.warn({ err }, 'maintenance round failed; will retry');
      }
    })();
  };
  const timer = setInterval(maintain, MAINTENANCE_INTERVAL_MS);
  timer.unref();
  maintain();

  // Expired cart holds go back to available (batches with SKIP LOCKED: any number of workers).
  // Wired like the app's, so storefront availability follows at once.
  const modules = wireModules(deps.db, { payments: { providerTimeoutMs: deps.config.PAYMENT_PROVIDER_TIMEOUT_MS } });
  const { inventory } = modules;
  const checkout = checkoutDeps(modules, deps.config);

  // Gateways (Stripe, PayPal) from the environment and the admin API; re-read so changes on any node arrive here.
  const gateways = gatewayRefresher(
    { db: deps.db, providers: modules.payments.providers, secretBox: deps.secretBox, env: gatewayEnvOf(deps.config) },
    logger,
  );
  const gatewaysReady = gateways.ready;
  // Stored gateway webhooks, applied in order; then, hourly, our ledger against each gateway.
  const inbox = webhookInboxRunner(checkout, logger, runs);
  const inboxTimer = setInterval(() => void gatewaysReady.then(inbox.nudge), deps.config.WEBHOOK_INBOX_INTERVAL_MS);
  inboxTimer.unref();
  let gatewayReconcile: Promise<void> | undefined;
  const reconcileGateways = () => {
    gatewayReconcile ??= reconcileGatewaysRound(checkout, logger, runs).finally(() => {
      gatewayReconcile = undefined;
    });
  };
  const gatewayReconcileTimer = setInterval(reconcileGateways, deps.config.PAYMENT_RECONCILE_INTERVAL_S * 1000);
  gatewayReconcileTimer.unref();
  let holdExpiry: Promise<void> | undefined;
  const expireHolds = () => {
    if (holdExpiry) return; // the previous round is still running
    holdExpiry = (async () => {
      try {
        const released = await runs.round('hold-expiry', () => releaseExpiredHolds(inventory));
        if (released > 0) logger.info({ released }, 'hold expiry: released expired cart holds');
      } catch (err) {
        logger.warn({ err }, 'hold expiry round failed; will retry');
      } finally {
        holdExpiry = undefined;
      }
    })();
  };
  const holdTimer = setInterval(expireHolds, deps.config.HOLD_EXPIRY_INTERVAL_MS);
  holdTimer.unref();

  // Uploaded CSV imports: claim one at a time (SKIP LOCKED), run it, look again at once.
  let importing: Promise<void> | undefined;
  let stopped = false;

  // Payment operations whose process died between the gateway call and recording it: ask the
  // gateway again with the same idempotency key and record the answer (SKIP LOCKED claims); then
  // checkouts that stopped between their phases.
  let reconciling: Promise<void> | undefined;
  const reconcilePayments = () => {
    if (reconciling) return;
    reconciling = (async () => {
      try {
        await runs.round('payment-reconcile', () => reconcilePaymentsRound());
      } catch (err) {
        logger.warn({ err }, 'payment reconcile round failed; will retry');
      } finally {
        reconciling = undefined;
      }
    })();
  };
  const reconcilePaymentsRound = async () => {
    {
      const ops = await reconcilePendingOperations(modules.payments);
      const attempts = await reconcilePendingPayments(modules.payments);
      if (ops.claimed + attempts.claimed > 0) logger.info({ ops, attempts }, 'payments: reconciled pending calls');
      // Checkouts stopped between their phases: placed or cancelled, never left holding stock.
      const completions = await finishStaleCompletions(checkout, {
        graceSeconds: deps.config.COMPLETION_GRACE_SECONDS,
        abandonAfterSeconds: deps.config.COMPLETION_ABANDON_SECONDS,
      });
      if (completions.claimed > 0) logger.info({ completions }, 'checkout: finished stopped completions');
      // Paid at the gateway, never completed (the webhook's own attempt failed for a moment): complete now.
      const paid = await completePaidCarts(checkout, { olderThanSeconds: deps.config.COMPLETION_GRACE_SECONDS });
      if (paid.completed + paid.released > 0) logger.info({ paid }, 'checkout: completed carts paid at the gateway');
    }
  };
  const reconcileTimer = setInterval(reconcilePayments, PAYMENT_RECONCILE_INTERVAL_MS);
  reconcileTimer.unref();
  const runImports = () => {
    if (importing) return;
    importing = (async () => {
      try {
        await runs.round('imports', async () => {
          while (!stopped && (await runNextImportJob(modules, logger))) {}
        });
      } catch (err) {
        logger.warn({ err }, 'import job round failed; will retry');
      } finally {
        importing = undefined;
      }
    })();
  };
  const importTimer = setInterval(runImports, IMPORT_POLL_INTERVAL_MS);
  importTimer.unref();
  // Outbound webhooks: fan-out of outbox events and delivery per endpoint (needs the secret box to sign).
  const webhookDelivery = startWebhookDelivery({
    config: deps.config,
    db: deps.db,
    logger,
    secretBox: deps.secretBox,
    rounds: runs,
  });

  logger.info('workers started');

  return {
    async stop() {
      clearInterval(timer);
      clearInterval(holdTimer);
      clearInterval(importTimer);
      clearInterval(reconcileTimer);
      gateways.stop();
      clearInterval(inboxTimer);
      inbox.stop();
      clearInterval(gatewayReconcileTimer);
      stopped = true;
      await webhookDelivery?.stop();
      await Promise.all([
        relay.stop(),
        maintenance,
        holdExpiry,
        importing,
        reconciling,
        inbox.idle(),
        gatewayReconcile,
      ]);
      await runs.stop();
      logger.info('workers stopped');
    },
  };
}
