import type { Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { embeddedImageFor } from './embedded-image.js';
import { migrations } from './migrations/index.js';
import { sellableVariants } from './modules/catalog/index.js';
import { STOCK_ALERT_EVENT_TYPES, type StockAlertDeps, stockAlertHandler } from './modules/identity/index.js';
import { loadSecretBox } from './platform/crypto/secret-key-file.js';
import { createDb, type DbHandle } from './platform/db/create-db.js';
import type { Db } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import type { App } from './platform/http/types.js';
import { createLogger, type Logger, safeUrl } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { NOTIFICATION_QUEUED, notificationSender } from './platform/notifications/notifications.js';
import { defaultTemplatesDir } from './platform/notifications/templates.js';
import { fileLogTransport, type MailTransport, smtpTransport } from './platform/notifications/transport.js';
import { EventHandlers } from './platform/outbox/handlers.js';
import { createRedis, type RedisHandle } from './platform/redis.js';
import { startTracing, type Tracing } from './platform/tracing.js';
import { demoOwner, seed } from './seed.js';
import { version } from './version.js';
import { type RunningWorkers, startWorkers } from './workers/index.js';

/** The process-wide parts, built once from config. Nothing here is global state. */
export interface Runtime {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  dbHandle: DbHandle;
  redis?: RedisHandle | undefined;
  events: EventHandlers;
  mail: MailTransport;
  /** Migrations this start applied. */
  applied: string[];
  /** True when this start created the database (a new embedded data dir, or every migration applied now). */
  fresh: boolean;
  close(): Promise<void>;
}

/** Module event subscribers are wired here, explicitly, as modules arrive. */
function createEventHandlers(db: Db, mail: MailTransport, config: Config): EventHandlers {
  const handlers = new EventHandlers().on(NOTIFICATION_QUEUED, 'send-email', notificationSender(db, mail));
  // Opted-in staff hear about stock crossings by email (webhooks for them come from the fan-out).
  const stockAlerts = stockAlertHandler(stockAlertDeps(db, config));
  for (const type of STOCK_ALERT_EVENT_TYPES) handlers.on(type, 'stock-alert-email', stockAlerts);
  return handlers;
}

/**
 * Identity's stock-alert emails: shop name, templates and admin link from the config; product and variant
 * titles from catalog's read model (a variant not published in the default channel is named by SKU alone).
 */
export function stockAlertDeps(
  db: Db,
  config: Pick<Config, 'SHOP_NAME' | 'TEMPLATES_DIR' | 'ADMIN_URL'>,
): StockAlertDeps {
  return {
    db,
    mail: {
      shopName: config.SHOP_NAME,
      templatesDir: config.TEMPLATES_DIR ?? defaultTemplatesDir,
      adminUrl: config.ADMIN_URL,
    },
    variantNames: async (ids) => {
      const found = await sellableVariants(db, null, ids);
      return new Map([...found].map(([id, v]) => [id, `${v.title} / ${v.variantTitle}`]));
    },
  };
}

/** SMTP when configured, else files under the data dir (development). */
function createMailTransport(config: Config, logger: Logger): MailTransport {
  return config.SMTP_URL
    ? smtpTransport(config.SMTP_URL, config.MAIL_FROM)
    : fileLogTransport(join(config.BACKROOM_DATA_DIR, 'mail'), logger.child({ component: 'mail' }));
}

/** `attach`: a CLI command reaches the embedded database of a running `serve` through its socket. */
export async function createRuntime(
  config: Config,
  opts: { migrate?: boolean; attach?: boolean } = {},
): Promise<Runtime> {
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const metrics = createMetrics();
  const image = config.DATABASE_URL ? undefined : embeddedImageFor(config.BACKROOM_DATA_DIR);
  const dbHandle = await createDb(
    {
      url: config.DATABASE_URL,
      dataDir: config.BACKROOM_DATA_DIR,
      poolMax: config.DATABASE_POOL_MAX,
      lockTimeoutMs: config.DATABASE_LOCK_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      loadDataDir: image,
      attach: opts.attach,
      directUrl: config.DATABASE_DIRECT_URL,
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
      replicaUrl: config.DATABASE_REPLICA_URL,
      onReplicaStateChange: (state, err) =>
        state === 'down'
          ? logger.warn({ err }, 'database replica unreachable: its reads use the primary')
          : logger.info('database replica answers again'),
      onPooledSessionMismatch: (detail) =>
        logger.warn(
          { detail },
          'pooled sessions (DATABASE_URL) lack the configured session settings: set them on the role (ALTER ROLE … SET, README "PgBouncer and read replicas")',
        ),
    },
    metrics,
  );
  logger.info(
    { database: config.DATABASE_URL ? safeUrl(config.DATABASE_URL) : `embedded:${config.BACKROOM_DATA_DIR}` },
    'database connected',
  );
  let applied: string[] = [];
  try {
    if (opts.migrate !== false) {
      // Migrations hold a session advisory lock: on their own session, not through a transaction pooler.
      applied = await dbHandle.withSession((db) => migrateToLatest(db, migrations));
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
  } catch (err) {
    await dbHandle.close();
    throw err;
  }
  const mail = createMailTransport(config, logger);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger, metrics) : undefined;
  return {
    config,
    logger,
    metrics,
    dbHandle,
    redis,
    mail,
    events: createEventHandlers(dbHandle.db, mail, config),
    applied,
    fresh: image !== undefined || applied.length === Object.keys(migrations).length,
    async close() {
      await redis?.close();
      await dbHandle.close();
    },
  };
}

export function appFor(rt: Runtime, plugins?: FastifyPluginAsync[]): Promise<App> {
  return buildApp(
    {
      config: rt.config,
      logger: rt.logger,
      db: rt.dbHandle.db,
      reads: rt.dbHandle,
      metrics: rt.metrics,
      migrations,
      redis: rt.redis,
      listen: (channel, onPayload) => rt.dbHandle.listen(channel, onPayload),
      // Built here, not in createRuntime: only the app and workers need it (CLI commands stay quiet).
      secretBox: secretBoxFor(rt),
    },
    plugins ? { plugins } : {},
  );
}

/** The key that seals secrets at rest (MFA seeds, gateway credentials). */
export function secretBoxFor(rt: Runtime) {
  return loadSecretBox(
    {
      secretKey: rt.config.BACKROOM_SECRET_KEY,
      dataDir: rt.config.BACKROOM_DATA_DIR,
      databaseUrl: rt.config.DATABASE_URL,
    },
    rt.logger,
  );
}

export function workersFor(rt: Runtime): RunningWorkers {
  return startWorkers({
    config: rt.config,
    db: rt.dbHandle.db,
    logger: rt.logger,
    metrics: rt.metrics,
    events: rt.events,
    secretBox: secretBoxFor(rt),
  });
}

/**
 * Calls `shutdown` on the first SIGTERM/SIGINT and exits 0 when it resolves; exits 1 if it takes
 * longer than `timeoutMs` or on a second signal (an operator pressing Ctrl-C twice means "now").
 */
export function onShutdownSignal(logger: Logger, timeoutMs: number, shutdown: () => Promise<void>) {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting immediately');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    shutdown().then(
      () => {
        logger.info('shutdown complete');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/**
 * Lets `server.close()` finish once in-flight requests are answered. Node reaps keep-alive
 * connections only if they are idle when `close()` is called; one whose request was in flight
 * stays open after its response until `keepAliveTimeout` (72 s in Fastify), longer than the
 * shutdown timeout. So when draining starts, every response not yet sent says `Connection: close`
 * (the client opens its next request elsewhere), and connections that still go idle are closed.
 * Returns the function that starts draining; it returns the function that ends the sweep.
 */
function closeConnectionsWhenDraining(server: Server): () => () => void {
  const open = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  return () => {
    for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
    // Streamed responses had their headers out already; close them once they go idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    sweep.unref();
    return () => clearInterval(sweep);
  };
}

/** OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set (its SDK is loaded only then); undefined otherwise. */
function startTracingFor(config: Config, kind: 'serve' | 'worker'): Promise<Tracing | undefined> {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return Promise.resolve(undefined);
  return startTracing({
    serviceName: config.OTEL_SERVICE_NAME,
    process: kind,
    endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    resource: { 'service.version': version },
  });
}

/** `backroom serve`: HTTP API, plus workers unless BACKROOM_WORKERS=off. */
export async function serve(given: Config, plugins?: FastifyPluginAsync[]): Promise<{ rt: Runtime; app: App }> {
  // First: the request and SQL instrumentation must exist before the app and its database are built.
  const tracing = await startTracingFor(given, 'serve');
  // Offline demos: local Stripe/PayPal fakes, their webhooks sent back to this server.
  const fakes = given.BACKROOM_FAKE_GATEWAYS
    ? await (await import('./fake-gateways/index.js')).startFakeGateways({
        backroomUrl: `http://127.0.0.1:${given.PORT}`,
      })
    : undefined;
  const config: Config = fakes ? Object.freeze({ ...given, ...fakes.env } as Config) : given;
  const rt = await createRuntime(config);
  if (fakes) rt.logger.info({ stripe: fakes.stripeUrl, paypal: fakes.paypalUrl }, 'fake payment gateways started');
  // A brand-new embedded database gets the demo shop, so `npm install && npm start` has data.
  if (!config.DATABASE_URL && rt.fresh) {
    const steps = await seed(rt.dbHandle.db);
    if (steps.length > 0) rt.logger.info({ steps }, 'new embedded database: demo data seeded');
    if (steps.includes('demo owner')) {
      const password = process.env.BACKROOM_DEMO_PASSWORD ? '(BACKROOM_DEMO_PASSWORD)' : demoOwner.password();
      rt.logger.info(`demo staff login: ${demoOwner.email} / ${password}`);
    }
  }
  const app = await appFor(rt, plugins);
  const drain = closeConnectionsWhenDraining(app.server);
  const workers = config.BACKROOM_WORKERS ? workersFor(rt) : undefined;
  const stop = async () => {
    // Order matters: stop taking requests and finish in-flight ones (they may append events),
    // then stop the workers, then close connections the first two used.
    const endSweep = drain();
    try {
      await app.close();
    } finally {
      endSweep();
    }
    // A client that hung up is gone from the connections app.close() waited for, but its handler
    // may still be mid-transaction: let it finish before the pool closes.
    await app.handlersIdle(config.SHUTDOWN_TIMEOUT_MS);
    await workers?.stop();
    await rt.close();
    await fakes?.close();
    await tracing?.shutdown();
  };
  onShutdownSignal(rt.logger, config.SHUTDOWN_TIMEOUT_MS, stop);
  try {
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    // e.g. the port is taken: release the database (and the embedded data dir lock) on the way out.
    await stop();
    throw err;
  }
  // Other local processes (the CLI, psql) reach the embedded database through this process.
  const local = await rt.dbHandle.serveLocalSocket?.();
  if (local && 'unavailable' in local) rt.logger.warn(`no local database socket: ${local.unavailable}`);
  else if (local) rt.logger.info({ socket: local.dir }, `embedded database shared locally: psql -h ${local.dir}`);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const base = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  rt.logger.info(
    { url: base, docs: `${base}/docs`, workers: Boolean(workers) },
    `Backroom is up: API reference at ${base}/docs`,
  );
  return { rt, app };
}

/** `backroom worker`: background work only (run one or more next to `serve --no-workers`). */
export async function worker(config: Config): Promise<Runtime> {
  if (!config.DATABASE_URL) {
    throw new Error(
      '`backroom worker` needs DATABASE_URL: the embedded database belongs to the `serve` process, which runs the workers itself',
    );
  }
  const tracing = await startTracingFor(config, 'worker');
  const rt = await createRuntime(config);
  const workers = workersFor(rt);
  onShutdownSignal(rt.logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await workers.stop();
    await rt.close();
    await tracing?.shutdown();
  });
  rt.logger.info('worker started');
  return rt;
}
