import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { type DatabaseConnection, type Dialect, type Driver, Kysely, type LogEvent } from 'kysely';
import postgres from 'postgres';
import type { Metrics } from '../metrics.js';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';
import type { Db } from './database.js';
import { type LocalSocket, runningSocketDir, SOCKET_PORT, serveLocalSocket } from './local-socket.js';
import { pgliteDialect } from './pglite-dialect.js';
import { isPooled, sessionSettingsMismatch } from './pooled-sessions.js';
import { postgresJsDialect } from './postgres-dialect.js';
import { recordStatement } from './query-stats.js';
import { primaryReads, type ReplicaCheck, replicaReads } from './replica.js';
import { SessionLock } from './session-lock.js';
import { traceBegin, traceConnection, traceEnd } from './traced-connection.js';

export interface DbSettings {
  /** postgres:// URL; when absent the embedded database in `dataDir` is used. */
  url?: string | undefined;
  /** Folder for the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  poolMax: number;
  /** Session default for every connection: how long a statement waits for a row lock. */
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** An embedded database image to start from (tests start from a migrated template). */
  loadDataDir?: Blob;
  /**
   * Short commands (the CLI): when another live process holds the embedded data dir and serves it
   * on its local socket, connect through that socket instead of failing with DataDirLockedError.
   */
  attach?: boolean;
  /**
   * A session connection to the same database when `url` is a transaction-mode pooler (PgBouncer): LISTEN and
   * migrations' session advisory lock need one session for their whole life, which transaction pooling does not give.
   * When it differs from `url`, the pool behind `url` sends no session settings as startup parameters (see
   * pooled-sessions.ts). Default: `url`.
   */
  directUrl?: string | undefined;
  /** Named prepared statements (default true). PgBouncer before 1.21 in transaction mode needs them off. */
  preparedStatements?: boolean | undefined;
  /** A streaming replica for reads that may lag (storefront, reports): see replica.ts. */
  replicaUrl?: string | undefined;
  /** Told when the replica becomes unreachable (reads then use the primary) and when it answers again. */
  onReplicaStateChange?: ((state: 'down' | 'up', err?: unknown) => void) | undefined;
  /** Told when a pooled connection's session settings differ from these settings (they are the role's there). */
  onPooledSessionMismatch?: ((detail: string) => void) | undefined;
}

export type Unlisten = () => Promise<void>;

/** Where reads that may lag go (DATABASE_REPLICA_URL), for the app's wiring: see DbHandle. */
export type DbReads = Pick<DbHandle, 'readDb' | 'fenceReads' | 'checkReplica'>;

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /**
   * PostgreSQL LISTEN on `channel`; the callback gets each NOTIFY payload. With a replica, hearing a notification
   * raises the read fence first (replica.ts), so reads made after the callback see the change that sent it.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<Unlisten>;
  /** Reads that may lag (storefront, reports): the replica's, or `db` itself without one (DATABASE_REPLICA_URL). */
  readDb: Db;
  /** `readDb` reads from when this resolves see what the primary had committed at the call (no-op without a replica). */
  fenceReads(): Promise<void>;
  /** The replica's state for /health/ready (`disabled` without one). */
  checkReplica(): Promise<ReplicaCheck>;
  /** Runs `fn` on one session of its own (migrations' session-level advisory lock); `db` when not pooled. */
  withSession<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** The embedded instance (only for `kind: 'pglite'`), e.g. to dump a test template. */
  pglite?: PGlite;
  /**
   * Embedded database only: serve it to other local processes on a Unix socket in the data dir
   * (closed with the handle). Undefined with the reason when it cannot be served.
   */
  serveLocalSocket?(): Promise<LocalSocket | { unavailable: string }>;
  close(): Promise<void>;
}

/**
 * int8 (bigint) columns — money in minor units, counters — come back as JS numbers. Amounts are
 * integers far below 2^53; a value that would lose precision is refused rather than rounded.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} exceeds the safe integer range`);
  return n;
}

export async function createDb(settings: DbSettings, metrics?: Metrics): Promise<DbHandle> {
  return settings.url ? createServerDb(settings.url, settings, metrics) : createEmbeddedDb(settings, metrics);
}

/** A running process's embedded database, reached through its local socket (see local-socket.ts). */
function attachToRunningDb(socketDir: string, settings: DbSettings, metrics?: Metrics): Promise<DbHandle> {
  // One connection: the session is shared with the server, which takes turns with it. Startup
  // parameters are ignored there (the session already has the server's timeouts), and statements
  // stay unnamed: a named one would outlive this connection in that shared session.
  return createServerDb({ host: socketDir, port: SOCKET_PORT }, { ...settings, poolMax: 1 }, metrics);
}

