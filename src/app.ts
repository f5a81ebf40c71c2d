import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyPluginAsync, LogController } from 'fastify';
import type { Config } from './config.js';
import { describeSettings } from './config-view.js';
import { webhookOpenApi } from './event-catalogue.openapi.js';
import { catalogRoutes } from './modules/catalog/index.js';
import { checkoutRoutes, listRegions, releaseRedemptions } from './modules/checkout/index.js';
import { dashboardRoutes } from './modules/dashboard/index.js';
import { customerAdminRoutes, customerRoutes, registerAuth, staffRoutes } from './modules/identity/index.js';
import { importRoutes } from './modules/imports/index.js';
import { inventoryRoutes } from './modules/inventory/index.js';
import { customerOrderStats, orderRoutes, recentCustomerOrders } from './modules/orders/index.js';
import { type PaymentsDeps, paymentRoutes } from './modules/payments/index.js';
import { privacyRoutes } from './modules/privacy/index.js';
import { webhookAdminRoutes, webhookStats } from './modules/webhooks/index.js';
import type { SecretBox } from './platform/crypto/secret-box.js';
import type { DbHandle, DbReads } from './platform/db/create-db.js';
import type { Db } from './platform/db/database.js';
import type { MigrationList } from './platform/db/migrate.js';
import { AppError } from './platform/errors.js';
import { adminAppRoutes } from './platform/http/admin-app.js';
import { registerCardGuard } from './platform/http/card-guard.js';
import { clientErrorHandler } from './platform/http/client-errors.js';
import { registerErrorHandlers, sendProblem } from './platform/http/error-handler.js';
import { registerIdempotency } from './platform/http/idempotency.js';
import { registerInputGuard } from './platform/http/input-guard.js';
import { registerJsonBody } from './platform/http/json-body.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { warnOnUntrustedProxy } from './platform/http/proxy-warning.js';
import { registerRateLimit } from './platform/http/rate-limit.js';
import { registerRequestContext, requestIdFrom } from './platform/http/request-context.js';
import { trackRunningHandlers } from './platform/http/running-handlers.js';
import { registerSecurityHeaders } from './platform/http/security-headers.js';
import type { App } from './platform/http/types.js';
import { buildValidator } from './platform/http/validator.js';
import { bindsRequestId, type Logger } from './platform/logger.js';
import type { Metrics } from './platform/metrics.js';
import { defaultTemplatesDir } from './platform/notifications/templates.js';
import { healthRoutes } from './platform/ops/health.routes.js';
import { metricsRoutes } from './platform/ops/metrics.routes.js';
import { settingsRoutes } from './platform/ops/settings.routes.js';
import { workerRunRoutes } from './platform/ops/worker-runs.routes.js';
import { outboxRoutes } from './platform/outbox/routes.js';
import type { RedisHandle } from './platform/redis.js';
import { tracingPlugin } from './platform/tracing.js';
import { version } from './version.js';
import { checkoutDeps, gatewayEnvOf, orderMail, webhooksDeps, wireModules } from './wiring.js';
import { gatewayRefresher, webhookInboxRunner } from './workers/payment-gateways.js';

/** Everything the HTTP app needs, built once by the CLI (or a test) and passed in. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Db;
  /**
   * Reads that may be served by a replica (storefront products, the dashboard): the handle's readDb and read fence.
   * Without DATABASE_REPLICA_URL readDb is `db` and the fence costs nothing.
   */
  reads: DbReads;
  metrics: Metrics;
  migrations: MigrationList;
  redis?: RedisHandle | undefined;
  /** LISTEN on the database (cross-node cache invalidation, live streams); absent in some tests. */
  listen?: DbHandle['listen'] | undefined;
  /** Encrypts secrets at rest (staff MFA seeds); without it MFA routes answer 503. */
  secretBox?: SecretBox | undefined;
  /**
   * Gateways and their deadline; default: manual payment plus Stripe/PayPal as configured in the environment or
   * through the admin API. Tests pass their own registry (gateways set through the admin API still join it).
   */
  payments?: Pick<PaymentsDeps, 'providers' | 'providerTimeoutMs'> | undefined;
}

export interface BuildOptions {
  /** Extra route plugins (tests register probe routes through this; production passes none). */
  plugins?: FastifyPluginAsync[];
  /** The built admin app to serve at /admin (default packages/admin/dist; tests pass their own). */
  adminDistDir?: string;
}

