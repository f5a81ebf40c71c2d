import { AppError, BusinessRuleError, ConflictError, ServiceUnavailableError } from '../errors.js';

/**
 * SQLSTATE → typed error. We map by the five-character code PostgreSQL sends (identical for
 * postgres.js and PGlite), never by message text, which changes with server version and locale.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  exclusionViolation: '23P01',
  stringTooLong: '22001',
  numericOutOfRange: '22003',
  invalidTextRepresentation: '22P02',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  crashShutdown: '57P02',
  cannotConnectNow: '57P03',
  tooManyConnections: '53300',
} as const;

/** Errors from either driver: postgres.js `PostgresError` or PGlite's `DatabaseError`. */
interface DriverError {
  code?: unknown;
  constraint?: unknown;
  constraint_name?: unknown;
  table?: unknown;
  table_name?: unknown;
}

/** The SQLSTATE of a database error, or undefined for anything else. */
export function sqlState(err: unknown): string | undefined {
  // Our own errors carry UPPER_SNAKE codes too; a five-letter one must not pass for a SQLSTATE.
  if (err instanceof AppError) return undefined;
  const code = (err as DriverError | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function constraintName(err: unknown): string | undefined {
  const e = err as DriverError | null;
  const name = e?.constraint_name ?? e?.constraint;
  return typeof name === 'string' ? name : undefined;
}

/**
 * What a driver error carries about the statement, which may hold customer data: PGlite sets `query`, `params` and
 * `queryOptions`; postgres.js `query`, `parameters`, `args` and `types`; both pass on PostgreSQL's `detail` ("Key
 * (email)=(ann@…) already exists", "Failing row contains (…, $argon2id$…)"), `where` and the internal query.
 */
export const statementDataFields = [
  'query',
  'params',
  'parameters',
  'queryOptions',
  'args',
  'types',
  'detail',
  'where',
  'internalQuery',
  'internal_query',
] as const;
const statementData = new Set<string>(statementDataFields);

const clean = Symbol('backroom.withoutStatementData');

/**
 * A database error as it may leave the db layer and be logged: a new error with the driver's fields that name what
 * failed (SQLSTATE, severity, constraint, table, column…) and nothing of the statement's data. A data exception's
 * message quotes the offending value (`invalid input syntax for type uuid: "ann@example.com"`): the quote is
 * replaced. Anything that is not a driver error is returned as it is. Both dialects pass every statement error
 * through here, so no parameter reaches a log, a stored error text or a problem document.
 */
export function withoutStatementData(err: unknown): unknown {
  if (err === null || typeof err !== 'object' || (err as { [clean]?: true })[clean]) return err;
  const own = Object.getOwnPropertyNames(err);
  if (sqlState(err) === undefined && !own.some((k) => statementData.has(k))) return err;
  const source = err as Error & Record<string, unknown>;
  const state = sqlState(err);
  const raw = typeof source.message === 'string' ? source.message : 'database error';
  const message = state?.startsWith('22') ? raw.replace(/".*"/s, '"…"') : raw;
  const out = new Error(message) as Error & Record<string | symbol, unknown>;
  for (const key of own) {
    if (statementData.has(key) || key === 'message' || key === 'stack') continue;
    const value = source[key];
    if (value === undefined || typeof value === 'function' || (value !== null && typeof value === 'object')) continue;
    out[key] = value;
  }
  out.name = typeof source.name === 'string' && source.name !== 'Error' ? source.name : 'DatabaseError';
  // The driver's frames (postgres.js appends the caller's) under the cleaned message.
  const frames = typeof source.stack === 'string' ? source.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  out.stack = [`${out.name}: ${message}`, ...frames].join('\n');
  Object.defineProperty(out, clean, { value: true });
  return out;
}

/** Network-level failures (server down, restarted, connection dropped). */
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

export function isRetryableTransactionError(err: unknown): boolean {
  const s = sqlState(err);
  return s === SqlState.serializationFailure || s === SqlState.deadlockDetected;
}

export class UniqueViolationError extends ConflictError {
  constructor(
    readonly constraint: string | undefined,
    cause: unknown,
  ) {
    super('UNIQUE_VIOLATION', 'A record with the same unique value already exists.', {
      cause,
      extensions: constraint ? { constraint } : undefined,
    });
  }
}

export class CheckViolationError extends ConflictError {
  constructor(
    readonly constraint: string | undefined,
    cause: unknown,
  ) {
    super('CHECK_VIOLATION', 'The change would break a rule the data must keep.', {
      cause,
      extensions: constraint ? { constraint } : undefined,
    });
  }
}

export class ForeignKeyViolationError extends ConflictError {
  constructor(
    readonly constraint: string | undefined,
    cause: unknown,
  ) {
    super('FOREIGN_KEY_VIOLATION', 'The change refers to a record that does not exist or is still in use.', {
      cause,
      extensions: constraint ? { constraint } : undefined,
    });
  }
}

/**
 * COMMIT answered ROLLBACK: a statement failed inside the transaction and the code caught its
 * error and carried on, so PostgreSQL discarded everything. Nothing was saved, and saying so is the
 * point; it stays a 500 because the caller has a bug (recover from an expected failure with a
 * savepoint or `on conflict`, not a try/catch). `cause` is the statement error that was caught.
 */
export class TransactionAbortedError extends Error {
  constructor(cause?: unknown) {
    super(
      'the transaction was rolled back instead of committed: a statement inside it failed and its error was caught',
      { cause },
    );
    this.name = 'TransactionAbortedError';
  }
}

/**
 * Turns a driver error into an `AppError` when the SQLSTATE says what went wrong; anything else
 * is returned unchanged (and becomes a logged 500).
 */
export function mapDbError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const err = withoutStatementData(error);
  const state = sqlState(err);
  const constraint = constraintName(err);
  switch (state) {
    case SqlState.uniqueViolation:
    case SqlState.exclusionViolation:
      return new UniqueViolationError(constraint, err);
    case SqlState.checkViolation:
      return new CheckViolationError(constraint, err);
    case SqlState.foreignKeyViolation:
      return new ForeignKeyViolationError(constraint, err);
    case SqlState.stringTooLong:
    case SqlState.numericOutOfRange:
      return new BusinessRuleError('VALUE_OUT_OF_RANGE', 'A value is too long or out of range.', { cause: err });
    case SqlState.serializationFailure:
    case SqlState.deadlockDetected:
      return new ServiceUnavailableError('TRANSACTION_CONFLICT', 'Too much contention; please retry.', 1, err);
    case SqlState.lockNotAvailable:
      return new ServiceUnavailableError('LOCK_TIMEOUT', 'A record is busy; please retry.', 1, err);
    case SqlState.queryCanceled:
      return new ServiceUnavailableError('STATEMENT_TIMEOUT', 'The database took too long; please retry.', 2, err);
    case SqlState.adminShutdown:
    case SqlState.crashShutdown:
    case SqlState.cannotConnectNow:
    case SqlState.tooManyConnections:
      return new ServiceUnavailableError('DATABASE_UNAVAILABLE', 'The database is unavailable; please retry.', 2, err);
  }
  if (state?.startsWith('08')) {
    return new ServiceUnavailableError('DATABASE_UNAVAILABLE', 'The database is unavailable; please retry.', 2, err);
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && connectionErrorCodes.has(code)) {
    return new ServiceUnavailableError('DATABASE_UNAVAILABLE', 'The database is unavailable; please retry.', 2, err);
  }
  return err;
}
