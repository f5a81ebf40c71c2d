import { AsyncLocalStorage } from 'node:async_hooks';
import { type Logger, type LoggerOptions, pino } from 'pino';
import { maskCardNumbers } from './card-numbers.js';
import { statementDataFields } from './db/pg-errors.js';
import { activeTraceIds } from './tracing.js';

export type { Logger };

/**
 * The id of the HTTP request being handled, for log lines written through a logger that is not
 * the request's own (`deps.logger` in a command, a platform helper): they carry `requestId` too.
 */
const requestScope = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it awaits) as part of the request `requestId`. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run(requestId, fn);
}

/** Marks a logger whose bindings already hold `requestId` (Fastify's per-request child), so it is not written twice. */
export const bindsRequestId = Symbol.for('backroom.bindsRequestId');
type MaybeBound = { [bindsRequestId]?: boolean };

function requestIdMixin(_merge: object, _level: number, logger: unknown): object {
  const requestId = requestScope.getStore();
  const fields = requestId === undefined || (logger as MaybeBound)[bindsRequestId] ? {} : { requestId };
  // With tracing on, a line written inside a span names it, so a log search leads to the trace (and back).
  const ids = activeTraceIds();
  return ids ? { ...fields, ...ids } : fields;
}

/** Field names whose values are secrets wherever they appear in a logged object (top level or one level down). */
const secretFields = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'clientSecret',
  'secretKey',
  'webhookSecret',
  'secrets',
  'apiKey',
  'authorization',
  'cookie',
];

/**
 * Paths pino replaces with "[redacted]". Header names are lower-case in Node; body fields are
 * matched where we log them (we never log request bodies by default, but errors may carry the
 * input that caused them). pino has no "any depth" wildcard, so deeper secrets must not be logged.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  ...secretFields.flatMap((field) => [field, `*.${field}`]),
  'config.DATABASE_URL',
  'config.REDIS_URL',
  'config.BACKROOM_SECRET_KEY',
  'config.STRIPE_SECRET_KEY',
  'config.STRIPE_WEBHOOK_SECRET',
  'config.PAYPAL_CLIENT_SECRET',
  'req.headers["stripe-signature"]',
];

/**
 * What a database driver may hang on its errors that must never reach a log: PGlite sets `query`, `params` and
 * `queryOptions`, postgres.js `query`, `parameters`, `args` and `types` (enumerable in its debug mode), and both pass
 * on PostgreSQL's `detail` ("Key (email)=(…)", "Failing row contains (…)") and `where`/`internalQuery`. The db layer
 * already strips them (`withoutStatementData`, same field list); the serializer is the second line, for any error from
 * anywhere.
 */

type SerializedError = Record<string, unknown>;

/** pino's error serializer, without statement data at any depth (nested errors are serialized by the same rule). */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown;
  if (out === err || out === null || typeof out !== 'object') return out;
  const clean = (e: SerializedError, depth: number) => {
    for (const field of statementDataFields) delete e[field];
    if (depth > 8) return;
    for (const value of Object.values(e)) {
      const nested = Array.isArray(value) ? value : [value];
      for (const v of nested) {
        if (v && typeof v === 'object' && 'message' in v) clean(v as SerializedError, depth + 1);
      }
    }
  };
  clean(out as SerializedError, 0);
  return out;
}

export interface LoggerSettings {
  level: string;
  format: 'auto' | 'json' | 'pretty';
}

export function loggerOptions(s: LoggerSettings): LoggerOptions {
  const pretty = s.format === 'pretty' || (s.format === 'auto' && process.stdout.isTTY === true);
  return {
    level: s.level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { pid: process.pid },
    mixin: requestIdMixin,
    serializers: { err: serializeError },
    // The finished line, whatever wrote it (a URL's query, an error message, a binding): card numbers are masked to
    // their last four digits. Bodies carrying them are refused (card-guard.ts); this covers everything else.
    hooks: { streamWrite: maskCardNumbers },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

export function createLogger(s: LoggerSettings): Logger {
  return pino(loggerOptions(s));
}

/** Strips the password from a connection URL so it can be logged or shown. */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}