async function createServerDb(
  target: string | { host: string; port: number },
  settings: DbSettings,
  metrics?: Metrics,
): Promise<DbHandle> {
  const poolMax = settings.poolMax;
  const local = typeof target !== 'string';
  const pooled = !local && isPooled(target, settings.directUrl);
  const prepare = !local && settings.preparedStatements !== false;
  const sessionDefaults = {
    lock_timeout: settings.lockTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    // Short OLTP statements over-estimated by the planner (CTE joins, GIN containment) crossed
    // jit_above_cost as tables grew and spent >1 s compiling a 20 ms query (measured: a
    // 250-product read-model rebuild, 1,291 ms of which JIT took 1,251 ms).
    jit: 'off' as const,
  };
  const options: postgres.Options<Record<string, postgres.PostgresType>> = {
    max: poolMax,
    onnotice: () => {},
    // Startup parameters: every session (so every transaction) gets these timeouts without an
    // extra round trip per transaction. A transaction pooler refuses them (PgBouncer 1.18: "unsupported
    // startup parameter") and could not keep them per client anyway: there they are the role's (pooled-sessions.ts).
    connection: { application_name: 'backroom', ...(pooled ? {} : sessionDefaults) },
    types: {
      int8: { to: 20, from: [20], serialize: (x: number | bigint) => String(x), parse: parseInt8 },
    },
    // Reconnect quickly after a server restart; a dead connection is replaced on next use.
    idle_timeout: 60,
    connect_timeout: 10,
    prepare,
  };
  const sql = local ? postgres({ ...options, ...target }) : postgres(target, options);
  metrics?.dbPoolMax.set(poolMax);
  const kysely = (dialect: Dialect) =>
    new Kysely({ dialect: instrument(dialect, metrics), log: queryLogger(metrics) }) as Db;
  const db = kysely(postgresJsDialect(sql));
  // The session connection (pooled only): LISTEN and migrations. Its own single-connection pool, made on first use.
  const sessionOptions = { ...options, max: 1, connection: { application_name: 'backroom', ...sessionDefaults } };
  let direct: postgres.Sql | undefined;
  const session = () => {
    if (!pooled || !settings.directUrl) return sql;
    direct ??= postgres(settings.directUrl, sessionOptions);
    return direct;
  };
  if (pooled) {
    const mismatch = await sessionSettingsMismatch(db, sessionDefaults);
    if (mismatch) settings.onPooledSessionMismatch?.(mismatch);
  }
  const reads = settings.replicaUrl
    ? replicaReads(
        { db, driver: postgresJsDialect(sql).createDriver() },
        postgresJsDialect(postgres(settings.replicaUrl, { ...sessionOptions, max: poolMax })).createDriver(),
        { retryMs: 5000, onStateChange: settings.onReplicaStateChange, kysely },
      )
    : primaryReads(db);
  return {
    db,
    kind: 'postgres',
    readDb: reads.readDb,
    fenceReads: () => reads.fence(),
    checkReplica: () => reads.check(),
    async withSession(fn) {
      if (!pooled || !settings.directUrl) return fn(db);
      const one = kysely(postgresJsDialect(postgres(settings.directUrl, sessionOptions)));
      try {
        return await fn(one);
      } finally {
        await one.destroy();
      }
    },
    async listen(channel, onPayload) {
      // A notification says a change committed: reads after it must see it, also on a lagging replica.
      const heard = settings.replicaUrl
        ? (payload: string) => {
            // Fails only once the handle is closed (the fence then no longer matters).
            reads.fence().catch(() => {});
            onPayload(payload);
          }
        : onPayload;
      const sub = await session().listen(channel, heard);
      let closed = false;
      return async () => {
        if (closed) return;
        closed = true;
        // After the pool has ended the listening connection is gone already.
        await sub.unlisten().catch(() => {});
      };
    },
    async close() {
      await reads.close();
      await db.destroy();
      await direct?.end({ timeout: 1 });
    },
  };
}