/**
 * Builds the Fastify app: platform hooks first (request context, security headers, CORS,
 * idempotency, error handling, OpenAPI), then every route group, registered explicitly so `grep`
 * finds them all.
 */
export async function buildApp(deps: AppDeps, opts: BuildOptions = {}): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: requestIdFrom,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // The per-request logger binds `requestId` itself; mark it so the logger's mixin skips it.
    childLoggerFactory: (logger, bindings, options) => {
      const child = logger.child(bindings, options);
      (child as { [bindsRequestId]?: boolean })[bindsRequestId] = true;
      return child;
    },
    // Refused before routing (e.g. `/%zz`): still a problem document, not Fastify's own JSON.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return sendProblem(reply, request, new AppError(400, 'BAD_REQUEST', 'Bad request', { detail: error.message }));
    },
    // Refused by Node's HTTP parser (431 URL or headers too large, 400 malformed): problem documents as well.
    clientErrorHandler,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    ajv: {
      // Unknown fields are rejected (schemas say additionalProperties: false) rather than silently
      // dropped, so a typo gets a 400 naming the field instead of being ignored.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
    // Coercion for path and query only (bodies keep their JSON types); integers bounded to the safe range.
    schemaController: { compilersFactory: { buildValidator: buildValidator() } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // With tracing started, the request span opens before any other hook runs (and so covers them all).
  const traceRequests = tracingPlugin();
  if (traceRequests) await app.register(traceRequests);
  registerRequestContext(app, deps.metrics);
  warnOnUntrustedProxy(app, { trustProxy: config.TRUST_PROXY });
  trackRunningHandlers(app);
  registerErrorHandlers(app);
  // JSON only: without this, Fastify's built-in text/plain parser hands a string to JSON schemas
  // (a confusing 400) instead of answering 415.
  app.removeContentTypeParser('text/plain');
  // UTF-8 only, and `null` is not a body.
  registerJsonBody(app as unknown as App);
  registerSecurityHeaders(app, {
    // The API serves JSON, which loads nothing: allow nothing. /docs sets its own CSP for its assets.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  await app.register(cors, {
    origin: config.CORS_ORIGINS.includes('*') ? '*' : config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'content-type',
      'authorization',
      'idempotency-key',
      'x-publishable-key',
      'if-match',
      'if-none-match',
      'x-request-id',
    ],
    exposedHeaders: ['x-request-id', 'retry-after', 'idempotent-replayed', 'etag', 'location'],
    maxAge: 600,
  });
  await registerRateLimit(app, {
    max: config.RATE_LIMIT_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_S,
    redis: deps.redis,
  });
  // NUL, lone surrogates and non-UTF-8 bytes are refused before authentication or any SQL sees them.
  registerInputGuard(app as unknown as App);
  // Authentication runs in onRequest, before body parsing and before idempotency replays; stored
  // responses are scoped to the resolved caller, not to the raw header.
  registerAuth(app, { db: deps.db, mfaRequiredRoles: config.MFA_REQUIRED_ROLES });
  // Card numbers are refused before validation, idempotency storage or any handler sees them.
  registerCardGuard(app);
  registerIdempotency(app, {
    db: deps.db,
    ttlHours: config.IDEMPOTENCY_TTL_HOURS,
    scopeOf: (request) =>
      request.principal.type === 'anonymous' ? undefined : `${request.principal.type}:${request.principal.id}`,
  });
  await registerOpenApi(app, { version, webhooks: webhookOpenApi() });

  // Route groups. Each module's routes are registered here, one line each.
  await app.register(async (scope) => healthRoutes(scope as App, { ...deps, checkReplica: deps.reads.checkReplica }));
  await app.register(async (scope) =>
    settingsRoutes(scope as App, { describe: () => describeSettings(config), version }),
  );
  await app.register(async (scope) => workerRunRoutes(scope as App, { db: deps.db }));
  await app.register(async (scope) =>
    metricsRoutes(scope as App, {
      ...deps,
      scrapers: [
        async (metrics) => {
          const w = await webhookStats(deps.db);
          metrics.webhookDeliveries.set({ status: 'pending' }, w.pending);
          metrics.webhookDeliveries.set({ status: 'failed' }, w.failed);
          for (const [state, n] of Object.entries(w.endpoints)) metrics.webhookEndpoints.set({ state }, n);
          metrics.webhookFanOutBacklog.set(w.fanOutBacklog);
        },
      ],
    }),
  );
  await app.register(async (scope) => outboxRoutes(scope as App, deps));
  // Identity's emails: customer verification and reset link to the storefront, staff invitations to the admin.
  const identityMail = { shopName: config.SHOP_NAME, templatesDir: config.TEMPLATES_DIR ?? defaultTemplatesDir };
  await app.register(async (scope) =>
    customerRoutes(scope as App, { db: deps.db, mail: { ...identityMail, storefrontUrl: config.STOREFRONT_URL } }),
  );
  await app.register(async (scope) =>
    staffRoutes(scope as App, {
      db: deps.db,
      secretBox: deps.secretBox,
      inviteMail: { ...identityMail, adminUrl: config.ADMIN_URL },
    }),
  );
  const modules = wireModules(deps.db, {
    catalog: {
      readDb: deps.reads.readDb,
      listen: deps.listen,
      cacheEntries: config.STOREFRONT_CACHE_ENTRIES,
      httpCache: {
        maxAgeSeconds: config.STOREFRONT_MAX_AGE_S,
        staleWhileRevalidateSeconds: config.STOREFRONT_SWR_S,
      },
      showStockCounts: config.SHOW_STOCK_COUNTS,
    },
    payments: deps.payments ?? { providerTimeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS },
  });
  const { catalog, inventory, payments } = modules;
  const checkout = checkoutDeps(modules, config);
  await app.register(async (scope) => catalogRoutes(scope as App, catalog));
  await app.register(async (scope) => inventoryRoutes(scope as App, inventory));
  await app.register(async (scope) => checkoutRoutes(scope as App, checkout));
  const gatewayEnv = gatewayEnvOf(config);
  // Another node may change gateway settings through the admin API: picked up within a minute.
  const gateways = gatewayRefresher(
    { db: deps.db, providers: payments.providers, secretBox: deps.secretBox, env: gatewayEnv },
    app.log,
  );
  await gateways.ready;
  // A stored webhook is applied at once in this process (the worker's timer is the fallback).
  const inbox = webhookInboxRunner(checkout, app.log as unknown as Logger);
  app.addHook('onClose', async () => {
    gateways.stop();
    inbox.stop();
    await inbox.idle();
  });
  await app.register(async (scope) =>
    paymentRoutes(scope as App, { ...payments, secretBox: deps.secretBox, gatewayEnv, onWebhookStored: inbox.nudge }),
  );
  await app.register(async (scope) =>
    orderRoutes(scope as App, {
      db: deps.db,
      inventory,
      payments,
      mail: orderMail(config),
      // A cancelled order gives its promotion uses back (checkout owns promotions; orders may not import it).
      onCancelled: async (tx, orderId) => void (await releaseRedemptions(tx, orderId)),
    }),
  );
  await app.register(async (scope) => importRoutes(scope as App, { catalog, inventory }));
  // Staff's customer pages read order facts through a port (identity may not import orders).
  await app.register(async (scope) =>
    customerAdminRoutes(scope as App, {
      db: deps.db,
      orders: { stats: customerOrderStats, recent: recentCustomerOrders },
    }),
  );
  await app.register(async (scope) => privacyRoutes(scope as App, { db: deps.db }));
  await app.register(async (scope) =>
    dashboardRoutes(scope as App, {
      db: deps.db,
      readDb: deps.reads.readDb,
      fenceReads: deps.reads.fenceReads,
      timeZone: config.SHOP_TIMEZONE,
      // The regions' currencies: checkout owns regions, and the dashboard may not import it.
      shopCurrencies: async (db) => [...new Set((await listRegions(db)).map((r) => r.currency))],
    }),
  );
  // Webhook endpoints seal their signing secrets: without a secret box (some tests) the routes are left out.
  const secretBox = deps.secretBox;
  if (secretBox) {
    await app.register(async (scope) =>
      webhookAdminRoutes(scope as App, webhooksDeps(config, { db: deps.db, secretBox, logger: deps.logger })),
    );
  }
  // The admin web app at /admin (not an API route: its own CSP, hidden from the OpenAPI document).
  await app.register(async (scope) => adminAppRoutes(scope, { distDir: opts.adminDistDir }), { prefix: '/admin' });
  for (const plugin of opts.plugins ?? []) await app.register(plugin);

  return app as unknown as App;
}
