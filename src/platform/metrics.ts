import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One registry per process (tests build several apps in one process, so nothing is global).
 * Metric names follow Prometheus conventions: `_seconds`, `_total`, base units.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route pattern, method and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being handled right now.',
      registers: [registry],
    }),
    dbQueryDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Duration of SQL statements.',
      labelNames: ['outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    dbPoolMax: new Gauge({ name: 'db_pool_max_connections', help: 'Configured pool size.', registers: [registry] }),
    dbPoolInUse: new Gauge({
      name: 'db_pool_connections_in_use',
      help: 'Connections checked out of the pool.',
      registers: [registry],
    }),
    dbPoolWaiting: new Gauge({
      name: 'db_pool_acquire_waiting',
      help: 'Callers waiting for a pooled connection.',
      registers: [registry],
    }),
    dbPoolAcquireDuration: new Histogram({
      name: 'db_pool_acquire_seconds',
      help: 'Time spent waiting for a pooled connection.',
      buckets: [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    txRetries: new Counter({
      name: 'db_transaction_retries_total',
      help: 'Transactions retried after a serialization failure or deadlock.',
      labelNames: ['sqlstate'] as const,
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'outbox_events',
      help: 'Outbox events by status (pending = not yet delivered, dead = gave up).',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    outboxOldestPendingAge: new Gauge({
      name: 'outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest undelivered outbox event.',
      registers: [registry],
    }),
    outboxDelivered: new Counter({
      name: 'outbox_deliveries_total',
      help: 'Outbox event deliveries by outcome (delivered, failed, dead).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookDeliveries: new Gauge({
      name: 'webhook_deliveries',
      help: 'Outbound webhook deliveries by status (pending = waiting to be sent or retried, failed = every attempt used).',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    webhookEndpoints: new Gauge({
      name: 'webhook_endpoints',
      help: 'Webhook endpoints by state (enabled, or the reason they were disabled: manual, gone, failing).',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    webhookFanOutBacklog: new Gauge({
      name: 'webhook_fanout_backlog_events',
      help: 'Committed outbox events the webhook fan-out has not read yet.',
      registers: [registry],
    }),
    redisUp: new Gauge({
      name: 'redis_up',
      help: '1 when the Redis connection is ready, 0 when it is down (absent when Redis is not configured).',
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: 'redis_errors_total',
      help: 'Redis client errors (connection failures included).',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
