import type { Config } from '../config.js';
import type { Db } from '../platform/db/database.js';
import { pruneIdempotencyKeys } from '../platform/http/idempotency.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import { pruneDeliveredEvents } from '../platform/outbox/admin.js';
import type { EventHandlers } from '../platform/outbox/handlers.js';
import { startRelay } from '../platform/outbox/relay.js';

export interface WorkerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  events: EventHandlers;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Days delivered outbox events are kept for inspection before the maintenance job deletes them. */
const DELIVERED_EVENT_RETENTION_DAYS = 7;
const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Background work: the outbox relay and periodic maintenance (expired idempotency keys, old
 * delivered events). Safe to run in any number of processes at once: the relay leases rows with
 * SKIP LOCKED and maintenance deletes are idempotent.
 */
export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const logger = deps.logger.child({ component: 'worker' });
  const relay = startRelay(
    { db: deps.db, handlers: deps.events, logger, metrics: deps.metrics },
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
        const keys = await pruneIdempotencyKeys(deps.db);
        const events = await pruneDeliveredEvents(deps.db, DELIVERED_EVENT_RETENTION_DAYS);
        if (keys + events > 0) logger.info({ keys, events }, 'maintenance: pruned expired rows');
      } catch (err) {
        logger.warn({ err }, 'maintenance round failed; will retry');
      }
    })();
  };
  const timer = setInterval(maintain, MAINTENANCE_INTERVAL_MS);
  timer.unref();
  maintain();
  logger.info('workers started');

  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([relay.stop(), maintenance]);
      logger.info('workers stopped');
    },
  };
}
