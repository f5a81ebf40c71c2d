import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { type DatabaseConnection, type Dialect, type Driver, Kysely, type LogEvent } from 'kysely';
import postgres from 'postgres';
import type { Metrics } from '../metrics.js';
import { lockDataDir } from './data-dir-lock.js';
import type { Db } from './database.js';
import { pgliteDialect } from './pglite-dialect.js';
import { postgresJsDialect } from './postgres-dialect.js';
import { recordStatement } from './query-stats.js';

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
}

export type Unlisten = () => Promise<void>;

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** PostgreSQL LISTEN on `channel`; the callback gets each NOTIFY payload. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<Unlisten>;
  /** The embedded instance (only for `kind: 'pglite'`), e.g. to dump a test template. */
  pglite?: PGlite;
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

async function createServerDb(url: string, settings: DbSettings, metrics?: Metrics): Promise<DbHandle> {
  const poolMax = settings.poolMax;
  const sql = postgres(url, {
    max: poolMax,
    onnotice: () => {},
    // Startup parameters: every session (so every transaction) gets these timeouts without an
    // extra round trip per transaction.
    connection: {
      application_name: 'backroom',
      lock_timeout: settings.lockTimeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      // Short OLTP statements over-estimated by the planner (CTE joins, GIN containment) crossed
      // jit_above_cost as tables grew and spent >1 s compiling a 20 ms query (measured: a
      // 250-product read-model rebuild, 1,291 ms of which JIT took 1,251 ms).
      jit: 'off',
    },
    types: {
      int8: { to: 20, from: [20], serialize: (x: number | bigint) => String(x), parse: parseInt8 },
    },
    // Reconnect quickly after a server restart; a dead connection is replaced on next use.
    idle_timeout: 60,
    connect_timeout: 10,
  });
  metrics?.dbPoolMax.set(poolMax);
  const db = new Kysely({
    dialect: instrument(postgresJsDialect(sql), metrics),
    log: queryLogger(metrics),
  }) as Db;
  return {
    db,
    kind: 'postgres',
    async listen(channel, onPayload) {
      const sub = await sql.listen(channel, onPayload);
      let closed = false;
      return async () => {
        if (closed) return;
        closed = true;
        // After the pool has ended the listening connection is gone already.
        await sub.unlisten().catch(() => {});
      };
    },
    async close() {
      await db.destroy();
    },
  };
}

async function createEmbeddedDb(settings: DbSettings, metrics?: Metrics): Promise<DbHandle> {
  const memory = settings.dataDir.startsWith('memory://');
  const dataDir = memory ? settings.dataDir : resolve(settings.dataDir);
  if (!memory) mkdirSync(dataDir, { recursive: true });
  const unlock = memory ? () => {} : lockDataDir(dataDir);
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
  const db = new Kysely({ dialect: instrument(pgliteDialect(pg), metrics), log: queryLogger(metrics) }) as Db;
  return {
    db,
    kind: 'pglite',
    pglite: pg,
    async listen(channel, onPayload) {
      const unlisten = await pg.listen(channel, onPayload);
      // Once the database is closed its listeners are gone with it; PGlite would throw instead.
      return async () => {
        if (!pg.closed) await unlisten();
      };
    },
    async close() {
      try {
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

/** Wraps a dialect's driver to publish pool usage: connections in use, waiters, wait time. */
function instrument(dialect: Dialect, metrics?: Metrics): Dialect {
  if (!metrics) return dialect;
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: (): Driver => {
      const inner = dialect.createDriver();
      return {
        init: () => inner.init(),
        async acquireConnection(): Promise<DatabaseConnection> {
          const stop = metrics.dbPoolAcquireDuration.startTimer();
          metrics.dbPoolWaiting.inc();
          try {
            const conn = await inner.acquireConnection();
            metrics.dbPoolInUse.inc();
            return conn;
          } finally {
            metrics.dbPoolWaiting.dec();
            stop();
          }
        },
        async releaseConnection(conn) {
          metrics.dbPoolInUse.dec();
          await inner.releaseConnection(conn);
        },
        beginTransaction: (c, s) => inner.beginTransaction(c, s),
        commitTransaction: (c) => inner.commitTransaction(c),
        rollbackTransaction: (c) => inner.rollbackTransaction(c),
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
