import type { Db } from '../db/database.js';
import type { App } from '../http/types.js';
import type { Metrics } from '../metrics.js';
import { outboxStats } from '../outbox/admin.js';

/**
 * Prometheus scrape endpoint. Database-derived gauges (outbox backlog) are refreshed at scrape
 * time, so they cost one statement per scrape and nothing per request. Not in the OpenAPI document:
 * it is text/plain for Prometheus, not part of the API.
 */
export async function metricsRoutes(
  app: App,
  deps: {
    db: Db;
    metrics: Metrics;
    /** More database-derived gauges, refreshed at scrape time (the app adds the modules' own: webhooks). */
    scrapers?: ReadonlyArray<(metrics: Metrics) => Promise<void>>;
  },
) {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    try {
      const stats = await outboxStats(deps.db);
      deps.metrics.outboxBacklog.set({ status: 'pending' }, stats.pending);
      deps.metrics.outboxBacklog.set({ status: 'dead' }, stats.dead);
      deps.metrics.outboxOldestPendingAge.set(stats.oldestPendingAgeSeconds);
    } catch (err) {
      request.log.warn({ err }, 'could not read outbox backlog for metrics');
    }
    for (const scrape of deps.scrapers ?? []) {
      await scrape(deps.metrics).catch((err: unknown) => request.log.warn({ err }, 'a metrics scraper failed'));
    }
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