async function createEmbeddedDb(settings: DbSettings, metrics?: Metrics): Promise<DbHandle> {
  const memory = settings.dataDir.startsWith('memory://');
  const dataDir = memory ? settings.dataDir : resolve(settings.dataDir);
  if (!memory) mkdirSync(dataDir, { recursive: true });
  let unlock: () => void = () => {};
  try {
    if (!memory) unlock = lockDataDir(dataDir);
  } catch (err) {
    if (!settings.attach || !(err instanceof DataDirLockedError)) throw err;
    const socketDir = runningSocketDir(dataDir, err.owner);
    if (socketDir) return attachToRunningDb(socketDir, settings, metrics);
    throw new DataDirLockedError(dataDir, err.owner, 'which serves no local socket (`serve` does once it is up)');
  }
  let pg: PGlite;
  try {
    pg = await PGlite.create({
      dataDir,
      parsers: { 20: parseInt8 },
      // Catalog search needs these (shipped inside the PGlite package: nothing is downloaded).
      extensions: { pg_trgm, fuzzystrmatch, unaccent },
      ...(settings.loadDataDir ? { loadDataDir: settings.loadDataDir } : {}),
    });
    // Session defaults, as the server connection gets them in its startup parameters.
    await pg.exec(
      `set lock_timeout = ${Math.trunc(settings.lockTimeoutMs)}; set statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`,
    );
  } catch (err) {
    unlock();
    throw err;
  }
  metrics?.dbPoolMax.set(1);
  const lock = new SessionLock();
  const db = new Kysely({ dialect: instrument(pgliteDialect(pg, lock), metrics), log: queryLogger(metrics) }) as Db;
  /** LISTEN/UNLISTEN are statements too: they wait for their turn like any other. */
  const inTurn = async <T>(fn: () => Promise<T>): Promise<T> => {
    const release = await lock.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  };
  let socket: LocalSocket | undefined;
  const reads = primaryReads(db);
  return {
    db,
    kind: 'pglite',
    pglite: pg,
    readDb: reads.readDb,
    fenceReads: () => reads.fence(),
    checkReplica: () => reads.check(),
    withSession: (fn) => fn(db),
    async listen(channel, onPayload) {
      const unlisten = await inTurn(() => pg.listen(channel, onPayload));
      // Once the database is closed its listeners are gone with it; PGlite would throw instead.
      return async () => {
        if (!pg.closed) await inTurn(unlisten);
      };
    },
    // A database in memory has no folder for a socket, and no one else could know of it.
    ...(memory
      ? {}
      : {
          async serveLocalSocket() {
            if (socket) return socket;
            const served = await serveLocalSocket(pg, lock, dataDir, settings.statementTimeoutMs);
            if ('dir' in served) socket = served;
            return served;
          },
        }),
    async close() {
      try {
        // Clients first: an unfinished transaction of theirs is rolled back before the database closes.
        await socket?.close();
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}

/** Counts every statement for the current statement scope and times it. */
function queryLogger(metrics?: Metrics) {
  return (event: LogEvent) => {
    recordStatement(event.query.sql);
    metrics?.dbQueryDuration.observe({ outcome: event.level }, event.queryDurationMillis / 1000);
  };
}

/**
 * Wraps a dialect's driver to publish pool usage (connections in use, waiters, wait time) and, while tracing is on,
 * to span statements and transactions (traced-connection.ts; off, that is one boolean test per connection).
 */
function instrument(dialect: Dialect, metrics?: Metrics): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: (): Driver => {
      const inner = dialect.createDriver();
      return {
        init: () => inner.init(),
        async acquireConnection(): Promise<DatabaseConnection> {
          const stop = metrics?.dbPoolAcquireDuration.startTimer();
          metrics?.dbPoolWaiting.inc();
          try {
            const conn = await inner.acquireConnection();
            metrics?.dbPoolInUse.inc();
            return traceConnection(conn);
          } finally {
            metrics?.dbPoolWaiting.dec();
            stop?.();
          }
        },
        async releaseConnection(conn) {
          metrics?.dbPoolInUse.dec();
          await inner.releaseConnection(conn);
        },
        beginTransaction: (c, s) => traceBegin(c, () => inner.beginTransaction(c, s)),
        commitTransaction: (c) => traceEnd(c, 'commit', () => inner.commitTransaction(c)),
        rollbackTransaction: (c) => traceEnd(c, 'rollback', () => inner.rollbackTransaction(c)),
        ...(inner.savepoint
          ? {
              savepoint: inner.savepoint.bind(inner),
              rollbackToSavepoint: inner.rollbackToSavepoint?.bind(inner),
              releaseSavepoint: inner.releaseSavepoint?.bind(inner),
            }
          : {}),
        destroy: () => inner.destroy(),
      };
    },
  };
}
