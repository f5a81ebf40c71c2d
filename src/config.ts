/**
 * Configuration: every setting comes from an environment variable, parsed once at start-up into a
 * typed, frozen `Config`. A bad value throws `ConfigError` with one line naming the variable; the
 * CLI prints that line and exits non-zero.
 *
 * The table below is the single source of truth: the README's configuration table is checked
 * against it by a test, so a new variable cannot go undocumented.
 */

import {
  bool,
  ConfigError,
  integer,
  list,
  oneOf,
  type Setting,
  secretKey,
  setting,
  type TrustProxy,
  text,
  timeZone,
  trustProxy,
  url,
} from './config.parsers.js';

export { ConfigError, type TrustProxy };

/** Every environment variable Backroom reads. */
export const settings = {
  HOST: setting(text, '127.0.0.1', 'Address the HTTP server binds to.'),
  PORT: setting(integer(0, 65535), 3000, 'HTTP port (0 picks a free one).'),
  DATABASE_URL: setting(
    url('postgres:', 'postgresql:'),
    undefined,
    'PostgreSQL server (15+). Unset: embedded PostgreSQL (PGlite) in `BACKROOM_DATA_DIR`.',
  ),
  DATABASE_POOL_MAX: setting(integer(1, 500), 10, 'Connections per process to `DATABASE_URL`.'),
  DATABASE_LOCK_TIMEOUT_MS: setting(
    integer(1, 600_000),
    5000,
    'Per-transaction `lock_timeout`: a command waiting longer for a row lock fails with 503 instead of piling up.',
  ),
  DATABASE_STATEMENT_TIMEOUT_MS: setting(integer(1, 3_600_000), 30_000, 'Per-transaction `statement_timeout`.'),
  DATABASE_DIRECT_URL: setting(
    url('postgres:', 'postgresql:'),
    undefined,
    'Session connection to the same database when `DATABASE_URL` is a transaction-mode pooler (PgBouncer): LISTEN and migrations use it, and the pool sends no session settings (they are the role\'s: README "PgBouncer and read replicas"). Unset: `DATABASE_URL`.',
  ),
  DATABASE_PREPARED_STATEMENTS: setting(
    bool,
    true,
    'Named prepared statements on `DATABASE_URL`. Turn off behind PgBouncer before 1.21 in transaction mode.',
  ),
  DATABASE_REPLICA_URL: setting(
    url('postgres:', 'postgresql:'),
    undefined,
    'A streaming replica for storefront product reads and the admin dashboard; writes and everything else stay on the primary. A replica that is down or behind a catalog change is bypassed.',
  ),
  BACKROOM_DATA_DIR: setting(
    text,
    './.backroom',
    'Folder of the embedded database (used when `DATABASE_URL` is unset).',
  ),
  REDIS_URL: setting(
    url('redis:', 'rediss:'),
    undefined,
    'Optional Redis for shared rate limits and cache. An outage is logged and reported by `/health/ready`; it never stops the process.',
  ),
  LOG_LEVEL: setting(oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'info', 'pino log level.'),
  LOG_FORMAT: setting(
    oneOf('auto', 'json', 'pretty'),
    'auto',
    '`auto`: pretty in a terminal, JSON otherwise. Secrets, tokens, passwords and cookies are always redacted.',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: setting(
    url('http:', 'https:'),
    undefined,
    'OpenTelemetry: OTLP/HTTP collector base URL (`http://collector:4318`); spans go to `<url>/v1/traces`. Unset: tracing is off and its SDK is not loaded (README "Tracing").',
  ),
  OTEL_SERVICE_NAME: setting(
    text,
    'backroom',
    'OpenTelemetry `service.name` of `serve` and `worker` (told apart by the `backroom.process` attribute).',
  ),
  CORS_ORIGINS: setting(
    list,
    ['*'],
    'Comma-separated origins allowed by CORS (`*` = any; empty string = no cross-origin access). Credentials are bearer tokens, never cookies.',
  ),
  BODY_LIMIT_BYTES: setting(
    integer(1024, 100 * 1024 * 1024),
    1024 * 1024,
    'Largest accepted request body; larger → 413.',
  ),
  TRUST_PROXY: setting(
    trustProxy,
    false,
    "Which `X-Forwarded-*` hops to believe behind a load balancer: the proxies' addresses/CIDRs (`10.0.0.0/8,127.0.0.1`, `loopback`), or `true` (every hop — clients can then choose their own address for lockouts and rate limits).",
  ),
  BACKROOM_WORKERS: setting(
    bool,
    true,
    'Run background workers (outbox relay …) inside `serve`. Turn off when separate `backroom worker` processes run them.',
  ),
  OUTBOX_POLL_INTERVAL_MS: setting(integer(10, 60_000), 500, 'How often an idle outbox relay looks for new events.'),
  OUTBOX_BATCH_SIZE: setting(integer(1, 1000), 50, 'Events a relay claims per round.'),
  OUTBOX_MAX_ATTEMPTS: setting(integer(1, 100), 10, 'Failed deliveries before an event is marked dead.'),
  EVENT_RETENTION_DAYS: setting(
    integer(1, 3650),
    30,
    'Days outbox events are kept for the events API (`GET /v1/admin/events`) and webhook replay, whatever their delivery status; older ones are pruned by the workers.',
  ),
  WEBHOOKS_ALLOW_PRIVATE_URLS: setting(
    bool,
    false,
    'Development only: let webhook endpoints use `http` and loopback/private/link-local addresses. Off, every endpoint must be `https` to a public address, checked at creation and again at every delivery.',
  ),
  WEBHOOK_TIMEOUT_MS: setting(
    integer(500, 60_000),
    10_000,
    'Deadline of one webhook delivery attempt (connect, send, answer); past it the attempt fails and is retried.',
  ),
  WEBHOOK_CONCURRENCY: setting(
    integer(1, 100),
    10,
    'Deliveries in flight at once to one endpoint (across all workers), so a slow endpoint never takes the capacity of the others.',
  ),
  WEBHOOK_DISABLE_AFTER_HOURS: setting(
    integer(1, 24 * 30),
    72,
    'An endpoint whose deliveries have failed without a success for this long is disabled, and staff with `webhooks:manage` are emailed.',
  ),
  WEBHOOK_SECRET_OVERLAP_HOURS: setting(
    integer(0, 24 * 7),
    24,
    'After a secret rotation, how long the previous secret stays valid: both signatures are sent meanwhile.',
  ),
  WEBHOOK_POLL_INTERVAL_MS: setting(
    integer(10, 60_000),
    100,
    'How often an idle worker looks for new events to fan out and webhook deliveries that came due.',
  ),
  IDEMPOTENCY_TTL_HOURS: setting(integer(1, 24 * 30), 24, 'How long a stored `Idempotency-Key` response is replayed.'),
  SMTP_URL: setting(
    url('smtp:', 'smtps:'),
    undefined,
    'SMTP server for emails (`smtps://user:pass@host:465`). Unset: each email is written to a file under `<BACKROOM_DATA_DIR>/mail/` and logged (without its body).',
  ),
  MAIL_FROM: setting(text, 'Backroom <no-reply@localhost>', 'Sender of emails.'),
  TEMPLATES_DIR: setting(
    text,
    undefined,
    'Folder of email templates to use instead of the shipped `templates/email/`.',
  ),
  STOREFRONT_URL: setting(
    url('http:', 'https:'),
    'http://localhost:3000',
    'Base URL of the storefront; links in emails point to `<STOREFRONT_URL>/verify-email?token=…` and `/reset-password?token=…`.',
  ),
  ADMIN_URL: setting(
    url('http:', 'https:'),
    // Shown as the default; loadConfig derives the real one from PORT (the server serves the app at /admin).
    'http://localhost:3000/admin',
    'Base URL of the admin app (default `http://localhost:<PORT>/admin`, the app this server serves); staff invitations link to `<ADMIN_URL>/accept-invite?token=…` and password resets to `<ADMIN_URL>/reset-password?token=…`.',
  ),
  SHOP_NAME: setting(text, 'Backroom Demo', 'Shop name shown in emails.'),
  SHOP_TIMEZONE: setting(
    timeZone,
    'UTC',
    'The shop\'s time zone (IANA name, e.g. `Europe/Berlin`): where the admin dashboard\'s "today" and "yesterday" begin and end.',
  ),
  SHOW_STOCK_COUNTS: setting(
    bool,
    false,
    'Storefront products show exact available counts per variant (otherwise only in stock / low stock / out of stock).',
  ),
  STOREFRONT_CACHE_ENTRIES: setting(
    integer(0, 1_000_000),
    2000,
    'Storefront list/detail responses cached per process (LRU; every committed catalog change clears it on every node through LISTEN/NOTIFY). 0 turns the cache off.',
  ),
  STOREFRONT_MAX_AGE_S: setting(
    integer(0, 86_400),
    30,
    'Storefront list/detail answers: `Cache-Control: public, max-age=<this>` — how long browsers and a CDN reuse an answer before revalidating it with its ETag. A catalog change emits `catalog.storefront_changed` with the keys to purge.',
  ),
  STOREFRONT_SWR_S: setting(
    integer(0, 86_400),
    60,
    'Storefront list/detail answers: `stale-while-revalidate=<this>` — how long past `max-age` a cache may still serve an answer while it revalidates it in the background.',
  ),
  RATE_LIMIT_MAX: setting(
    integer(1, 1_000_000),
    1200,
    'Requests per client per `RATE_LIMIT_WINDOW_S` (client = credential when one is sent, else IP); over it → 429. Shared across nodes through Redis when `REDIS_URL` is set.',
  ),
  RATE_LIMIT_WINDOW_S: setting(integer(1, 86_400), 60, 'Rate-limit window in seconds.'),
  SHUTDOWN_TIMEOUT_MS: setting(
    integer(100, 600_000),
    15_000,
    'On SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway.',
  ),
  BACKROOM_SECRET_KEY: setting(
    secretKey,
    undefined,
    'Key that encrypts secrets at rest (staff MFA seeds): 32 bytes as 64 hex or base64url characters. Unset: `<BACKROOM_DATA_DIR>/secret.key`, created once (mode 0600); set it when `DATABASE_URL` is set so every node shares one key.',
  ),
  HOLD_TTL_SECONDS: setting(
    integer(10, 86_400),
    900,
    'How long checkout holds stock for a cart before the hold expires and the units are sellable again.',
  ),
  STOCK_HOLD_AT: setting(
    oneOf('add_to_cart', 'checkout'),
    'checkout',
    'When carts hold stock: `add_to_cart` (every line change re-holds the whole cart for `HOLD_TTL_SECONDS`; a change stock cannot cover is refused with 409 `INSUFFICIENT_STOCK`) or `checkout` (no hold until checkout starts).',
  ),
  HOLD_EXPIRY_INTERVAL_MS: setting(integer(100, 3_600_000), 5000, 'How often the worker releases expired cart holds.'),
  COMPLETION_GRACE_SECONDS: setting(
    integer(0, 86_400),
    60,
    'A checkout stopped between its phases (crash, gateway timeout) for longer than this is finished by the worker: the gateway is asked again with the same idempotency key and the order placed or cancelled.',
  ),
  COMPLETION_ABANDON_SECONDS: setting(
    integer(60, 7 * 86_400),
    3600,
    'A checkout whose payment still has no answer after this long (gateway unreachable, 3-D Secure never finished) is cancelled by the worker and its stock released.',
  ),
  PAYMENT_PROVIDER_TIMEOUT_MS: setting(
    integer(100, 120_000),
    10_000,
    'Deadline of one gateway call. Past it the outcome is unknown: the call is repeated later with the same idempotency key, never a new one.',
  ),
  STRIPE_SECRET_KEY: setting(
    text,
    undefined,
    'Stripe secret API key (`sk_live_…`/`sk_test_…`). With `STRIPE_WEBHOOK_SECRET` it enables the `stripe` provider (the admin API can set both instead, encrypted at rest). Never logged.',
  ),
  STRIPE_WEBHOOK_SECRET: setting(
    text,
    undefined,
    'Signing secret of the Stripe webhook endpoint `/v1/webhooks/stripe` (`whsec_…`). Never logged.',
  ),
  STRIPE_PUBLISHABLE_KEY: setting(
    text,
    undefined,
    'Stripe publishable key (`pk_…`), returned to the storefront with the client secret for Stripe.js.',
  ),
  STRIPE_API_BASE: setting(
    url('http:', 'https:'),
    undefined,
    'Where the Stripe SDK sends requests instead of `https://api.stripe.com` (a local fake or stripe-mock). Unset in production.',
  ),
  PAYPAL_CLIENT_ID: setting(
    text,
    undefined,
    'PayPal REST app client id. With `PAYPAL_CLIENT_SECRET` and `PAYPAL_WEBHOOK_ID` it enables the `paypal` provider.',
  ),
  PAYPAL_CLIENT_SECRET: setting(text, undefined, 'PayPal REST app secret. Never logged.'),
  PAYPAL_WEBHOOK_ID: setting(
    text,
    undefined,
    'Id PayPal gave the webhook pointing at `/v1/webhooks/paypal`; part of every webhook signature.',
  ),
  PAYPAL_ENVIRONMENT: setting(oneOf('sandbox', 'live'), 'sandbox', 'PayPal environment: `sandbox` or `live`.'),
  PAYPAL_API_BASE: setting(
    url('http:', 'https:'),
    undefined,
    'Where the PayPal SDK sends requests instead of PayPal (a local fake). Unset in production.',
  ),
  BACKROOM_FAKE_GATEWAYS: setting(
    bool,
    false,
    'Start local fake Stripe and PayPal servers in this process and point the gateways at them (offline demos and development; never in production).',
  ),
  WEBHOOK_INBOX_INTERVAL_MS: setting(
    integer(50, 600_000),
    1000,
    'How often the worker applies stored gateway webhooks (the HTTP endpoint also nudges it at once).',
  ),
  PAYMENT_RECONCILE_INTERVAL_S: setting(
    integer(60, 7 * 86_400),
    3600,
    'How often the worker compares the last day of payments with each gateway and emits `payment.mismatch` for differences.',
  ),
  MFA_REQUIRED_ROLES: setting(
    list,
    ['role_owner', 'role_admin'],
    'Comma-separated role ids whose staff must enrol in MFA: until they do, their session can only enrol, read `/v1/admin/staff/me` and log out (403 `MFA_ENROLMENT_REQUIRED`).',
  ),
} as const;

type Settings = typeof settings;
type ValueOf<S> = S extends Setting<infer T> ? T : never;
type Required<K extends keyof Settings> = Settings[K]['default'] extends undefined ? never : K;

export type Config = Readonly<
  { [K in keyof Settings as Required<K>]: ValueOf<Settings[K]> } & {
    [K in keyof Settings as Settings[K]['default'] extends undefined ? K : never]?: ValueOf<Settings[K]>;
  }
>;

/** Parses the environment (default `process.env`). Throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      if (s.default !== undefined) out[name] = s.default;
      // An explicitly empty CORS_ORIGINS means "none", not the default.
      if (name === 'CORS_ORIGINS' && raw !== undefined) out[name] = [];
      continue;
    }
    out[name] = s.parse(raw, name);
  }
  // The admin app is served by this server at /admin: links in emails point there unless ADMIN_URL says otherwise.
  if (!env.ADMIN_URL?.trim()) out.ADMIN_URL = `http://localhost:${out.PORT}/admin`;
  return Object.freeze(out) as unknown as Config;
}
